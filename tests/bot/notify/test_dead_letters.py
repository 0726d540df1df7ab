"""A notification given up after 72 hours is a dead letter that everyone who looks can see: the
gauges of `/metrics`, the outbox detail of `/readyz`, and People Services' `snp-bot tickets list`;
none of them shows a word of the report."""

from __future__ import annotations

import json
from argparse import Namespace
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.notify.channel import PlatformRefused
from bot.notify.models import Status
from bot.policy import Policy
from bot.server import create_app
from bot.ticket.commands import _list
from bot.ticket.service import Submitted, TicketService
from bot.ticket.timers import run_timers
from tests.bot.notify.test_worker import FailsFor, row_to, worker
from tests.bot.ticket.conftest import ANN, MARK, PS_INBOX, WHAT, notifications, report


@pytest.fixture
async def dead(db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> Submitted:
    """Mark's notification of Ann's ticket, refused by his platform for 72 hours, and a second
    ticket still waiting."""
    deliverer = worker(db, service, clock, [FailsFor(MARK, error=PlatformRefused)])
    for round_ in range(19):  # every four hours, 0 to 72
        clock.advance(hours=4 if round_ else 0)
        while await deliverer.run_once():
            pass
    assert (await row_to(db)).status == Status.DEAD
    await service.submit(ANN, report())
    clock.advance(minutes=30)
    return ticket


@pytest.fixture
async def core(db: Database, clock: ManualClock, policy: Policy) -> AsyncIterator[Core]:
    """The server's view of the same database."""
    core = Core(Settings(snp_database_url=db.url, snp_encryption_key=new_key(), snp_people_services=PS_INBOX,
                         snp_timer_seconds=3600), policy, clock)
    yield core
    await core.db.dispose()


async def pending_count(db: Database) -> int:
    return len([r for r in await notifications(db) if r.status == Status.PENDING])


async def test_the_metrics_show_dead_letters_pending_and_the_oldest_waiting(
        db: Database, service: TicketService, dead: Submitted) -> None:
    from prometheus_client import REGISTRY

    await run_timers(service, ack_hours=480, retention_days=2190)

    assert REGISTRY.get_sample_value("snp_outbox_dead_letters") == 1
    assert REGISTRY.get_sample_value("snp_outbox_pending") == await pending_count(db)
    assert REGISTRY.get_sample_value("snp_outbox_oldest_pending_seconds") == 30 * 60
    assert REGISTRY.get_sample_value("snp_dead_letters_total", {"kind": "new_ticket"}) >= 1


async def test_readyz_gives_the_outbox_detail_and_stays_ready(db: Database, core: Core, dead: Submitted) -> None:
    async with TestClient(TestServer(create_app(core, background=False))) as client:
        ready = await client.get("/readyz")
        body = await ready.json()

    assert ready.status == 200 and body["status"] == "ready"
    assert body["outbox"] == {"pending": await pending_count(db), "dead": 1}


async def test_people_services_see_the_dead_letter_in_the_tickets_list(
        core: Core, dead: Submitted, capsys: pytest.CaptureFixture[str]) -> None:
    await _list(core, Namespace(as_email=PS_INBOX, json=False))
    text = capsys.readouterr().out
    assert (f"{dead.reference}  new_ticket to {MARK}: " in text and "last error PlatformRefused" in text
            and "queued 72.5 hours ago" in text)

    await _list(core, Namespace(as_email=PS_INBOX, json=True))
    listed = {t["reference"]: t for t in json.loads(capsys.readouterr().out)}
    [letter] = listed[dead.reference]["undelivered"]
    assert letter == {"recipient": MARK, "kind": "new_ticket", "attempts": letter["attempts"],
                      "last_error": "PlatformRefused", "age_hours": 72.5}
    assert letter["attempts"] > 15 and "undelivered" not in listed["SNP-2026-0002"]
    assert WHAT not in text and WHAT not in json.dumps(listed)


async def test_no_one_else_sees_dead_letters(core: Core, dead: Submitted, capsys: pytest.CaptureFixture[str]) -> None:
    await _list(core, Namespace(as_email=MARK, json=False))
    text = capsys.readouterr().out
    await _list(core, Namespace(as_email=MARK, json=True))
    listed = json.loads(capsys.readouterr().out)

    assert dead.reference in text and "could not be delivered" not in text
    assert all("undelivered" not in t for t in listed)
