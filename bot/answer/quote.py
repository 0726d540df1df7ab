"""Pick the policy's own words to quote: the sentence or bullet of a clause that fits the question.

A clause such as 6.2 is a dozen bullets long; quoting all of it buries the one line that answers
"can I use the logo?". Short clauses are quoted whole; long ones by their best passage, with the
lead-in of a list kept ("… instant messaging that: … contains CCG logo …") so the quote still
reads as the rule it is. Every character of a quote is the policy's, bar the joining ellipsis.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from bot.answer.analyzer import Analyzer
from bot.policy.models import Clause

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
WHOLE_CLAUSE_CHARS = 320


def passages(text: str) -> list[str]:
    """Split a clause into quotable passages, each bullet prefixed with its lead-in line."""
    found: list[str] = []
    lead = ""
    for line in text.split("\n"):
        if line.startswith("- "):
            found.append(f"{lead} … {line[2:]}" if lead else line[2:])
            continue
        lead = line if line.endswith(":") else ""
        found += [] if lead else SENTENCE_END.split(line)
    return found or [text]


class Quoter:
    """Passages of every clause, tokenised once, weighed against a question by shared rare terms."""

    def __init__(self, clauses: tuple[Clause, ...], analyzer: Analyzer) -> None:
        self._passages = {c.id: [(p, frozenset(analyzer.tokens(p, spell=False))) for p in passages(c.text)]
                          for c in clauses if len(c.text) > WHOLE_CLAUSE_CHARS or "\n" in c.text}
        df = Counter(t for options in self._passages.values() for _, terms in options for t in terms)
        total = sum(len(options) for options in self._passages.values())
        self._idf = {t: math.log(1 + total / n) for t, n in df.items()}

    def quote(self, clause: Clause, question_terms: set[str]) -> str:
        """The clause whole when short, else its passage sharing the rarest terms (first on ties)."""
        options = self._passages.get(clause.id)
        if not options:
            return clause.text
        weights = [sum(self._idf[t] for t in terms & question_terms) for _, terms in options]
        return options[weights.index(max(weights))][0]
