"""Pick the policy's own words to quote: the sentence or bullet of a clause that fits the question.

A clause such as 6.2 is a dozen bullets long; quoting all of it buries the one line that answers
"can I use the logo?". Short clauses are quoted whole; long ones by their best passage, with the
lead-in of a list kept ("… instant messaging that: … contains CCG logo …") so the quote still
reads as the rule it is. Every character of a quote is the policy's, bar the joining ellipses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def best_quote(text: str, weight: Callable[[str], float]) -> str:
    """The clause whole when short, else its passage that `weight` scores highest (first on ties)."""
    if len(text) <= WHOLE_CLAUSE_CHARS and "\n" not in text:
        return text
    options = passages(text)
    return max(options, key=lambda p: (weight(p), -options.index(p)))
