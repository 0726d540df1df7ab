"""`snp-bot chat` against a fresh SQLite file: a Core per chat (the chat closes its database at the
end), a manual clock shared by the chats of one test, and a small staff directory."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console.chat import run_chat
from bot.clock import ManualClock
from bot.config import Settings
from bot.conversation import Conversation
from bot.core import Core
from bot.db import Database
from bot.directory.models import Person
from bot.notify.models import Notification
from bot.policy import Policy
from bot.ticket.models import Ticket

PEOPLE_SERVICES = "ps@trust.nhs.uk"
REPORTER = "sam@trust.nhs.uk"
MANAGER = "mo@trust.nhs.uk"
COLLEAGUE = "olu@trust.nhs.uk"
#: email, name, line manager, role; the first is whom the chat is run as without --as.
PEOPLE = [
    (REPORTER, "Sam Staff", MANAGER, "staff"),
    (MANAGER, "Mo Manager", None, "manager"),
    (COLLEAGUE, "Olu Other", MANAGER, "staff"),
]
WHAT = "A colleague posted a photo of a patient on the ward with a joke about them"
#: A whole report, one line a field (who is left blank), then "yes".
REPORT = f"/snp-report\n\nFacebook, the ward's group\n{WHAT}\nyesterday evening\nhttps://facebook.com/p/1\nyes\n"


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


async def seed(url: str, people: list[tuple[str, str, str | None, str]]) -> None:
    db = Database(url)
    await db.upgrade()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.session() as session, session.begin():
        for email, name, manager, role in people:
            session.add(Person(email=email, name=name, manager_email=manager, role=role, updated_at=now))
    await db.dispose()


async def _rows(url: str, model: type) -> list:
    db = Database(url)
    try:
        async with db.session() as session:
            return list(await session.scalars(select(model).order_by(model.id)))
    finally:
        await db.dispose()


@pytest.fixture
def chat_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"


@pytest.fixture
def directory(chat_url: str) -> None:
    asyncio.run(seed(chat_url, PEOPLE))


@pytest.fixture
def make_core(chat_url: str, clock: ManualClock, policy: Policy, conversation: Conversation) -> Callable[[], Core]:
    def make() -> Core:
        core = Core(Settings(snp_database_url=chat_url, snp_people_services=PEOPLE_SERVICES), policy, clock)
        core.conversation = conversation  # built once per test session
        return core

    return make


@pytest.fixture
def chat(make_core: Callable[[], Core]) -> Callable[..., str]:
    """chat(text, as_email=None, tty=False): what the bot printed for that input."""

    def run(text: str, as_email: str | None = None, *, tty: bool = False) -> str:
        stdin, stdout = (TTY(text), TTY()) if tty else (io.StringIO(text), io.StringIO())
        assert run_chat(make_core(), as_email, stdin, stdout) == 0
        return stdout.getvalue()

    return run


@pytest.fixture
def tickets(chat_url: str) -> Callable[[], list[Ticket]]:
    return lambda: asyncio.run(_rows(chat_url, Ticket))


@pytest.fixture
def notifications(chat_url: str) -> Callable[[], list[Notification]]:
    return lambda: asyncio.run(_rows(chat_url, Notification))
