"""The database: one async SQLAlchemy engine, sessions, and alembic migrations.

SQLite (aiosqlite) is the embedded default and PostgreSQL (asyncpg) the production database; the
models are written once for both. Every timestamp is stored in UTC and read back timezone-aware,
because SQLite keeps no time zone and a naive datetime compared with an aware one is a crash.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

#: Named constraints, so that migrations can drop them by name on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
#: PostgreSQL advisory lock key held while migrating, so two servers starting together on an empty
#: database do not both create the tables.
MIGRATION_LOCK = 0x534E5001


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use bot.clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def import_models() -> None:
    """Import every domain's models, so that `Base.metadata` knows all the tables."""
    import bot.conversation.events  # noqa: F401
    import bot.directory.addresses  # noqa: F401
    import bot.directory.models  # noqa: F401
    import bot.notify.models  # noqa: F401
    import bot.ticket.models  # noqa: F401


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or None for another database or an in-memory one."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _private_file(path: Path) -> None:
    """Create the embedded database readable by its owner only (SQLite gives its journal files
    the same mode): it holds who reported whom, even though the words are sealed."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _sqlite_tuning(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE: a writer takes the write lock when
    it starts rather than failing half-way with "database is locked" when another writer is busy."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The engine and a session factory. One per process; `dispose()` on the way out."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        path = sqlite_path(url)
        if path is not None:
            _private_file(path)
        # SQLite has one writer at a time; with one connection the pool queues sessions in the event
        # loop, where a waiting writer would otherwise sleep in SQLite's busy handler (measured:
        # p99 of Teams turns at 16 clients 5.6 s with a pool of five, 1.0 s with one).
        options: dict[str, Any] = ({"pool_size": 1, "max_overflow": 0, "pool_timeout": 60} if url.startswith("sqlite")
                                   else {"pool_size": pool_size, "max_overflow": pool_size})
        self.engine = create_async_engine(url, pool_pre_ping=True, **options)
        if self.dialect == "sqlite":
            _sqlite_tuning(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        return self.sessions()

    async def ping(self) -> bool:
        """True when the database answers a query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False

    async def upgrade(self, revision: str = "head") -> None:
        await self._alembic("upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        await self._alembic("downgrade", revision)

    async def revision(self) -> str | None:
        """The revision the database is at, or None when it has never been migrated."""
        from alembic.runtime.migration import MigrationContext

        async with self.engine.connect() as conn:
            return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())

    async def head(self) -> str:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""

    async def ensure_schema(self) -> bool:
        """Bring an empty or embedded database up to date; True when the schema is at head.

        A production database that is behind is left alone: its operator runs `snp-bot db upgrade`
        at a time of their choosing, and the server reports not ready until then.
        """
        current = await self.revision()
        if current is None or self.dialect == "sqlite":
            await self.upgrade()
            return True
        return current == await self.head()

    async def _alembic(self, verb: str, revision: str) -> None:
        from alembic import command

        def run(sync: Connection) -> None:
            if sync.dialect.name == "postgresql":
                sync.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config = alembic_config()
            config.attributes["connection"] = sync
            getattr(command, verb)(config, revision)

        async with self.engine.begin() as conn:
            await conn.run_sync(run)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config
