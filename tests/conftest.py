"""Shared fixtures: the shipped policy, and the answerer, reviewer and conversation over it, built
once per test session."""

from __future__ import annotations

import pytest

from bot.answer import Answerer
from bot.conversation import Conversation
from bot.policy import Policy, load_policy
from bot.review.service import Reviewer
from bot.review.lexicon import load_lexicon


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def answerer(policy: Policy) -> Answerer:
    return Answerer(policy)


@pytest.fixture(scope="session")
def reviewer(policy: Policy) -> Reviewer:
    return Reviewer(policy, load_lexicon())


@pytest.fixture(scope="session")
def conversation(answerer: Answerer, reviewer: Reviewer) -> Conversation:
    return Conversation(answerer, reviewer)


# --- The ticket store, on SQLite and on PostgreSQL ---------------------------------------------

import asyncio  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import AsyncIterator, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.db import Base, Database, import_models  # noqa: E402

#: The server CI and this machine provide; another can be named with SNP_TEST_POSTGRES_URL.
POSTGRES_URL = os.environ.get("SNP_TEST_POSTGRES_URL", "postgresql+asyncpg://127.0.0.1:5432/test")


async def _admin(sql: str) -> None:
    import asyncpg

    url = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own on the PostgreSQL server, migrated to head, dropped at the end."""
    name = f"snp_bot_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f"CREATE DATABASE {name}"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means "skip"
        pytest.skip(f"PostgreSQL tests skipped: no PostgreSQL answers at {POSTGRES_URL} ({type(exc).__name__}: {exc})")
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _migrate(url: str) -> None:
    db = Database(url)
    await db.upgrade()
    await db.dispose()


async def _empty(db: Database) -> None:
    import_models()
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every storage test runs once on each database: a fresh SQLite file, or the test server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'snp-bot.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated, empty ticket store."""
    database = Database(db_url)
    if database.dialect == "sqlite":
        await database.upgrade()
    else:
        await _empty(database)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
