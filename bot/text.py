"""What every entry point does to text a person sent before the core reads it.

Platforms and terminals can hand the bot anything: nothing, a 40,000-character paste, bytes that
are not text. Cleaning happens once, here, so each domain sees printable text and a named problem
instead of an exception.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import pycld2

Problem = Literal["empty", "unreadable", "too_long"]

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


@dataclass(frozen=True)
class Incoming:
    """Text as received, cleaned; `problem` names why it cannot be used as it stands."""

    text: str
    problem: Problem | None = None
    length: int = 0


def clean(raw: str | bytes, max_chars: int) -> Incoming:
    """Decode, normalise (NFC) and strip control characters; flag empty, junk and over-long input."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    junk = len(CONTROL.findall(raw))
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", raw)).strip()
    text = re.sub(r"[ \t]+", " ", text)
    if not text:
        return Incoming("", "unreadable" if junk else "empty")
    if junk > len(text) / 4 or not any(ch.isalnum() for ch in text):
        return Incoming("", "unreadable", len(raw))
    if len(text) > max_chars:
        return Incoming(text, "too_long", len(text))
    return Incoming(text, None, len(text))


def script_is_latin(text: str) -> bool:
    """True when most letters are Latin script."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return not letters or latin >= len(letters) / 2


def is_other_language(text: str) -> bool:
    """True when the text is reliably in a language other than English (CLD2, microseconds a call);
    the policy content is English only, so such text gets a clear message rather than a guess.
    Short or mixed text that CLD2 cannot place counts as English."""
    if not script_is_latin(text):
        return True
    try:
        reliable, _, details = pycld2.detect(text)
    except pycld2.error:
        return False
    return bool(reliable) and details[0][1] not in ("en", "un")
