"""What the answerer returns: the words to show, and the clauses they rest on."""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy.models import PolicyMeta


@dataclass(frozen=True)
class Citation:
    """A clause an answer rests on, with the policy's own words from it."""

    clause: str
    quote: str
    summary: str = ""


@dataclass(frozen=True)
class Answer:
    """A reply to a question. `in_scope` is False, with no citations, when the policy does not
    answer it; `pointer` then says who does."""

    question: str
    text: str
    in_scope: bool
    citations: tuple[Citation, ...] = ()
    pointer: str = ""
    #: Set when the input could not be used as a question (empty, unreadable, too long, not English).
    notice: str = ""

    def to_json(self, meta: PolicyMeta) -> dict:
        """The `ask --json` shape of interfaces.md."""
        return {
            "question": self.question,
            "answer": self.text,
            "in_scope": self.in_scope,
            "citations": [{"clause": c.clause, "quote": c.quote} for c in self.citations],
            "policy": {"number": meta.number, "version": meta.version, "next_review": meta.next_review},
        }
