"""Alembic migrations of the ticket store; applied by `snp-bot db upgrade` (bot.db.Database)."""
