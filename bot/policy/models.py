"""The policy as the bot knows it: metadata, clauses with their staff-facing guidance, the related
policies it points to, and the signposts for questions it does not answer.

Validated with pydantic so that an organisation loading its own policy gets a message naming the
file and field that is wrong, rather than a wrong answer later.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from bot.policy.importer import MONTHS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyMeta(_Strict):
    """The document control data of the policy (clause `header`)."""

    number: str
    title: str
    version: str
    organisation: str = ""
    audience: str = ""
    approving_committee: str = ""
    approved: str = ""
    last_review: str = ""
    next_review: str = ""
    author: str = ""

    def review_overdue(self, today: date) -> bool:
        """True once the month of the next review date has ended ("2017-07" is overdue from
        August 2017); a date that cannot be read is never called overdue."""
        year, _, month = self.next_review.partition("-")
        if not (year.isdigit() and month[:2].isdigit()):
            return False
        return (today.year, today.month) > (int(year), int(month[:2]))

    @property
    def next_review_text(self) -> str:
        """'2017-07' as 'July 2017', the way staff read a date."""
        year, _, month = self.next_review.partition("-")
        names = {number: name.title() for name, number in MONTHS.items() if len(name) > 3 or name == "may"}
        return f"{names.get(int(month), month)} {year}" if month.isdigit() else self.next_review


class Section(_Strict):
    number: str
    title: str


class Clause(_Strict):
    """One numbered paragraph of the policy, with the words staff use for what it covers."""

    id: str
    section: str | None
    text: str
    title: str = ""
    summary: str = ""
    phrasings: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


class RelatedPolicy(_Strict):
    """A policy or procedure this one points to (Disciplinary, Dignity at Work, …) and who holds it."""

    name: str
    contact: str = "People Services"


class Signpost(_Strict):
    """A topic staff ask about that the policy does not answer, and where to go instead."""

    id: str
    topic: str
    pointer: str
    phrasings: tuple[str, ...] = ()


class Vocabulary(_Strict):
    """Staff words mapped to the policy's words, and the terms that put a question in scope."""

    terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    anchors: tuple[str, ...] = ()
    weights: dict[str, int] = Field(default_factory=dict)
    unstemmed: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    smalltalk: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Policy(_Strict):
    meta: PolicyMeta
    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]
    related: dict[str, RelatedPolicy]
    signposts: tuple[Signpost, ...]
    vocabulary: Vocabulary
    messages: dict[str, str]

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.id == clause_id)

    def message(self, key: str, **values: str) -> str:
        """A worded message from `messages.yaml`, filled with the policy's facts and `values`."""
        facts = {"title": self.meta.title, "number": self.meta.number, "version": self.meta.version,
                 "organisation": self.meta.organisation, "next_review": self.meta.next_review_text}
        return self.messages[key].format(**facts, **values).strip()
