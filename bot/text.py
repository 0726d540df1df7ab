"""What every entry point does to text a person sent before the core reads it.

Platforms and terminals can hand the bot anything: nothing, a 40,000-character paste, bytes that
are not text. Cleaning happens once, here, so each domain sees printable text and a named problem
instead of an exception.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import pycld2

Problem = Literal["empty", "unreadable", "too_long"]

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
SURROGATE = re.compile(r"[\ud800-\udfff]")


def encodable(text: str) -> str:
    """`text` with each half of a surrogate pair (half an emoji, as a client may send when it cuts
    a message) replaced by U+FFFD, and a whole pair joined into its character. Such text cannot be
    encoded as UTF-8, so storing, encrypting or posting it would fail: the core's entry points
    (`Message`, a report's fields) call this once."""
    if not SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def encodable_json(value: object) -> object:
    """`encodable` applied to every string of a parsed JSON value (a platform's activity or card
    inputs), for adapters that echo what was sent back in their replies."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {encodable_json(key): encodable_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [encodable_json(item) for item in value]
    return value


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


#: How many of the most frequent English words count as "common English" for the language check.
COMMON_WORDS = 15_000
LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def english_words() -> tuple[frozenset[str], frozenset[str]]:
    """(every word, the most common words) of SymSpell's English frequency list, most frequent
    first in the file; loaded once, when first needed."""
    data = (resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_bytes().split()[::2]
    words = [w.decode() for w in data]
    return frozenset(words), frozenset(words[:COMMON_WORDS])


def common_english_share(text: str) -> float:
    words = LETTER_WORD.findall(text.lower())
    return sum(w in english_words()[1] for w in words) / len(words) if words else 1.0


def is_other_language(text: str) -> bool:
    """True when the text is in a language other than English: the policy content is English
    only, so such text gets a clear message rather than a guess. CLD2 names the language in
    microseconds but takes short English for Scots now and then, so its verdict counts only when
    most words are not common English either."""
    if not script_is_latin(text):
        return True
    try:
        reliable, _, details = pycld2.detect(text)
    except pycld2.error:
        return False
    return bool(reliable) and details[0][1] not in ("en", "un") and common_english_share(text) < 0.6


def word_end(head: str) -> str:
    """`head` without a word cut in half at its end, unless that would lose most of it."""
    space = max(head.rfind(" "), head.rfind("\n"))
    return (head[:space] if space > len(head) // 2 else head).rstrip()


def split_text(text: str, limit: int, *, safe_cut: Callable[[str], str] = lambda head: head) -> list[str]:
    """Text in pieces of at most `limit` characters, cut at the widest boundary that fits:
    paragraphs, then lines, then words; only a word longer than `limit` is cut inside, where
    `safe_cut` may shorten the cut (so as not to split an escape such as "&amp;"). Platforms use
    it to fit their message limits."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    for separator in ("\n\n", "\n", " "):
        parts = text.split(separator)
        if len(parts) > 1:
            pieces: list[str] = []
            current = ""
            for part in parts:
                if current and len(current) + len(separator) + len(part) <= limit:
                    current += separator + part
                else:
                    pieces.append(current)
                    current = part
            pieces.append(current)
            return [chunk for piece in pieces for chunk in split_text(piece, limit, safe_cut=safe_cut)]
    cut = len(safe_cut(text[:limit])) or limit
    return [text[:cut], *split_text(text[cut:], limit, safe_cut=safe_cut)]
