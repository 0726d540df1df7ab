"""A draft as the detectors read it: its text, its sentences, and what surrounds a cue.

Most of the policy's risks need two things together (a person and a detail about them, the
organisation and a sneer at it), and "together" means in the same sentence or the next one, and
never further apart than `MAX_REACH` characters: close enough to be about each other, and a
bound that keeps a 40,000-character paste linear to review. Each word list is matched once over
the whole draft; the questions detectors ask ("is there a clinical detail near this name?") are
answered from those sorted matches by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from bot.review.lexicon import Found, Lexicon

#: A sentence ends at . ! ? followed by a space or the end, or at a line break, but not after an
#: initial or a title ("Mrs E. Hart", "Dr. Shah", "J.H. from …").
BOUNDARY = re.compile(r"(?<![A-Z])(?<!\b(?:Mr|Ms|Dr|St|No|Pt|vs))(?<!\bMrs)[.!?]+(?=\s|$)|\n")
#: How far before a cue a negation still governs it ("I would never share patient details").
NEGATION_REACH = 40
#: The furthest apart, in characters, two cues can be and still count as about each other.
MAX_REACH = 300


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass
class Draft:
    text: str
    attachments: tuple[str, ...] = ()
    sentences: list[Sentence] = field(init=False)
    _starts: list[int] = field(init=False, repr=False)
    _matches: dict[str, tuple[list[Found], list[int]]] = field(init=False, repr=False)
    _scanned: bool = field(init=False, repr=False, default=False)

    def __post_init__(self) -> None:
        self.sentences, start = [], 0
        for boundary in BOUNDARY.finditer(self.text):
            if self.text[start:boundary.end()].strip():
                self.sentences.append(Sentence(start, boundary.end()))
            start = boundary.end()
        if self.text[start:].strip() or not self.sentences:
            self.sentences.append(Sentence(start, len(self.text)))
        self._starts = [s.start for s in self.sentences]
        self._matches = {}

    def _all(self, lexicon: Lexicon, name: str) -> tuple[list[Found], list[int]]:
        """Every match of a list over the whole draft, with their starts; all lists are matched in
        one pass, the first time any is asked for."""
        if not self._scanned:
            self._matches = {n: (found, [m.start() for m in found]) for n, found in lexicon.scan(self.text).items()}
            self._scanned = True
        return self._matches.get(name, ([], []))

    def _between(self, lexicon: Lexicon, name: str, start: int, end: int) -> list[Found]:
        found, starts = self._all(lexicon, name)
        return [m for m in found[bisect_left(starts, start):bisect_left(starts, end)] if m.end() <= end]

    def sentence_index(self, position: int) -> int:
        return max(0, bisect_right(self._starts, position) - 1)

    def window(self, position: int, reach: int = 1) -> tuple[int, int]:
        """The sentence holding `position` and up to `reach` sentences either side, at most
        `MAX_REACH` characters each way."""
        index = self.sentence_index(position)
        first = self.sentences[max(0, index - reach)]
        last = self.sentences[min(len(self.sentences) - 1, index + reach)]
        return max(first.start, position - MAX_REACH), min(last.end, position + MAX_REACH)

    def negated(self, lexicon: Lexicon, start: int) -> bool:
        """True when a negation stands shortly before `start` in the same sentence, is not part of
        a phrase that only looks negative ("not saying", "couldn't organise"), and no "but" or
        "however" stands between them: "I'd never share patient details, but Mr Jones …" negates
        the sharing, not Mr Jones."""
        sentence = self.sentences[self.sentence_index(start)]
        begin = max(sentence.start, start - NEGATION_REACH)
        ends = [m.start() for m in self._between(lexicon, "negation_ends", begin, start)]
        for negation in self._between(lexicon, "negation", begin, start):
            if any(negation.end() <= end for end in ends):
                continue
            around = self._between(lexicon, "not_negation", max(0, negation.start() - 15), negation.end() + 20)
            if not any(a.start() <= negation.start() < a.end() for a in around):
                return True
        return False

    def find(self, lexicon: Lexicon, name: str, start: int = 0, end: int | None = None,
             allow_negated: bool = False) -> list[Found]:
        """Matches of a lexicon list, without those a negation governs."""
        found = self._between(lexicon, name, start, len(self.text) if end is None else end)
        return found if allow_negated else [m for m in found if not self.negated(lexicon, m.start())]

    def near(self, lexicon: Lexicon, name: str, position: int, reach: int = 1,
             allow_negated: bool = False) -> list[Found]:
        """Matches of a lexicon list in the sentences around `position`."""
        start, end = self.window(position, reach)
        return self.find(lexicon, name, start, end, allow_negated)

    def count(self, lexicon: Lexicon, name: str) -> int:
        """How many times a list matches anywhere in the draft, negated or not."""
        return len(self._all(lexicon, name)[0])

    def has(self, lexicon: Lexicon, name: str) -> bool:
        return bool(self._all(lexicon, name)[0])
