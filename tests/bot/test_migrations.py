"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL: a
column added to a model without its migration would fail on every existing database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.db import Base, Database, import_models


async def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    import_models()

    def differences(sync) -> list:  # noqa: ANN001 - a synchronous connection
        context = MigrationContext.configure(sync, opts={"compare_type": False})
        return [d for d in compare_metadata(context, Base.metadata) if d[0] != "remove_table"
                or d[1].name != "alembic_version"]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
