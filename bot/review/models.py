"""What a draft review returns: findings by category of review-taxonomy.md, a verdict, a rewrite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["caution", "breach_risk"]
Verdict = Literal["ok", "caution", "breach_risk"]
CATEGORIES = ("confidentiality", "disrepute", "bullying", "sexual", "speaking_for_org", "logo",
              "photo_consent", "grievance", "whistleblowing", "illegal")


@dataclass(frozen=True)
class Span:
    """Where in the draft a cue stands: `text[start:end]`."""

    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """A detector's raw result: a category and the spans of the words that cause it."""

    category: str
    spans: tuple[Span, ...]
    #: Spans to redact in the rewrite (identifiers), as opposed to sentences to remove.
    redact: tuple[tuple[Span, str], ...] = ()
    #: "disclaimer" when the fix is to add a "views are my own" line rather than remove words.
    remedy: str = ""


@dataclass(frozen=True)
class Finding:
    category: str
    clause: str
    severity: Severity
    evidence: str
    advice: str


@dataclass(frozen=True)
class Review:
    text: str
    #: None when the draft was not reviewed (empty, unreadable, too long, not English): no verdict,
    #: rather than an "ok" it did not earn.
    verdict: Verdict | None
    findings: tuple[Finding, ...]
    rewrite: str | None
    notice: str = ""

    def to_json(self) -> dict:
        """The `check --json` shape of interfaces.md, plus `notice` when the input could not be
        reviewed (empty, unreadable, too long, not English), saying why; `verdict` is then null."""
        data = {
            "text": self.text,
            "verdict": self.verdict,
            "findings": [{"category": f.category, "clause": f.clause, "severity": f.severity,
                          "evidence": f.evidence, "advice": f.advice} for f in self.findings],
            "rewrite": self.rewrite,
        }
        return {**data, "notice": self.notice} if self.notice else data


def verdict_of(findings: tuple[Finding, ...] | list[Finding]) -> Verdict:
    """The taxonomy's rule: breach_risk if any finding is, else caution if any, else ok."""
    severities = {f.severity for f in findings}
    return "breach_risk" if "breach_risk" in severities else "caution" if severities else "ok"
