"""Reminding a handler who has not acknowledged a report, and escalating it to People Services,
with the clock moved by hand."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.ticket.service import Submitted, TicketError, TicketService
from bot.ticket.timers import TimerReport, run_timers
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import (
    MARK,
    NINA,
    PEOPLE_SERVICES,
    PRIYA,
    PS_INBOX,
    QUINN,
    WHAT,
    Inbox,
    events,
    make_inbox,
    report,
)


def reminder(reference: str, hours: int = 48) -> str:
    return (f"Reminder: report {reference} was passed to you {hours} hours ago and has not been acknowledged. "
            f"If you do not acknowledge it within another {hours} hours it goes to People Services.")


async def timers(service: TicketService, ack_hours: float = 48) -> TimerReport:
    return await run_timers(service, ack_hours=ack_hours, retention_days=2190)


@pytest.fixture
async def seen(inbox: Inbox, ticket: Submitted) -> Submitted:
    """Ann's ticket, its first notification already delivered to Mark."""
    await inbox.deliver()
    return ticket


async def test_nothing_happens_before_the_time(service: TicketService, inbox: Inbox, clock: ManualClock,
                                              seen: Submitted) -> None:
    clock.advance(hours=47)

    assert await timers(service) == TimerReport()
    assert await inbox.deliver() == []


async def test_the_handler_is_reminded_once_after_48_hours(service: TicketService, inbox: Inbox, db: Database,
                                                          clock: ManualClock, seen: Submitted) -> None:
    clock.advance(hours=48)

    assert await timers(service) == TimerReport(reminded=1)
    delivered = await inbox.deliver()
    assert [(d.recipient.email, d.text) for d in delivered] == [(MARK, reminder(seen.reference))]
    assert [e[0] for e in await events(db, seen.reference)] == ["submitted", "reminded"]

    clock.advance(hours=1)
    assert await timers(service) == TimerReport()
    assert await inbox.deliver() == []


async def test_after_96_hours_people_services_join(service: TicketService, inbox: Inbox, db: Database,
                                                   clock: ManualClock, seen: Submitted) -> None:
    clock.advance(hours=48)
    await timers(service)
    await inbox.deliver()
    clock.advance(hours=48)

    assert await timers(service) == TimerReport(escalated=1)

    delivered = await inbox.deliver()
    assert sorted(d.recipient.email for d in delivered) == sorted(PEOPLE_SERVICES)
    for delivery in delivered:
        assert delivery.text.startswith(f"Report {seen.reference} has not been acknowledged within 48 hours, "
                                        "so it now comes to People Services.")
        assert WHAT in delivery.text
    log = await events(db, seen.reference)
    assert [(action, role) for action, _actor, role, _from, _to in log] == [
        ("submitted", "reporter"), ("reminded", "system"), ("escalated", "system")]
    view = await service.view(seen.reference, PRIYA)
    assert view.handler == MARK
    assert view.state == "open"
    with pytest.raises(TicketError) as refused:
        await service.act(seen.reference, MARK, Action.ASK_PEOPLE_SERVICES)
    assert str(refused.value) == f"People Services already has {seen.reference}. Nothing has changed."


async def test_an_escalation_happens_once(service: TicketService, inbox: Inbox, clock: ManualClock,
                                          seen: Submitted) -> None:
    clock.advance(hours=96)
    assert await timers(service) == TimerReport(reminded=1, escalated=1)
    await inbox.deliver()

    clock.advance(hours=96)

    assert await timers(service) == TimerReport()
    assert await inbox.deliver() == []


async def test_an_escalation_leaves_out_people_services_who_are_reported(service: TicketService, inbox: Inbox,
                                                                         clock: ManualClock) -> None:
    await service.submit("ann.reporter@trust.nhs.uk", report("Quinn posted a patient's photo", who=QUINN))
    await inbox.deliver()
    clock.advance(hours=96)

    await timers(service)

    escalated = sorted(d.recipient.email for d in await inbox.deliver() if d.kind == "escalated")
    assert escalated == sorted([PS_INBOX, PRIYA])


async def test_an_acknowledged_ticket_is_never_reminded(service: TicketService, inbox: Inbox, clock: ManualClock,
                                                        seen: Submitted) -> None:
    clock.advance(hours=47)
    await service.act(seen.reference, MARK, Action.ACKNOWLEDGE)
    await inbox.deliver()

    for _ in range(4):
        clock.advance(hours=48)
        assert await timers(service) == TimerReport()
    assert await inbox.deliver() == []


async def test_a_ticket_people_services_hold_is_reminded_but_not_escalated(service: TicketService, inbox: Inbox,
                                                                           clock: ManualClock) -> None:
    held = await service.submit(NINA, report())
    await inbox.deliver()

    clock.advance(hours=48)
    assert await timers(service) == TimerReport(reminded=1)
    reminded = await inbox.deliver()
    assert sorted(d.recipient.email for d in reminded) == sorted(PEOPLE_SERVICES)
    assert {d.text for d in reminded} == {reminder(held.reference)}

    clock.advance(hours=500)
    assert await timers(service) == TimerReport()
    assert await inbox.deliver() == []


async def test_another_acknowledgement_time_is_honoured(service: TicketService, db: Database, clock: ManualClock,
                                                        seen: Submitted) -> None:
    inbox = make_inbox(db, service, clock, ack_hours=24)  # the server passes SNP_ACK_REMINDER_HOURS to both

    clock.advance(hours=23)
    assert await timers(service, ack_hours=24) == TimerReport()
    clock.advance(hours=1)
    assert await timers(service, ack_hours=24) == TimerReport(reminded=1)
    assert [d.text for d in await inbox.deliver()] == [reminder(seen.reference, 24)]
    clock.advance(hours=24)
    assert await timers(service, ack_hours=24) == TimerReport(escalated=1)
    escalated = await inbox.deliver()
    assert escalated and all("within 24 hours" in d.text for d in escalated)


async def test_a_reassigned_ticket_waits_afresh(service: TicketService, inbox: Inbox, clock: ManualClock,
                                                seen: Submitted) -> None:
    clock.advance(hours=48)
    await timers(service)
    await service.act(seen.reference, MARK, Action.REASSIGN, assignee="tom.other@trust.nhs.uk")
    await inbox.deliver()

    clock.advance(hours=47)
    assert await timers(service) == TimerReport()
    clock.advance(hours=1)
    assert await timers(service) == TimerReport(reminded=1)
    assert [(d.recipient.email, d.kind) for d in await inbox.deliver()] == [("tom.other@trust.nhs.uk", "reminder")]
