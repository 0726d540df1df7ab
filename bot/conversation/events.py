"""Platform event ids already handled, so that a platform's retry of the same event does nothing
twice (Slack resends an event it thinks was not acknowledged in time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, Database


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[datetime]


async def first_sighting(db: Database, platform: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen; False for every repeat, across processes."""
    try:
        async with db.session() as session, session.begin():
            session.add(ProcessedEvent(platform=platform, event_id=event_id, seen_at=now))
        return True
    except IntegrityError:
        return False


async def forget_before(db: Database, cutoff: datetime) -> int:
    """Drop ids older than any platform retries (a day is plenty)."""
    async with db.session() as session, session.begin():
        result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.seen_at < cutoff))
        return result.rowcount or 0
