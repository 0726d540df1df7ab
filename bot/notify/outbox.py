"""Writing to the outbox. Called inside the transaction that changes a ticket, so a message is
queued exactly when the change commits, and never for a change that rolled back."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.notify.models import Notification


def enqueue(session: AsyncSession, *, recipient: str, kind: str, ticket_id: int | None, cause: str,
            now: datetime, params: dict | None = None) -> Notification:
    """Queue one message. `cause` (an event id, say) makes the idempotency key: the same cause
    never notifies the same person twice with the same kind of message."""
    person = hashlib.sha256(recipient.encode("utf-8")).hexdigest()[:16]
    notification = Notification(key=f"{cause}:{kind}:{person}", recipient_email=recipient, kind=kind,
                                ticket_id=ticket_id, params=params or {}, created_at=now, next_attempt_at=now)
    session.add(notification)
    return notification
