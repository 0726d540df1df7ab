"""The HTTP server over real HTTP (aiohttp test server): health, readiness, metrics, and the
delivery worker and shutdown that run inside it, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.confidential import new_key
from bot.config import Settings
from bot.conversation import Message
from bot.core import Core
from bot.directory.models import Person
from bot.notify.channels import MemoryChannel
from bot.notify.models import Notification
from bot.policy import load_policy
from bot.server import create_app
from bot.ticket.report import Report


def _core(url: str, clock=None) -> Core:
    settings = Settings(snp_database_url=url, snp_encryption_key=new_key(), snp_people_services="ps@trust.nhs.uk",
                        snp_timer_seconds=3600)
    return Core(settings, load_policy(), clock)


@pytest.fixture
async def client(tmp_path):
    core = _core(f"sqlite+aiosqlite:///{tmp_path / 'server.sqlite3'}")
    async with TestClient(TestServer(create_app(core))) as client:
        client.core = core
        yield client


async def _until(condition, seconds: float = 10.0) -> None:
    """Wait for background work without a timed assertion: the test fails only if it never happens."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)


async def test_healthz_and_readyz_answer_200(client):
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["policy"] == "SOCIAL001"


async def test_readyz_is_503_with_the_reason_when_the_database_does_not_answer():
    core = _core("postgresql+asyncpg://127.0.0.1:1/none")
    async with TestClient(TestServer(create_app(core, background=False))) as client:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert "database" in (await ready.json())["reason"]


async def test_start_on_an_empty_database_migrates_it(tmp_path):
    core = _core(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    async with TestClient(TestServer(create_app(core, background=False))) as client:
        assert (await client.get("/readyz")).status == 200
        assert await core.db.revision() == await core.db.head()


async def test_metrics_count_questions_by_outcome(client):
    client.core.conversation.handle(Message("Can I post photos from the team away day?"))
    text = await (await client.get("/metrics")).text()
    assert 'snp_questions_total{outcome="answer"}' in text


async def test_unknown_route_is_404(client):
    assert (await client.get("/nope")).status == 404


async def _seed(core: Core) -> None:
    async with core.db.session() as session, session.begin():
        now = core.clock.now()
        session.add_all([Person(email="mo@trust.nhs.uk", name="Mo Manager", role="manager", updated_at=now),
                         Person(email="sam@trust.nhs.uk", name="Sam Staff", manager_email="mo@trust.nhs.uk",
                                role="staff", updated_at=now)])


REPORT = Report(what="A colleague posted a photo of the ward whiteboard", where="Instagram", when="Monday")


async def test_the_worker_in_serve_delivers_a_new_ticket_to_the_line_manager(db):
    core, channel = _core(db.url), MemoryChannel()
    async with TestClient(TestServer(create_app(core, [channel]))) as client:
        await _seed(core)
        submitted = await core.tickets.submit("sam@trust.nhs.uk", REPORT)
        await _until(lambda: channel.to("mo@trust.nhs.uk"))
        [delivery] = channel.to("mo@trust.nhs.uk")
        assert submitted.reference in delivery.text and "ward whiteboard" in delivery.text
        for _ in range(500):  # the row is marked sent just after the channel has it
            metrics = await (await client.get("/metrics")).text()
            if 'snp_deliveries_total{channel="memory"}' in metrics:
                break
            await asyncio.sleep(0.02)
        assert 'snp_tickets_opened_total{routing="line_manager"}' in metrics
        assert 'snp_deliveries_total{channel="memory"}' in metrics


class SlowChannel(MemoryChannel):
    """Holds each send until released, to stop the server while a delivery is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()

    async def send(self, delivery):
        self.started.set()
        await asyncio.sleep(0.3)
        await super().send(delivery)


async def test_shutdown_lets_an_in_flight_delivery_finish_and_be_marked_sent(tmp_path):
    core, channel = _core(f"sqlite+aiosqlite:///{tmp_path / 'stop.sqlite3'}"), SlowChannel()
    server = TestServer(create_app(core, [channel]))
    client = TestClient(server)
    await client.start_server()
    await _seed(core)
    await core.tickets.submit("sam@trust.nhs.uk", REPORT)
    await asyncio.wait_for(channel.started.wait(), 10)
    await client.close()  # runs the application's cleanup while the sends are still sleeping
    # The line manager's message and the reporter's confirmation, sent side by side, both finished.
    assert sorted(d.kind for d in channel.received.values()) == ["new_ticket", "received"]
    from bot.db import Database

    db = Database(core.settings.database_url)
    async with db.session() as session:
        statuses = list(await session.scalars(select(Notification.status)))
    await db.dispose()
    assert statuses == ["sent", "sent"]
