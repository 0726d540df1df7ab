"""The notification tests use the ticket tests' set-up: the store on SQLite and PostgreSQL, the
staff directory, the ticket service and an inbox (see tests/bot/ticket/conftest.py)."""

from tests.bot.ticket.conftest import directory, inbox, key, service, ticket  # noqa: F401
