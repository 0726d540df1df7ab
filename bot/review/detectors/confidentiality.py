"""Confidentiality (6.2): information that identifies, or could identify, a patient or a colleague
together with something held in confidence.

- An NHS number that passes its check digit, or a date of birth, is enough on its own.
- A weaker identifier (a ward or bed, an address or postcode, a phone number or email, a number
  shaped like an NHS number, an age) counts when a person or a clinical or personal detail is near.
- A person (a title and name, initials, "the lad in bay 3", a named colleague) counts when a
  clinical or personal detail (a condition, "off sick", "final written warning", pay) is near.
- A screenshot or photo of a record counts on its own.
Negated mentions ("I'd never share patient details") do not count.
"""

from __future__ import annotations

from bot.review.detectors.common import colleagues
from bot.review.draft import Draft
from bot.review.identifiers import Identifier, find_identifiers
from bot.review.lexicon import Found, Lexicon
from bot.review.models import Hit, Span

STRONG = {"nhs_number", "date_of_birth"}
DETAILS = ("clinical_detail", "personal_matter", "pay_band", "pay_amount")


#: A surname followed by another surname ("Mary Ann Smith") is taken up to this many words.
SURNAME_WORDS = 2


def _with_surnames(draft: Draft, lexicon: Lexicon, people: list[tuple[Found, str]]) -> list[tuple[Found, str]]:
    """Each person's reference with the surname after it ("Jean" → "Jean Smith"), so that the
    rewrite leaves no "[name] Smith" behind. The surnames are matched once for the whole draft."""
    surnames = {m.start(): m for m in draft.find(lexicon, "surname", allow_negated=True)}
    not_surnames = {m.group(0) for m in draft.find(lexicon, "not_surname", allow_negated=True)}
    extended = []
    for person, placeholder in people:
        end = person.end()
        for _ in range(SURNAME_WORDS):
            nxt = surnames.get(end)
            if nxt is None or nxt.group(0).strip() in not_surnames:
                break
            end = nxt.end()
        if end != person.end():
            person = Found(person.start(), end, draft.text[person.start():end])
        extended.append((person, placeholder))
    return extended


def _titled(draft: Draft, lexicon: Lexicon) -> list[tuple[Found, str]]:
    """Titled names and initials: patients, but for a member of staff's title ("Nurse Lee", "Dr Shah")."""
    staff = {m.start() for m in draft.find(lexicon, "staff_title", allow_negated=True)}
    return [(m, "person" if m.start() in staff else "patient")
            for name in ("titled_name", "initials") for m in draft.find(lexicon, name)]


def _people(draft: Draft, lexicon: Lexicon) -> list[tuple[Found, str]]:
    """Person references, each with its surname, and the placeholder each is redacted to."""
    return _with_surnames(draft, lexicon, _named_people(draft, lexicon))


def _named_people(draft: Draft, lexicon: Lexicon) -> list[tuple[Found, str]]:
    patients = _titled(draft, lexicon)
    # "my daughter" is the author's own family, not someone whose confidence the author holds.
    described = [(m, "patient") for m in draft.find(lexicon, "person_reference")
                 if not draft.text[max(0, m.start() - 3):m.start()].lower() == "my "]
    staff = [(m, "person") for m in colleagues(draft, lexicon)]
    return patients + described + staff


def _detail_near(draft: Draft, lexicon: Lexicon, position: int) -> list[Found]:
    return [m for name in DETAILS for m in draft.near(lexicon, name, position, reach=1)]


def _captures(draft: Draft, lexicon: Lexicon) -> list[Found]:
    """A record shown as it stands, or a screenshot of something that is a record or about a patient."""
    found = draft.find(lexicon, "record_capture")
    for cue in draft.find(lexicon, "capture_cue"):
        if any(draft.near(lexicon, name, cue.start(), 1) for name in ("record_subject", "person_reference",
                                                                       "clinical_detail")):
            found.append(cue)
    return found


def _consented_story(draft: Draft, lexicon: Lexicon) -> bool:
    """A patient story shared with the person's stated permission and no hard identifier in it."""
    if not draft.has(lexicon, "consent_stated"):
        return False
    hard = ("titled_name", "initials", "street_address", "reference_number")
    return not any(draft.find(lexicon, name) for name in hard)


def _weak_identifiers(draft: Draft, lexicon: Lexicon, identifiers: list[Identifier]) -> list[tuple[Span, str]]:
    found = [(Span(i.start, i.end), i.kind) for i in identifiers if i.kind not in STRONG]
    own = [m.start() for m in draft.find(lexicon, "age_of_own", allow_negated=True)]
    for name, kind in (("reference_number", "reference_number"), ("street_address", "address"), ("age", "age")):
        found += [(Span(m.start(), m.end()), kind) for m in draft.find(lexicon, name)
                  if not any(o <= m.start() <= o + 4 for o in own)]
    return found


def confidentiality(draft: Draft, lexicon: Lexicon) -> Hit | None:
    evidence: list[Span] = []
    redact: list[tuple[Span, str]] = []
    identifiers = find_identifiers(draft.text)
    for ident in identifiers:
        if ident.kind in STRONG and not draft.negated(lexicon, ident.start):
            evidence.append(Span(ident.start, ident.end))
            redact.append((Span(ident.start, ident.end), ident.kind))
    people = _people(draft, lexicon)
    for person, placeholder in people:
        details = _detail_near(draft, lexicon, person.start())
        if details:
            evidence += [Span(person.start(), person.end())] + [Span(d.start(), d.end()) for d in details]
            redact.append((Span(person.start(), person.end()), placeholder))
    for span, kind in _weak_identifiers(draft, lexicon, identifiers):
        near_people = [(p, ph) for p, ph in people if abs(p.start() - span.start) < 120]
        if near_people or _detail_near(draft, lexicon, span.start):
            evidence.append(span)
            redact.append((span, kind))
            for person, placeholder in near_people:
                evidence.append(Span(person.start(), person.end()))
                redact.append((Span(person.start(), person.end()), placeholder))
    evidence += [Span(c.start(), c.end()) for c in _captures(draft, lexicon)]
    strong = any(kind in STRONG for _, kind in redact)
    if not evidence or (not strong and _consented_story(draft, lexicon)):
        return None
    return Hit("confidentiality", tuple(sorted(set(evidence), key=lambda s: (s.start, s.end))), tuple(redact))
