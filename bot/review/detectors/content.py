"""Sexual (6.2) and illegal (6.2) content: maintained word lists and patterns.

Explicit terms count on their own; innuendo needs two signs, or one aimed at a colleague. Clinical
vocabulary ("sexual health clinic", "breast screening") is not sexual content. Hate speech,
threats of violence and incitement count on their own; piracy needs a clear sign (a pirated
stream, a cracked download) or two weaker ones ("the link", "without paying").
"""

from __future__ import annotations

from bot.review.detectors.common import colleagues, hit
from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import Hit


def sexual(draft: Draft, lexicon: Lexicon) -> Hit | None:
    explicit = [m for m in draft.find(lexicon, "sexual_explicit")
                if not draft.near(lexicon, "clinical_context", m.start(), 0, allow_negated=True)]
    if explicit:
        return hit("sexual", explicit)
    innuendo = draft.find(lexicon, "innuendo")
    aimed = colleagues(draft, lexicon) + draft.find(lexicon, "photo_cue")
    if len({m.group(0).lower() for m in innuendo}) >= 2 or (innuendo and aimed):
        return hit("sexual", innuendo)
    return None


def illegal(draft: Draft, lexicon: Lexicon) -> Hit | None:
    certain = [m for name in ("hate", "threat", "incitement", "piracy_pattern") for m in draft.find(lexicon, name)]
    piracy = draft.find(lexicon, "piracy")
    if certain or len(piracy) >= 2 or (piracy and draft.find(lexicon, "sexual_explicit")):
        return hit("illegal", certain + piracy)
    return None
