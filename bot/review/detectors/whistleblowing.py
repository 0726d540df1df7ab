"""Whistleblowing (7.5): a public allegation of wrongdoing at work, of the kinds 7.5 lists: a
crime, a failure of a legal duty, a danger to health and safety, harm to the environment, or a
cover-up. One clear sign (fraud, a cover-up, clinical waste in the skips), or two weaker ones
(a locked fire exit, "someone will get hurt") in a work setting.

Negation is not applied: "no tender was run" is the allegation, not its denial.
"""

from __future__ import annotations

from bot.review.detectors.common import hit
from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import Hit


def whistleblowing(draft: Draft, lexicon: Lexicon) -> Hit | None:
    strong = draft.find(lexicon, "wrongdoing_strong", allow_negated=True)
    weak = draft.find(lexicon, "wrongdoing_weak", allow_negated=True)
    if not strong and len({m.group(0).lower() for m in weak}) < 2:
        return None
    if not strong and not draft.find(lexicon, "wrongdoing_place", allow_negated=True):
        return None
    return hit("whistleblowing", strong + weak)
