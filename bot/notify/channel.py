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
    #: Where an earlier message landed (the platform_ref its `send` returned): this delivery
    #: rewrites that message in place instead of posting a new one (a withdrawal).
    replaces: dict | None = None
    #: The only channel that may carry this delivery (the one holding the message it replaces).
    via: str | None = None


class NotReachable(Exception):
    """The channel found on sending that its platform does not know the person (no Slack user with
    that email, say): the worker tries the next channel at once, and counts no failed attempt."""


class RetryLater(Exception):
    """A channel's platform asked us to wait (Slack's 429 with Retry-After): the worker waits at
    least `seconds` before the next attempt."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {seconds:g} s")
        self.seconds = seconds


class PlatformRefused(ConnectionError):
    """The platform answered and refused (an error status, `ok: false`): nothing was shown, so the
    next attempt may send again without asking whether this one got through. Any other failure
    (a timeout, a dropped connection) leaves the outcome unknown."""


#: Failures after which the worker knows nothing reached the person.
NOT_DELIVERED = (NotReachable, RetryLater, PlatformRefused)


class Channel(Protocol):
    """A platform the worker delivers through.

    Optional methods a channel may also offer:
    - `knows(recipient) -> bool`: True when it has a definite address for the person (not a guess
      from their email), which puts it ahead of channels that would have to look them up;
    - `async already_delivered(delivery) -> dict | None`: asked before sending again when the
      previous attempt's outcome is unknown (a crash or timeout mid-send); returns the
      platform_ref of the message if it did land, and the worker marks the row sent without
      sending it twice.
    """

    name: str

    def reaches(self, recipient: Recipient) -> bool:
        """Whether this channel may reach the person."""

    async def send(self, delivery: Delivery) -> dict | None:
        """Deliver (or, with `delivery.replaces`, rewrite that message in place), or raise: any
        exception is a failed attempt, retried later with backoff. Returns where the message landed
        (a JSON-able dict the channel alone reads, e.g. a Slack channel and ts), or None when it
        cannot be updated later."""
