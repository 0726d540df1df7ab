"""Speaking for the organisation (5.1.2) and the CCG logo (6.2).

A draft speaks for the CCG when it states the organisation's position ("our position", "we at the
CCG", "I can confirm"), or when its author says they work at the CCG and gives a work opinion
without saying the views are their own. Sharing an official announcement is not speaking for
it. The logo counts when the draft uses or will use it, unless Communications' permission is stated.
"""

from __future__ import annotations

from bot.review.detectors.common import hit
from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import Hit


def _is_official_quote(draft: Draft, lexicon: Lexicon) -> bool:
    quotes = draft.find(lexicon, "official_quote", allow_negated=True)
    return bool(quotes) and quotes[0].start() < 40


def _employment_claims(draft: Draft, lexicon: Lexicon) -> list:
    claims = draft.find(lexicon, "employment_claim") + draft.find(lexicon, "employment_pattern")
    if draft.has(lexicon, "org_target"):
        claims += draft.find(lexicon, "job_title_claim")
    return claims


def speaking_for_org(draft: Draft, lexicon: Lexicon) -> Hit | None:
    if _is_official_quote(draft, lexicon):
        return None
    voice = draft.find(lexicon, "org_voice", allow_negated=True) + draft.find(lexicon, "org_statement", allow_negated=True)
    claims = _employment_claims(draft, lexicon)
    if not voice and claims:
        # "We will not be cutting IVF" speaks for the CCG when the author has said they work
        # there; from anyone else "we" is a group of staff or campaigners.
        voice = [m for m in draft.find(lexicon, "org_we", allow_negated=True)
                 if draft.near(lexicon, "org_target", m.start(), 0, allow_negated=True)]
    if voice:
        return hit("speaking_for_org", voice)
    opinions = draft.find(lexicon, "opinion")
    if claims and opinions and not draft.has(lexicon, "disclaimer"):
        found = hit("speaking_for_org", claims + opinions[:1])
        return Hit(found.category, found.spans, remedy="disclaimer") if found else None
    return None


def logo(draft: Draft, lexicon: Lexicon) -> Hit | None:
    if draft.has(lexicon, "logo_permission"):
        return None
    evidence = []
    for cue in draft.find(lexicon, "logo_cue"):
        owner = [m for m in draft.near(lexicon, "org_target", cue.start(), 0, allow_negated=True)
                 if abs(m.start() - cue.start()) < 40]
        if owner or "ccg" in cue.group(0).lower() or "nhs" in cue.group(0).lower():
            evidence += owner[:1] + [cue]
    return hit("logo", evidence)
