"""Migrations and the database layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from bot.db import Database
from bot.directory.models import Person

TABLES = {"people", "tickets", "ticket_events", "ticket_notes", "ticket_sequences", "notifications", "processed_events"}


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_downgrade_to_base_and_upgrade_again(db):
    head = await db.head()
    assert await db.revision() == head and TABLES <= await _tables(db)
    await db.downgrade("base")
    assert await db.revision() is None
    assert not TABLES & await _tables(db)
    await db.upgrade()
    assert await db.revision() == head and TABLES <= await _tables(db)


async def test_ensure_schema_migrates_an_empty_database_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "new" / "fresh.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    assert await db.revision() is None
    assert await db.ensure_schema() is True
    assert await db.revision() == await db.head()
    await db.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_times_come_back_as_the_same_aware_utc_instant(db):
    local = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    async with db.session() as session, session.begin():
        session.add(Person(email="a@x.nhs.uk", name="A", role="staff", updated_at=local))
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.email == "a@x.nhs.uk"))
    assert person.updated_at == local and person.updated_at.tzinfo == UTC


async def test_a_naive_time_is_refused_rather_than_guessed(db):
    with pytest.raises(Exception, match="naive datetime"):
        async with db.session() as session, session.begin():
            session.add(Person(email="b@x.nhs.uk", name="B", role="staff", updated_at=datetime(2026, 1, 1)))


async def test_ping_is_false_when_nothing_answers():
    db = Database("postgresql+asyncpg://127.0.0.1:1/none")
    assert await db.ping() is False
    await db.dispose()
