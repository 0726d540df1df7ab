"""Slack's request signature, checked before bolt sees a request, and a memory of the signatures
already accepted.

bolt verifies every request too (its verification is never switched off), but a missing or
non-numeric timestamp made it fail with a 500, and a signature stays valid for five minutes: a
signed request copied on the way (a proxy's log, a debugging session) could be sent again and
acted on again, once per copy. Here a request without a proper timestamp and signature is a 401,
and one whose signature was already accepted is a 409 and does nothing.

The memory is per process, bounded, and pruned by age. Behind several server processes a copy
sent to another process is not caught here; events are still de-duplicated by their id in the
database. Slack's own retries of an event are signed afresh (a new timestamp) and pass.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from slack_sdk.signature import SignatureVerifier

from bot.conversation.events import RecentlySeen

#: Seconds either side of now a timestamp may be (Slack's rule, as slack_sdk applies it).
SIGNATURE_SECONDS = 300
#: Signatures remembered at most: ten minutes of Slack at 30 requests a second (about 4 MB when full).
CAPACITY = 20_000
TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Refusal:
    status: int
    error: str


class SignedRequests:
    """Decides whether a request is Slack's, fresh, and new; remembers the ones it lets through."""

    def __init__(self, signing_secret: str, *, capacity: int = CAPACITY,
                 clock: Callable[[], float] = time.time) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._clock = clock
        # A timestamp up to five minutes ahead is accepted, so a signature may be valid for ten.
        self._seen = RecentlySeen(2 * SIGNATURE_SECONDS, capacity)

    def refusal(self, body: str, headers: Mapping[str, str]) -> Refusal | None:
        """Why the request is refused, or None when it is to be handled (and is now remembered)."""
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not TIMESTAMP.fullmatch(timestamp):
            return Refusal(401, "missing or malformed X-Slack-Request-Timestamp")
        if not signature:
            return Refusal(401, "missing X-Slack-Signature")
        if not self._verifier.is_valid(body, timestamp, signature):
            return Refusal(401, "invalid signature, or a timestamp more than five minutes from now")
        if not self._seen.first_time(bytes.fromhex(signature.removeprefix("v0=")), self._clock()):
            return Refusal(409, "this signed request was already received")
        return None
