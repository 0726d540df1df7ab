"""Finds things in a draft post that could identify a patient or a colleague, with exact spans.

The reviewer quotes each span as evidence and blanks it out in a safer rewrite, so every rule here
aims to catch the real thing without flagging ordinary prose. Why each rule is as it is:

- NHS number: ten digits, written unbroken (9434765919) or in the official 3-3-4 groups separated
  by spaces, hyphens or dots. After a label such as "NHS no:" any grouping is accepted, because the
  label removes the doubt. The last digit is a modulus-11 check digit, so about ten in eleven random
  ten-digit numbers are rejected. Digits that belong to a longer run are not matched, and a run of
  one repeated digit (0000000000, a placeholder) is ignored even though it passes the check. Ten
  digits starting with 0 that make a real UK phone number are reported as a phone: both readings
  are identifying, and the phone one is the likelier.
- Date of birth: a date on its own is usually a meeting or a shift, so a date counts only when a
  birth cue ("DOB", "D.O.B.", "date of birth", "born", lower-case "b.") ends at most 25 characters
  before it, with no other date in between. The span is the date alone. Ages ("aged 81") are not
  identifiers here.
- Phone: UK numbers, national (07911 123456, (01204) 462000) or international (+44 7911 123456,
  0044 ...); other countries' numbers are out of scope. Candidates are found with a bounded regex
  and confirmed with `phonenumbers.is_valid_number`. The library's own text matcher is not used:
  it takes 250-400 ms on digit-heavy 40,000-character messages. Ofcom's drama ranges (07700
  900xxx, 01632 960xxx), which `phonenumbers` calls invalid, are still reported: a number that
  reads as a phone is redacted.
- Email: an ordinary address, found from its "@" and the name just before it.
- Postcode: a full UK postcode (outward and inward code, any case, space optional). An outward code
  alone ("BL1") covers thousands of homes, so it is not reported.
- Location: bed, bay, ward, cubicle, side room or resus followed by a number (12, 6B), a
  letter-number (B4) or a number word up to twenty: with a date or a condition this pins down one
  patient. "bedroom", "bay window" and "ward off" have no number and are left alone.

Every pattern is compiled once, uses only bounded repetition and cannot backtrack catastrophically;
a 40,000-character message is scanned in about ten milliseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from typing import Literal

import phonenumbers

IdentifierKind = Literal["nhs_number", "date_of_birth", "phone", "email", "postcode", "location"]

Span = tuple[int, int, IdentifierKind]  # start, end, kind: cheaper than an Identifier until kept

# When two identifiers of the same length cover the same text, the earlier kind here wins.
PRIORITY: dict[str, int] = {
    "phone": 0,
    "nhs_number": 1,
    "email": 2,
    "date_of_birth": 3,
    "postcode": 4,
    "location": 5,
}

NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)  # for the first nine digits of an NHS number
DOB_CUE_REACH = 25  # characters allowed between the end of a birth cue and the date
DATE_MAX_LEN = 40  # longer than any date the DATE pattern can match
SPACE = r"[ \u00a0]"

# Speed note: `re` scans fast to a pattern's first character when that character is fixed, so
# patterns begin with the character they need and check what precedes it afterwards with a
# two-character look-behind such as (?<!\w.), "no letter or digit before the one just read".

# Not inside a longer number: no word character, and no "1." / "1-" / "1/" just before or after.
NUM_START = r"\d(?<!\w.)(?<!\d[.,/\-].)"
NUM_END = r"(?!\w)(?![.,/\-]\d)"

NHS_PLAIN = re.compile(
    NUM_START + rf"(?:\d{{2}}(?P<sep>[\-.]|{SPACE}{{1,2}})\d{{3}}(?P=sep)\d{{4}}|\d{{9}})" + NUM_END
)
NHS_LABELLED = re.compile(
    rf"[Nn](?<!\w.)(?i:hs(?:{SPACE}{{0,2}}(?:number|num|nr|no)\b\.?)?{SPACE}{{0,2}}[:#\-]?{SPACE}{{0,2}})"
    rf"(?P<number>\d(?:[\-.]|{SPACE}{{1,2}})?(?:\d(?:[\-.]|{SPACE}{{1,2}})?){{8}}\d)" + NUM_END
)

PHONE_SEP = rf"\)?(?:[\-.]|{SPACE})?"
PHONE_REST = rf"[1-9](?:{PHONE_SEP}\d){{8,9}}(?!\d)"  # the national number after the trunk 0
PHONE = re.compile(
    r"[(0+](?<![\w+].)(?:"
    rf"(?<=\()0{PHONE_REST}"  # (01204) 462000
    rf"|(?<=0){PHONE_REST}"  # 01204 462000
    rf"|(?:(?<=\+){SPACE}?|(?<=0)0{SPACE}?)44{SPACE}?(?:\(0\){SPACE}?)?\(?{PHONE_REST}"  # +44 / 0044
    r")"
)
# Ofcom reserves these for fiction; `phonenumbers` treats them as invalid, a reader would not.
DRAMA_PREFIXES = ("7700900", "1632960")
NON_DIGIT = re.compile(r"\D")

# Keep phonenumbers' compiled metadata patterns instead of recompiling them on every check (about
# three times faster). A process-wide, bounded cache; older versions lack the switch.
getattr(phonenumbers, "enable_pattern_cache", lambda: None)()
NUMBER_TYPES = (
    "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
    "personal_number", "voip", "pager", "uan", "voicemail",
)


def _any_uk_number_type() -> re.Pattern[str]:
    """One pattern joining every number type of every region dialled with +44 (UK, Guernsey, Isle
    of Man, Jersey). A valid number always matches it, so a miss rejects a candidate in about a
    microsecond; a hit is confirmed with phonenumbers.is_valid_number (about 25 microseconds)."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[44]:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for number_type in NUMBER_TYPES:
            desc = getattr(metadata, number_type)
            if desc is not None and desc.national_number_pattern:
                patterns.append(f"(?:{desc.national_number_pattern})")
    return re.compile("|".join(patterns))


UK_NUMBER_TYPE = _any_uk_number_type()

# An email is found from its "@" (rare, so fast to scan for), then the name just before it.
EMAIL_DOMAIN = re.compile(r"@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w\-])")
EMAIL_LOCAL = re.compile(r"(?<![\w.%+\-])[\w%+\-][\w.%+\-']{0,63}\Z")  # o'neil@, not a quote

POSTCODE = re.compile(
    r"(?i)[A-PR-UWYZ](?<![A-Za-z0-9].)(?:(?<=G)IR ?0AA"
    r"|(?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?) ?[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])"
)

NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    "|sixteen|seventeen|eighteen|nineteen|twenty"
)
LOCATION = re.compile(
    r"[BbWwCcSsRr](?<![A-Za-z].)"
    r"(?i:(?<=b)(?:ed|ay)|(?<=w)ard|(?<=c)ubicle|(?<=s)ide[ \-]?room|(?<=r)esus)"
    rf"(?i:{SPACE}{{0,2}}(?:no\.?|number|\#))?"
    rf"(?i:{SPACE}{{0,2}}\d{{1,3}}[a-z]?|{SPACE}{{1,2}}(?:[a-z]\d{{1,2}}[a-z]?|{NUMBER_WORDS}))(?!\w)"
)

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
ORDINAL = r"(?:st|nd|rd|th)?"
YEAR = r"(?:\d{4}|['\u2019]?\d{2})"
DATE = re.compile(
    r"(?i)(?<!\w)(?<!\d[.,/\-])(?:"
    r"(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?:\d{4}|\d{2})"  # 12/03/1958, 1.3.58
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 1958-03-12
    rf"|\d{{1,2}}{ORDINAL}(?:{SPACE}of)?[\-\u00a0 ]{{1,2}}{MONTH},?[\-\u00a0 ]{{1,2}}{YEAR}"  # 12th Mar 58
    rf"|{MONTH}{SPACE}{{1,2}}\d{{1,2}}{ORDINAL},?{SPACE}{{1,2}}{YEAR}"  # March 12, 1958
    r")" + NUM_END
)
DOB_CUE = re.compile(
    r"[BbDd](?<!\w.)(?:"
    rf"(?<=[Dd])(?i:\.?{SPACE}?o\.?{SPACE}?b\b\.?|ate[ \-]of[ \-]birth\b)"  # DOB, d.o.b., date of birth
    rf"|(?<=[Bb])(?i:orn|irth{SPACE}?date)\b"  # born, birth date
    r"|(?<=b)\."  # "b. 12/03/1958"; lower case only, so initials ("J. B.") are not cues
    r")"
)


@dataclass(frozen=True)
class Identifier:
    """One identifier: its kind and where it is, so that text[start:end] == value."""

    kind: IdentifierKind
    start: int
    end: int
    value: str


def is_valid_nhs_number(digits: str) -> bool:
    """10 digits passing the NHS number modulus-11 check digit."""
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    check = 11 - sum(map(mul, map(int, digits[:9]), NHS_WEIGHTS)) % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_identifiers(text: str) -> list[Identifier]:
    """All identifiers in the text, sorted by start, non-overlapping (longest wins)."""
    spans: list[Span] = []
    for finder in (_nhs_numbers, _phones, _emails, _dates_of_birth, _postcodes, _locations):
        spans.extend(finder(text))
    return [Identifier(kind, start, end, text[start:end]) for start, end, kind in _longest_first(spans)]


def _longest_first(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans in text order. Only spans in a run of mutually overlapping ones
    (a cluster) compete, so the usual case, no overlap at all, costs one sort."""
    kept: list[Span] = []
    cluster: list[Span] = []
    cluster_end = -1
    for span in sorted(set(spans)):
        if cluster and span[0] >= cluster_end:
            kept.extend(_resolve(cluster))
            cluster = []
        cluster_end = max(cluster_end, span[1]) if cluster else span[1]
        cluster.append(span)
    kept.extend(_resolve(cluster))
    return kept


def _resolve(cluster: list[Span]) -> list[Span]:
    """Longest first (ties: PRIORITY, then leftmost); drop any span overlapping one already kept."""
    if len(cluster) < 2:
        return cluster
    ranked = sorted(cluster, key=lambda span: (span[0] - span[1], PRIORITY[span[2]], span[0]))
    starts: list[int] = []
    kept: list[Span] = []
    for span in ranked:
        at = bisect_left(starts, span[0])
        if (at > 0 and kept[at - 1][1] > span[0]) or (at < len(kept) and kept[at][0] < span[1]):
            continue
        starts.insert(at, span[0])
        kept.insert(at, span)
    return kept


def _nhs_numbers(text: str) -> Iterator[Span]:
    for match in NHS_PLAIN.finditer(text):
        yield from _nhs_or_phone(text, match.start(), match.end())
    for match in NHS_LABELLED.finditer(text):
        yield from _nhs_or_phone(text, match.start("number"), match.end("number"))


def _nhs_or_phone(text: str, start: int, end: int) -> Iterator[Span]:
    digits = NON_DIGIT.sub("", text[start:end])
    if not is_valid_nhs_number(digits) or len(set(digits)) == 1:
        return
    if digits[0] == "0" and _is_uk_phone(digits[1:]):
        yield (start, end, "phone")
    else:
        yield (start, end, "nhs_number")


def _phones(text: str) -> Iterator[Span]:
    for match in PHONE.finditer(text):
        if _is_uk_phone(_national_number(match.group())):
            yield (match.start(), match.end(), "phone")


def _national_number(candidate: str) -> str:
    """The national significant number: digits without +44 / 0044, (0) or the trunk 0."""
    digits = NON_DIGIT.sub("", candidate)
    if candidate.startswith(("+", "00")):
        digits = digits[4:] if digits.startswith("00") else digits[2:]
    return digits[1:] if digits.startswith("0") else digits


@lru_cache(maxsize=4096)
def _is_uk_phone(national: str) -> bool:
    """Whether these digits (no trunk 0) are a valid or drama-range UK number. Cached: a pasted list
    may repeat a number many times."""
    if not (9 <= len(national) <= 10) or national[0] == "0":
        return False
    if len(national) == 10 and national.startswith(DRAMA_PREFIXES):
        return True
    if not UK_NUMBER_TYPE.fullmatch(national):
        return False
    number = phonenumbers.PhoneNumber(country_code=44, national_number=int(national))
    return phonenumbers.is_valid_number(number)


def _emails(text: str) -> Iterator[Span]:
    for domain in EMAIL_DOMAIN.finditer(text):
        at = domain.start()
        local = EMAIL_LOCAL.search(text, max(0, at - 64), at)
        if local:
            yield (local.start(), domain.end(), "email")


def _postcodes(text: str) -> Iterator[Span]:
    yield from ((m.start(), m.end(), "postcode") for m in POSTCODE.finditer(text))


def _locations(text: str) -> Iterator[Span]:
    yield from ((m.start(), m.end(), "location") for m in LOCATION.finditer(text))


def _dates_of_birth(text: str) -> Iterator[Span]:
    """Dates that start within DOB_CUE_REACH characters after a birth cue, with no date between.
    Only the stretches just after cues are scanned for dates."""
    cue_ends = [match.end() for match in DOB_CUE.finditer(text)]
    previous_end = 0
    for low, high in _after_cues(cue_ends):
        for match in DATE.finditer(text, low, min(len(text), high + DATE_MAX_LEN)):
            if match.start() > high:
                break
            if _is_date(match) and _cued(cue_ends, match.start(), previous_end):
                yield (match.start(), match.end(), "date_of_birth")
            previous_end = match.end()


def _after_cues(cue_ends: list[int]) -> list[tuple[int, int]]:
    """Merged stretches [cue end, cue end + DOB_CUE_REACH] in which a cued date may start."""
    stretches: list[tuple[int, int]] = []
    for end in cue_ends:
        if stretches and end <= stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], end + DOB_CUE_REACH)
        else:
            stretches.append((end, end + DOB_CUE_REACH))
    return stretches


def _cued(cue_ends: list[int], date_start: int, previous_date_end: int) -> bool:
    """A cue ends within DOB_CUE_REACH characters before the date, after any earlier date."""
    at = bisect_right(cue_ends, date_start) - 1
    return at >= 0 and cue_ends[at] >= max(date_start - DOB_CUE_REACH, previous_date_end)


def _is_date(match: re.Match[str]) -> bool:
    """Numeric dates need a real day and month, read day-first (UK) or month-first (US)."""
    if match.group("d") is None:
        return True
    day, month = int(match.group("d")), int(match.group("m"))
    return (1 <= day <= 31 and 1 <= month <= 12) or (1 <= month <= 31 and 1 <= day <= 12)
