"""Alembic environment. `bot.db.Database` runs migrations on its own connection and passes it in
`config.attributes["connection"]`; run from the `alembic` command, the URL comes from settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db import Base, import_models

import_models()
config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from bot.config import get_settings
    from bot.db import Database

    db = Database(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(run_on)
    await db.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `snp-bot db upgrade`")
connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_from_settings())
