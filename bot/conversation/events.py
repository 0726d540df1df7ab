"""Platform event ids already handled, so that a platform's retry of the same event does nothing
twice (Slack resends an event it thinks was not acknowledged in time).

The database is the memory every process shares. Each process also remembers the ids it saw in
the last hour, so that while the database is away (a restart, a refused connection) a person's
message is still answered, once: the de-duplication row is bookkeeping, and must not cost the
answer.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from weakref import WeakKeyDictionary

import structlog
from sqlalchemy import String, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, Database

log = structlog.get_logger(__name__)
#: What a database that is away raises: a refused or dropped connection, a driver error, a timeout.
UNAVAILABLE = (SQLAlchemyError, OSError, TimeoutError)
#: Seconds the de-duplication row may take before the answer goes ahead without it.
BOOKKEEPING_SECONDS = 3.0
#: How long, and how many, event ids a process remembers by itself (platforms retry within minutes).
RECENT_SECONDS, RECENT_CAPACITY = 3600.0, 10_000


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[datetime]


class RecentlySeen:
    """Keys seen in the last `seconds`, at most `capacity` of them (the oldest go first): a memory
    of this process only, bounded whatever arrives."""

    def __init__(self, seconds: float, capacity: int) -> None:
        self.seconds, self.capacity = seconds, capacity
        self._until: OrderedDict[Hashable, float] = OrderedDict()

    def first_time(self, key: Hashable, now: float) -> bool:
        """True, remembering the key, unless it was seen in the last `seconds` before `now`."""
        while self._until and next(iter(self._until.values())) <= now:
            self._until.popitem(last=False)
        if key in self._until:
            return False
        self._until[key] = now + self.seconds
        if len(self._until) > self.capacity:
            self._until.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._until)


_recent: WeakKeyDictionary[Database, RecentlySeen] = WeakKeyDictionary()


def recent_events(db: Database) -> RecentlySeen:
    """This process's memory of event ids for `db` (one per database, as there is one database a process)."""
    if db not in _recent:
        _recent[db] = RecentlySeen(RECENT_SECONDS, RECENT_CAPACITY)
    return _recent[db]


async def first_sighting(db: Database, platform: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen; False for every repeat, across processes while the
    database answers, and within this process while it does not."""
    if not recent_events(db).first_time((platform, event_id), now.timestamp()):
        return False
    try:
        async with asyncio.timeout(BOOKKEEPING_SECONDS), db.session() as session, session.begin():
            session.add(ProcessedEvent(platform=platform, event_id=event_id, seen_at=now))
        return True
    except IntegrityError:
        return False
    except UNAVAILABLE as exc:
        log.warning("event_ids_unavailable", platform=platform, error=type(exc).__name__)
        return True


async def forget_before(db: Database, cutoff: datetime) -> int:
    """Drop ids older than any platform retries (a day is plenty)."""
    async with db.session() as session, session.begin():
        result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.seen_at < cutoff))
        return result.rowcount or 0
