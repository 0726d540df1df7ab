"""Who a report may be about, read tolerantly from its free-text "who".

A report must never reach the person it accuses, and a line manager who is accused must not
handle it, nor may anyone above them, who could lean on them. People rarely write a full name
the way the directory holds it: "Mark", "M. Manager", "Manager, Mark", "Mark Manager's", "my
mgr", a nickname, a typo, or a look-alike letter from another alphabet. So each person in the
reporter's management chain is compared with every way of writing their name, and any sign of
them is enough to route the report away from the chain: a wrong guess that way costs a People
Services member some reading; a wrong guess the other way may cost the reporter.

The matching is this product's own rule, written here; the letters, nicknames and typo distances
come from libraries (confusable-homoglyphs, anyascii, nicknames, rapidfuzz).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from confusable_homoglyphs import confusables
from nicknames import NickNamer
from rapidfuzz.distance import OSA

from bot.directory.models import Person

#: Apostrophes and the possessive ending, in any of the marks people type.
POSSESSIVE = re.compile(r"(?<=\w)['’‘`´]s\b|(?<=s)['’‘`´](?=\s|$)")
#: How many letters a name must have before a typo in it is still taken as the name.
TYPO_MIN_LENGTH = 4


@dataclass(frozen=True)
class Named:
    """A person in the chain the "who" may name; `certain` when it gives their email or whole name."""

    person: Person
    certain: bool


def letters(text: str) -> str:
    """Text as plain lower-case Latin letters: look-alike letters of other alphabets become the
    Latin letter they imitate (Cyrillic "а" is "a"), accents go ("Zoë" is "zoe"), possessives go,
    and invisible characters (a zero-width space inside a name) are dropped."""
    text = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    for found in confusables.is_confusable(text, greedy=True, preferred_aliases=["latin", "common"]) or ():
        latin = next((g["c"] for g in found["homoglyphs"] if g["c"].isascii()), None)
        if latin:
            text = text.replace(found["character"], latin)
    text = POSSESSIVE.sub("", text)
    return anyascii(text).lower()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", letters(text))


@lru_cache(maxsize=1)
def _nicknames() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=4096)
def first_name_forms(first: str) -> frozenset[str]:
    """A first name and the names it goes by: "Michael" is also "Mike" and "Mick"; "Bob" is also
    "Robert", and so also "Rob"."""
    namer = _nicknames()
    formal = {first} | set(namer.canonicals_of(first))
    forms = set(formal)
    for name in formal:
        forms |= set(namer.nicknames_of(name))
    return frozenset(form.lower() for form in forms)


def _close(word: str, name: str) -> bool:
    """The same word, or the name with one slip of the keyboard in it (two for long names); two
    letters swapped count as one slip."""
    if word == name:
        return True
    if len(name) < TYPO_MIN_LENGTH or len(word) < TYPO_MIN_LENGTH:
        return False
    return OSA.distance(word, name) <= (1 if len(name) < 8 else 2)


def names(who: str, person: Person) -> Named | None:
    """Whether `who` may name `person`, and whether it does so for certain."""
    text = letters(who)
    if person.email.lower() in text:
        return Named(person, True)
    given = words(who)
    parts = words(person.name)
    if not given or not parts:
        return None
    first, last = parts[0], parts[-1]
    joined = " ".join(given)
    if f"{first} {last}" in f" {joined} " or f" {last} {first} " in f" {joined} ":
        return Named(person, True)
    local = person.email.split("@")[0].lower()
    local_words = re.findall(r"[a-z0-9]+", local)
    if any(word in (local, "".join(local_words)) for word in given if len(word) >= TYPO_MIN_LENGTH):
        return Named(person, True)
    firsts = first_name_forms(first)
    for i, word in enumerate(given):
        before = given[i - 1] if i else ""
        after = given[i + 1] if i + 1 < len(given) else ""
        if _close(word, last) or any(_close(word, form) for form in firsts):
            return Named(person, False)
        # Initials: "M Manager", "M. Manager", "Mark M", "Manager M".
        if len(word) == 1 and ((word == first[0] and _close(after, last)) or (word == last[0] and after in firsts)
                               or (word == last[0] and before in firsts) or (word == first[0] and before == last)):
            return Named(person, False)
    return None


def role_named(who: str, role_words: Sequence[re.Pattern[str]]) -> bool:
    """Whether `who` names a role above the reporter ("my manager", "team leader", "mgr")."""
    text = " ".join(words(who))
    return any(pattern.search(text) for pattern in role_words)


def named_in_chain(who: str, chain: Sequence[Person], role_words: Sequence[re.Pattern[str]]) -> list[Named]:
    """Everyone in the chain the "who" may be about. A role word ("my manager") names the line
    manager for certain and may mean anyone above them too: only the reporter knows."""
    if not who.strip() or not chain:
        return []
    found = {person.email: named for person in chain if (named := names(who, person))}
    if role_named(who, role_words):
        found[chain[0].email] = Named(chain[0], True)
        for person in chain[1:]:
            found.setdefault(person.email, Named(person, False))
    return list(found.values())
