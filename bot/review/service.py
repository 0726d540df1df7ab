"""Review a draft post: every category's detector, the verdict by the taxonomy's rule, a rewrite.

Drafts can be anything a person pastes into Slack (up to 40,000 characters), so the input is
cleaned first and every detector is linear in the length of the draft.
"""

from __future__ import annotations

from bot.policy.models import Policy
from bot.review.detectors import DETECTORS
from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import Finding, Hit, Review, verdict_of
from bot.review.rewrite import rewrite
from bot.text import clean, is_other_language

#: Slack's longest message; Teams' is shorter.
MAX_DRAFT_CHARS = 40_000
NO_EVIDENCE = "(the attached image)"


class Reviewer:
    def __init__(self, policy: Policy, lexicon: Lexicon) -> None:
        self.policy = policy
        self.lexicon = lexicon

    def review(self, raw: str | bytes, attachments: tuple[str, ...] = ()) -> Review:
        incoming = clean(raw, MAX_DRAFT_CHARS)
        if incoming.problem:
            return self._notice(incoming.text[:200], incoming.problem, length=f"{incoming.length:,}")
        if is_other_language(incoming.text):
            return self._notice(incoming.text, "not_english")
        draft = Draft(incoming.text, attachments)
        hits = [h for h in (detect(draft, self.lexicon) for detect in DETECTORS) if h is not None]
        findings = tuple(self._finding(draft, h) for h in hits)
        return Review(draft.text, verdict_of(findings), findings, rewrite(draft, hits, self.lexicon) if hits else None)

    def _finding(self, draft: Draft, hit: Hit) -> Finding:
        rule = self.lexicon.categories[hit.category]
        words = list(dict.fromkeys(draft.text[s.start:s.end] for s in hit.spans))
        advice = rule.advice
        if hit.category == "photo_consent" and draft.attachments:
            advice = f"{advice} {self.lexicon.messages['attachment_reminder']}"
        return Finding(hit.category, rule.clause, rule.severity, " … ".join(words) or NO_EVIDENCE, advice)

    def _notice(self, text: str, problem: str, **values: str) -> Review:
        message = self.lexicon.messages[f"input_{problem}"].format(limit=f"{MAX_DRAFT_CHARS:,}", **values)
        return Review(text, "ok", (), None, notice=message)
