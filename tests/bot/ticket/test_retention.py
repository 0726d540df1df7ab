"""Retention: six years (2190 days) after a ticket is closed, its words and the people in it are
forgotten; the event log stays, with roles and times but no names, for the statistics."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db import Database
from bot.notify.models import Notification
from bot.ticket.models import TicketNote
from bot.ticket.service import TicketError, TicketService
from bot.ticket.stats import ticket_stats
from bot.ticket.timers import TimerReport, run_timers
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, CARL, MARK, PRIYA, WHAT, Inbox, events, not_found, report, ticket_row


@dataclass
class Cases:
    old: str  # closed on day 0
    recent: str  # closed on day 10
    still_open: str


async def count(db: Database, model: type, reference: str) -> int:
    row = await ticket_row(db, reference)
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(model.ticket_id == row.id)) or 0


@pytest.fixture
async def cases(service: TicketService, inbox: Inbox, clock: ManualClock) -> Cases:
    old = (await service.submit(ANN, report(who=CARL))).reference
    await service.act(old, MARK, Action.ADD_NOTE, note="Photo taken down")
    await service.act(old, MARK, Action.CLOSE)
    clock.advance(days=10)
    recent = (await service.submit(ANN, report())).reference
    await service.act(recent, MARK, Action.ADD_NOTE, note="Carl apologised")
    await service.act(recent, MARK, Action.CLOSE)
    still_open = (await service.submit(ANN, report())).reference
    await service.act(still_open, MARK, Action.ACKNOWLEDGE)
    await inbox.deliver()
    return Cases(old, recent, still_open)


async def purge_day(service: TicketService, clock: ManualClock) -> TimerReport:
    """Move to 2190 days after the old case closed, and run the timers."""
    clock.advance(days=2190 - 10)
    return await run_timers(service, ack_hours=48, retention_days=2190)


async def test_a_ticket_closed_six_years_ago_is_purged(service: TicketService, db: Database, clock: ManualClock,
                                                       cases: Cases) -> None:
    before = await ticket_row(db, cases.old)
    assert before.report_sealed and before.reporter_email and before.handler_email and before.subject_digest
    assert before.subject_digests and before.subject_sealed

    assert await purge_day(service, clock) == TimerReport(purged=1)

    after = await ticket_row(db, cases.old)
    assert (after.report_sealed, after.reporter_email, after.handler_email, after.subject_digest) == (None,) * 4
    assert (after.subject_digests, after.subject_sealed) == (None, None)
    assert after.purged_at == clock.now()
    assert after.state == "closed"
    assert await count(db, TicketNote, cases.old) == 0
    assert await outbox_of(db, cases.old) == [("withdrawn", MARK, "pending")]  # only the taking back


async def outbox_of(db: Database, reference: str) -> list[tuple[str, str, str]]:
    row = await ticket_row(db, reference)
    async with db.session() as session:
        rows = await session.execute(select(Notification.kind, Notification.recipient_email, Notification.status)
                                     .where(Notification.ticket_id == row.id).order_by(Notification.id))
        return [tuple(r) for r in rows]


async def test_the_purge_rewrites_every_message_that_carried_the_report_then_forgets_them(
        service: TicketService, db: Database, inbox: Inbox, clock: ManualClock, cases: Cases) -> None:
    [to_mark] = [d for d in inbox.channel.to(MARK) if d.reference == cases.old and d.kind == "new_ticket"]
    assert WHAT in to_mark.text

    await purge_day(service, clock)
    await inbox.deliver()

    update = inbox.channel.updated[to_mark.key]
    assert update.text == f"Report {cases.old} is closed and its details have been removed under the retention period."
    assert WHAT not in update.text and update.buttons == ()
    assert set(inbox.channel.updated) == {to_mark.key}  # the reporter's messages never carried it
    assert await outbox_of(db, cases.old) == [("withdrawn", MARK, "sent")]
    await run_timers(service, ack_hours=48, retention_days=2190)
    assert await outbox_of(db, cases.old) == []


async def test_the_purge_keeps_the_event_log_without_names(service: TicketService, db: Database, clock: ManualClock,
                                                           cases: Cases) -> None:
    before = await events(db, cases.old)

    await purge_day(service, clock)

    after = await events(db, cases.old)
    assert [(a, role, f, t) for a, _actor, role, f, t in after] == \
        [(a, role, f, t) for a, _actor, role, f, t in before] + [("purged", "system", "closed", "closed")]
    assert {actor for _a, actor, *_ in after} == {None}


async def test_the_purge_keeps_what_closed_more_recently_or_is_open(service: TicketService, db: Database,
                                                                    clock: ManualClock, cases: Cases) -> None:
    await purge_day(service, clock)

    for reference in (cases.recent, cases.still_open):
        row = await ticket_row(db, reference)
        assert row.purged_at is None
        assert row.report_sealed is not None and row.reporter_email == ANN
        assert (await service.view(reference, ANN)).report == report()
    assert await count(db, TicketNote, cases.recent) == 1


async def test_the_recent_case_goes_in_its_turn(service: TicketService, clock: ManualClock, cases: Cases) -> None:
    await purge_day(service, clock)
    clock.advance(days=9)
    assert await run_timers(service, ack_hours=48, retention_days=2190) == TimerReport()

    clock.advance(days=1)

    assert await run_timers(service, ack_hours=48, retention_days=2190) == TimerReport(purged=1)


async def test_a_purged_ticket_is_still_counted(service: TicketService, db: Database, clock: ManualClock,
                                                cases: Cases) -> None:
    await purge_day(service, clock)

    stats = await ticket_stats(db)
    assert stats.total == 3
    assert stats.per_month == {"2026-01": 3}
    assert stats.open_by_state["acknowledged"] == 1


async def test_a_purged_ticket_can_be_neither_read_nor_acted_on(service: TicketService, clock: ManualClock,
                                                                cases: Cases) -> None:
    await purge_day(service, clock)

    for reader in (ANN, MARK):
        with pytest.raises(TicketError) as refused:
            await service.view(cases.old, reader)
        assert str(refused.value) == not_found(cases.old)
    with pytest.raises(TicketError) as refused:
        await service.act(cases.old, PRIYA, Action.ADD_NOTE, note="Anything")
    assert str(refused.value) == not_found(cases.old)
