"""Writing to the outbox, and what People Services and the monitoring see of it.

`enqueue` is called inside the transaction that changes a ticket, so a message is queued exactly
when the change commits, and never for a change that rolled back. `figures` and `dead_letters`
read the outbox for `/metrics`, `/readyz` and `snp-bot tickets list`: counts, kinds, recipients and
error classes, never a message's words (the rows hold none).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.metrics import OUTBOX_DEAD, OUTBOX_OLDEST_PENDING, OUTBOX_PENDING
from bot.notify.models import Notification, Status

#: Rows that were given up: dead letters, and the "failed" rows of releases before there was a limit.
GIVEN_UP = (Status.DEAD, Status.FAILED)


def enqueue(session: AsyncSession, *, recipient: str, kind: str, ticket_id: int | None, cause: str,
            now: datetime, params: dict | None = None) -> Notification:
    """Queue one message. `cause` (an event id, say) makes the idempotency key: the same cause
    never notifies the same person twice with the same kind of message."""
    person = hashlib.sha256(recipient.encode("utf-8")).hexdigest()[:16]
    notification = Notification(key=f"{cause}:{kind}:{person}", recipient_email=recipient, kind=kind,
                                ticket_id=ticket_id, params=params or {}, created_at=now, next_attempt_at=now)
    session.add(notification)
    return notification


@dataclass(frozen=True)
class Figures:
    pending: int
    dead: int
    #: Seconds since the oldest pending notification was queued (0 when none waits).
    oldest_pending_seconds: float

    def to_json(self) -> dict:
        return {"pending": self.pending, "dead": self.dead}


async def figures(session: AsyncSession, now: datetime) -> Figures:
    """How many notifications wait, how many were given up, and how long the oldest has waited."""
    rows = (await session.execute(select(Notification.status, func.count(), func.min(Notification.created_at))
                                  .group_by(Notification.status))).all()
    counts = {status: (number, oldest) for status, number, oldest in rows}
    pending, oldest = counts.get(Status.PENDING, (0, None))
    if isinstance(oldest, str):  # SQLite hands an aggregate of a datetime back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Figures(pending, sum(counts.get(status, (0, None))[0] for status in GIVEN_UP), age)


def publish(numbers: Figures) -> None:
    """Set the outbox gauges of `/metrics` from figures read from the database."""
    OUTBOX_PENDING.set(numbers.pending)
    OUTBOX_DEAD.set(numbers.dead)
    OUTBOX_OLDEST_PENDING.set(numbers.oldest_pending_seconds)


@dataclass(frozen=True)
class DeadLetter:
    """A notification given up, as People Services see it: whom it was for and what went wrong,
    not what it said."""

    ticket_id: int | None
    recipient: str
    kind: str
    attempts: int
    last_error: str
    created_at: datetime

    def age_hours(self, now: datetime) -> float:
        return round((now - self.created_at).total_seconds() / 3600, 1)


async def dead_letters(session: AsyncSession, limit: int = 500) -> list[DeadLetter]:
    """The given-up notifications, oldest first."""
    rows = await session.scalars(select(Notification).where(Notification.status.in_(GIVEN_UP))
                                 .order_by(Notification.id).limit(limit))
    return [DeadLetter(row.ticket_id, row.recipient_email, row.kind, row.attempts, row.last_error or "",
                       row.created_at) for row in rows]
