"""A safer version of a draft, where one can be made mechanically.

Identifiers are replaced by placeholders ("[NHS number]", "[patient]"); a sentence that carries
a breach (a sneer, mockery, explicit or unlawful content, a grievance, a statement of the CCG's
position) is marked for removal; a work opinion from someone who says where they work gains a
"views are my own" line. When nothing would be left, or nothing can be changed, there is no
rewrite: the draft needs rethinking, not editing.
"""

from __future__ import annotations

from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import Hit, Span

REMOVE = {"disrepute", "bullying", "grievance", "sexual", "illegal", "logo"}


def _sentences_to_remove(draft: Draft, hits: list[Hit], disclaimer_only: bool) -> set[int]:
    marked = set()
    for hit_ in hits:
        if hit_.category in REMOVE or (hit_.category == "speaking_for_org" and not disclaimer_only):
            marked |= {draft.sentence_index(span.start) for span in hit_.spans}
    return marked


def _redactions(hits: list[Hit], lexicon: Lexicon) -> list[tuple[Span, str]]:
    chosen: list[tuple[Span, str]] = []
    for span, kind in sorted((r for h in hits for r in h.redact), key=lambda r: (r[0].start, -r[0].end)):
        if chosen and span.start < chosen[-1][0].end:
            continue  # inside a redaction already made
        chosen.append((span, lexicon.placeholders.get(kind, "[removed]")))
    return chosen


def rewrite(draft: Draft, hits: list[Hit], lexicon: Lexicon) -> str | None:
    """The safer text, or None when no mechanical rewrite helps."""
    disclaimer_only = any(h.remedy == "disclaimer" for h in hits)
    remove = _sentences_to_remove(draft, hits, disclaimer_only)
    redactions = _redactions(hits, lexicon)
    if len(remove) == len(draft.sentences):
        return None
    out, cursor = [], 0
    for index, sentence in enumerate(draft.sentences):
        out.append(draft.text[cursor:sentence.start])
        body = draft.text[sentence.start:sentence.end]
        if index in remove:
            body = lexicon.messages["remove_mark"].format(sentence=body.strip())
        else:
            for span, placeholder in reversed([r for r in redactions if sentence.start <= r[0].start < sentence.end]):
                body = body[:span.start - sentence.start] + placeholder + body[min(span.end, sentence.end) - sentence.start:]
        out.append(body)
        cursor = sentence.end
    out.append(draft.text[cursor:])
    text = "".join(out)
    if disclaimer_only:
        text = f"{text.rstrip()}\n\n{lexicon.messages['disclaimer']}"
    return text if text != draft.text else None
