"""Shared fixtures: the shipped policy and the services over it (built once per session), and the
ticket store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.clock import ManualClock
from bot.conversation import Conversation
from bot.db import Base, Database, import_models
from bot.policy import Policy, load_policy
from bot.review.lexicon import load_lexicon
from bot.review.service import Reviewer


@pytest.fixture(scope="session", autouse=True)
def private_data_home(tmp_path_factory: pytest.TempPathFactory):
    """No test, nor any command a test runs, touches the real user's data directory (where the
    embedded database and its key live)."""
    saved = {name: os.environ.get(name) for name in ("XDG_DATA_HOME", "SNP_DATABASE_URL", "SNP_ENCRYPTION_KEY")}
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    os.environ.pop("SNP_DATABASE_URL", None)
    os.environ.pop("SNP_ENCRYPTION_KEY", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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
    """Delete every row, children first: a few rows a test leaves go faster than a TRUNCATE."""
    import_models()
    async with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.exec_driver_sql(f"DELETE FROM {table.name}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test gets a copy (migrating every time costs seconds)."""
    path = tmp_path_factory.mktemp("template") / "snp-bot.sqlite3"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every storage test runs once on each database: a fresh migrated SQLite file, or the test server."""
    if request.param == "sqlite":
        path = tmp_path / "snp-bot.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated, empty ticket store."""
    database = Database(db_url)
    if database.dialect != "sqlite":
        await _empty(database)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
