"""What the delivery worker hands a platform: a `Delivery`, and the `Channel` protocol.

A notification is addressed to a person; each platform adapter implements `Channel` and says
whether it can reach that person (a Slack id, a stored Teams conversation, the console user).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    slack_user_id: str | None = None
    teams_user_id: str | None = None
    #: (platform, address) pairs the adapters stored for this person, the platform they used last
    #: first: the worker tries that platform's channel first.
    addresses: tuple[tuple[str, dict], ...] = ()

    def address(self, platform: str) -> dict | None:
        return next((address for name, address in self.addresses if name == platform), None)


@dataclass(frozen=True)
class Button:
    """A workflow step offered to a handler: `action` names the step, `ticket` is the ticket's
    unguessable id. The core, not the platform, decides whether the clicker may take it."""

    action: str
    label: str
    ticket: str


@dataclass(frozen=True)
class Delivery:
    #: The idempotency key: a channel that sees the same key twice must not show the message twice.
    key: str
    recipient: Recipient
    kind: str
    reference: str
    text: str
    buttons: tuple[Button, ...] = ()
    #: True when the text holds report text or notes: a channel must show it only to the recipient.
    confidential: bool = False


class NotReachable(Exception):
    """The channel found on sending that its platform does not know the person (no Slack user with
    that email, say): the worker tries the next channel at once, and counts no failed attempt."""


class RetryLater(Exception):
    """A channel's platform asked us to wait (Slack's 429 with Retry-After): the worker waits at
    least `seconds` before the next attempt."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {seconds:g} s")
        self.seconds = seconds


class Channel(Protocol):
    name: str

    def reaches(self, recipient: Recipient) -> bool:
        """Whether this channel may reach the person. A channel may also offer
        `knows(recipient) -> bool`: True when it has a definite address for them (not a guess from
        their email), which puts it ahead of channels that would have to look them up."""

    async def send(self, delivery: Delivery) -> None:
        """Deliver, or raise: any exception is a failed attempt, retried later with backoff."""
