"""The outbox: one row per message a ticket change causes, addressed to a person.

A row holds no confidential words: the message is rendered from the (sealed) ticket when it is
delivered, for the one person it is addressed to.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    #: Not delivered on purpose: the recipient may no longer read it (reassigned away, say).
    CANCELLED = "cancelled"
    #: Still undelivered after the outbox's give-up age: kept, counted and shown, never dropped.
    DEAD = "dead"
    #: Before this release, rows that gave up; read as dead letters.
    FAILED = "failed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The idempotency key: the same key is never delivered twice, by any worker, on any retry.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    recipient_email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    #: Non-confidential template values (the new state, the reference).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    #: While a worker is sending, it holds the row until this time; after a crash another may take it.
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(20))
    sent_at: Mapped[datetime | None]
    #: When the attempt in hand started sending, under the lease. Left set by a worker that died
    #: or timed out mid-send: the next attempt first asks the channel whether it got through.
    sending_at: Mapped[datetime | None]
    #: Where the message landed on its platform (a Slack channel and ts, a Teams conversation
    #: reference and activity id), so that it can be updated in place when the case moves.
    platform_ref: Mapped[dict | None] = mapped_column(JSON)
    #: The class of the last failure, never its message (which could quote the text sent).
    last_error: Mapped[str | None] = mapped_column(String(120))
