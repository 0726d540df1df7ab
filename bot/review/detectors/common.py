"""Small helpers the detectors share: turning regex matches into spans, finding people."""

from __future__ import annotations

from bot.review.draft import Draft
from bot.review.lexicon import Found, Lexicon
from bot.review.models import Hit, Span


def spans(matches: list[Found]) -> tuple[Span, ...]:
    return tuple(Span(m.start(), m.end()) for m in matches)


def hit(category: str, matches: list[Found], redact: tuple = ()) -> Hit | None:
    """A Hit from the matches that caused it, or None when there were none."""
    if not matches:
        return None
    unique = {(m.start(), m.end()): m for m in matches}
    return Hit(category, spans(sorted(unique.values(), key=lambda m: m.start())), redact)


def named_people(draft: Draft, lexicon: Lexicon) -> list[Found]:
    """Capitalised first names (the list leaves out names that are also common words: Will, Mark)."""
    return draft.find(lexicon, "first_names", allow_negated=True)


def colleagues(draft: Draft, lexicon: Lexicon) -> list[Found]:
    """Words that point at a colleague: a role or description, a named person, "X from IT"."""
    return [m for name in ("colleague_reference", "colleague_described", "work_colleague_named", "mention")
            for m in draft.find(lexicon, name, allow_negated=True)] + named_people(draft, lexicon)


def any_near(draft: Draft, lexicon: Lexicon, names: tuple[str, ...], position: int,
             reach: int = 0, allow_negated: bool = False) -> list[Found]:
    """Matches of any of the named lists in the sentences around `position`."""
    return [m for name in names for m in draft.near(lexicon, name, position, reach, allow_negated)]
