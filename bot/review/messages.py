"""A review in words, for platforms that show plain text (the console, notification fallbacks)."""

from __future__ import annotations

from bot.policy.models import Policy
from bot.review.lexicon import Lexicon
from bot.review.models import Review


def describe(review: Review, policy: Policy, lexicon: Lexicon) -> str:
    if review.notice:
        return review.notice
    facts = {"title": policy.meta.title, "number": policy.meta.number}
    lines = [lexicon.messages[f"verdict_{review.verdict}"].format(**facts)]
    for finding in review.findings:
        rule = lexicon.categories[finding.category]
        severity = "breach risk" if finding.severity == "breach_risk" else "caution"
        lines.append(f"• {rule.title or finding.category} (clause {finding.clause}, {severity}): "
                     f"\u201c{finding.evidence}\u201d\n  {finding.advice}")
    if review.findings:
        if review.rewrite:
            lines.append(f"{lexicon.messages['rewrite_intro']}\n{review.rewrite}")
        else:
            lines.append(lexicon.messages["rewrite_none"])
    return "\n\n".join(lines)
