"""The review lexicons of `policy_content/review.yaml`, compiled once for fast matching.

Word lists are matched with an Aho-Corasick automaton (pyahocorasick): one pass over a draft
finds every phrase of every list, however many lists and phrases there are, which keeps a
40,000-character paste well inside Slack's 3 seconds. Phrases match case-insensitively as whole
words (an entry that starts or ends with a non-word character, such as an emoji, matches as it
stands); lists named in `case_sensitive` match as written. Lists under `patterns` are regular
expressions, checked at load time to compile and written without nested repetition, so no input
can make them backtrack for long.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from bot.policy.loader import PolicyContentError, default_content_dir, read_yaml

WORD = re.compile(r"\w")


@dataclass(frozen=True)
class CategoryRule:
    clause: str
    severity: str
    advice: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Found:
    """A match, with the interface of `re.Match` that the detectors use."""

    begin: int
    finish: int
    text: str

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, _: int = 0) -> str:
        return self.text


def _lower_same_length(text: str) -> str:
    """Lower case without changing any character's position (a few letters lengthen when lowered)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _leftmost_longest(found: list[Found]) -> list[Found]:
    """Overlapping matches of one list reduced as a regular expression would: leftmost, then longest."""
    kept: list[Found] = []
    for match in sorted(found, key=lambda f: (f.begin, -f.finish)):
        if not kept or match.begin >= kept[-1].finish:
            kept.append(match)
    return kept


class _PhraseIndex:
    """All phrases of many lists in one automaton; values say which lists a phrase belongs to."""

    def __init__(self, lists: dict[str, list[str]], fold_case: bool) -> None:
        self.fold_case = fold_case
        self.automaton = ahocorasick.Automaton()
        owners: dict[str, set[str]] = defaultdict(set)
        for name, phrases in lists.items():
            for phrase in phrases:
                key = " ".join(str(phrase).split())
                owners[key.lower() if fold_case else key].add(name)
        for key, names in owners.items():
            self.automaton.add_word(key, (len(key), bool(WORD.match(key[0])), bool(WORD.match(key[-1])),
                                          tuple(sorted(names))))
        if owners:
            self.automaton.make_automaton()
        self.empty = not owners

    def scan(self, text: str) -> dict[str, list[Found]]:
        found: dict[str, list[Found]] = defaultdict(list)
        if self.empty:
            return found
        haystack = _lower_same_length(text) if self.fold_case else text
        for last, (length, word_head, word_tail, names) in self.automaton.iter(haystack):
            begin, finish = last - length + 1, last + 1
            if word_head and begin > 0 and WORD.match(haystack[begin - 1]):
                continue
            if word_tail and finish < len(haystack) and WORD.match(haystack[finish]):
                continue
            for name in names:
                found[name].append(Found(begin, finish, text[begin:finish]))
        return found


class Lexicon:
    """Named word lists and patterns; `scan(text)` matches them all in one pass."""

    def __init__(self, data: dict, source: str = "review.yaml") -> None:
        self.categories = {name: CategoryRule(**rule) for name, rule in data["categories"].items()}
        self.messages: dict[str, str] = data.get("messages", {})
        self.placeholders: dict[str, str] = data.get("placeholders", {})
        #: category → lists whose match keeps its classifier from flagging it.
        self.silenced_by: dict[str, list[str]] = data.get("silenced_by") or {}
        exact = set(data.get("case_sensitive") or ())
        lists = {**(data.get("lexicons") or {}), **(data.get("lexicons_more") or {})}
        self._folded = _PhraseIndex({n: p for n, p in lists.items() if n not in exact}, fold_case=True)
        self._exact = _PhraseIndex({n: p for n, p in lists.items() if n in exact}, fold_case=False)
        self._patterns: dict[str, re.Pattern[str]] = {}
        for name, patterns in (data.get("patterns") or {}).items():
            try:
                self._patterns[name] = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
            except re.error as exc:
                raise PolicyContentError(f"{source}: pattern list {name!r} does not compile: {exc}") from None
        #: Every list's name, in a fixed order: the classifiers' lexical inputs are one per list.
        self.list_names = tuple(sorted({*lists, *self._patterns}))

    def scan(self, text: str) -> dict[str, list[Found]]:
        """Every list's matches over `text`, each list leftmost-longest and sorted by position."""
        found = self._folded.scan(text)
        for name, matches in self._exact.scan(text).items():
            found[name].extend(matches)
        result = {name: _leftmost_longest(matches) for name, matches in found.items()}
        for name, pattern in self._patterns.items():
            result[name] = [Found(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
        return result



def load_lexicon(folder: Path | None = None) -> Lexicon:
    folder = Path(folder or default_content_dir())
    data = read_yaml(folder, "review.yaml")
    try:
        return Lexicon(data, str(folder / "review.yaml"))
    except (KeyError, TypeError) as exc:
        raise PolicyContentError(f"{folder / 'review.yaml'}: {exc!r}") from None
