"""Photo consent (5.1.4): photos or video taken at work, of patients, colleagues or the author,
with no word that everyone shown agreed. A holiday selfie is not taken at work; "everyone in the
picture agreed to it" is consent. An attached image is a photo the bot cannot see.
"""

from __future__ import annotations

from bot.review.detectors.common import hit
from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import Hit

IMAGE_KINDS = ("image", "photo", "video")


def photo_consent(draft: Draft, lexicon: Lexicon) -> Hit | None:
    if draft.has(lexicon, "consent_stated"):
        return None
    not_people = draft.find(lexicon, "photo_not_of_people", allow_negated=True)
    photos = [m for m in draft.find(lexicon, "photo_cue") + draft.find(lexicon, "photo_of_person")
              if not any(n.start() <= m.start() < n.end() for n in not_people)]
    attached = any(kind.startswith(IMAGE_KINDS) for kind in draft.attachments)
    if not photos and not attached:
        return None
    at_work = draft.find(lexicon, "work_setting", allow_negated=True)
    if photos and at_work:
        return hit("photo_consent", photos + at_work[:1])
    if attached:
        # The picture itself is the evidence; there are no words of the draft to point at.
        return Hit("photo_consent", ())
    return None
