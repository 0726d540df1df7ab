"""Disrepute, bullying and grievance (6.2, 6.4): who the words are about, and what is said of them.

The same sneer is disrepute when aimed at the organisation, its services or contractors; bullying
when aimed at a colleague; a grievance when the author complains of their own pay or treatment.
Criticism of national government, praise, and a complaint the author says they are taking
through proper channels are none of these.
"""

from __future__ import annotations

import re

from bot.review.detectors.common import any_near, colleagues, hit
from bot.review.draft import Draft
from bot.review.lexicon import Found, Lexicon
from bot.review.models import Hit

#: Emoji and "lol" alone are weak signs of mockery; a phrase ("everyone avoids her") is strong.
WEAK_MOCKING = re.compile(r"^(?:😂|🤣|lol|lmao|🙄|😴|🤦|haha|apparently|caught|'[^']*')$", re.IGNORECASE)


def _sneers(draft: Draft, lexicon: Lexicon) -> list[Found]:
    """Derogatory words and signs of sarcasm, less those inside a harmless idiom ("assuming the worst")."""
    idioms = draft.find(lexicon, "neutral_idioms", allow_negated=True)
    found = draft.find(lexicon, "derogatory") + draft.find(lexicon, "sarcasm") + draft.find(lexicon, "scare_quote_phrase")
    return [m for m in found if not any(i.start() <= m.start() < i.end() for i in idioms)]


def _at_organisation(draft: Draft, lexicon: Lexicon, sneer: Found) -> list[Found]:
    """The organisation or service a sneer is aimed at, if it is not national politics or a person."""
    reach = 1 if len(draft.sentences) <= 3 else 0
    if any_near(draft, lexicon, ("national_target",), sneer.start(), reach, allow_negated=True):
        return []
    return any_near(draft, lexicon, ("org_target", "employer_target"), sneer.start(), reach, allow_negated=True)


def disrepute(draft: Draft, lexicon: Lexicon) -> Hit | None:
    sarcastic = {m.start() for name in ("sarcasm", "scare_quote_phrase") for m in draft.find(lexicon, name)}
    sneers = _sneers(draft, lexicon)
    evidence: list[Found] = []
    for sneer in sneers:
        targets = _at_organisation(draft, lexicon, sneer)
        if not targets:
            continue
        others = [m for m in sneers if m.start() != sneer.start()]
        if sneer.start() in sarcastic and not others:
            continue  # one sarcastic word ("love how") may be sincere; two signs are not
        derogatory = [m for m in [sneer, *others] if m.start() not in sarcastic]
        if not derogatory and any_near(draft, lexicon, ("praise",), sneer.start(), 1):
            continue  # "lol the CCG bake-off was brilliant 😂" is fond, not sarcastic
        evidence += [sneer, *targets[:1]]
    return hit("disrepute", evidence)


def _mockery(draft: Draft, lexicon: Lexicon, position: int) -> list[Found]:
    """Signs of mockery in the person's own sentence: next door, they may be about something else
    ("What a grim commute. Seeing my manager at ten")."""
    return any_near(draft, lexicon, ("mocking", "scare_quotes", "scare_quote_phrase", "threat", "exclusion",
                                     "derogatory", "innuendo"), position, 0)


def bullying(draft: Draft, lexicon: Lexicon) -> Hit | None:
    for person in colleagues(draft, lexicon):
        if draft.text[max(0, person.start() - 3):person.start()].lower() == "as ":
            continue  # "as head of planned care" is the author describing themselves
        signs = _mockery(draft, lexicon, person.start())
        # The same emoji twice ("😂😂") is one sign, not two.
        weak = {m.group(0).lower() for m in signs if WEAK_MOCKING.match(m.group(0))}
        strength = len(weak) + 2 * sum(1 for m in signs if not WEAK_MOCKING.match(m.group(0)))
        praised = any_near(draft, lexicon, ("praise",), person.start(), 1)
        if strength >= (4 if praised else 2):
            return hit("bullying", [person, *signs])
    return None


def grievance(draft: Draft, lexicon: Lexicon) -> Hit | None:
    if draft.has(lexicon, "air_it_not"):
        return None
    for complaint in draft.find(lexicon, "complaint"):
        about = any_near(draft, lexicon, ("own_work_treatment",), complaint.start(), 1)
        mine = any_near(draft, lexicon, ("self_reference",), complaint.start(), 1, allow_negated=True)
        # "Put a grievance in weeks ago, still nothing" is the author's own, with the "I" left out;
        # a complaint on a colleague's behalf names the colleague.
        someone_else = [c for c in colleagues(draft, lexicon) if not c.group(0).lower().startswith("my ")]
        if about and (mine or not someone_else):
            return hit("grievance", [complaint, *about])
    return None
