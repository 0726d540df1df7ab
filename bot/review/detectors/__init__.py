"""One detector per review category, each reading the draft by the means that fits its risk.

A detector is a function `(Draft, Lexicon) -> Hit | None`. The order here is the order findings
are listed in a review: the breach risks first, the cautions after.
"""

from bot.review.detectors.confidentiality import confidentiality
from bot.review.detectors.content import illegal, sexual
from bot.review.detectors.organisation import logo, speaking_for_org
from bot.review.detectors.photos import photo_consent
from bot.review.detectors.stance import bullying, disrepute, grievance
from bot.review.detectors.whistleblowing import whistleblowing

DETECTORS = (confidentiality, disrepute, bullying, grievance, sexual, illegal,
             speaking_for_org, logo, photo_consent, whistleblowing)

__all__ = ["DETECTORS"]
