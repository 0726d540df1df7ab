"""Statistics for People Services: open tickets by state, reports per month, and the median time
to acknowledge."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.db import Database
from bot.ticket.service import TicketService
from bot.ticket.stats import ticket_stats
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, DANA, MARK, NINA, report


async def test_open_tickets_are_counted_by_state(service: TicketService, db: Database) -> None:
    _first, second, third, fourth = [(await service.submit(ANN, report())).reference for _ in range(4)]
    await service.act(second, MARK, Action.ACKNOWLEDGE)
    await service.act(third, MARK, Action.ASK_PEOPLE_SERVICES)
    await service.act(fourth, MARK, Action.CLOSE)

    stats = await ticket_stats(db)

    assert stats.open_by_state == {"open": 1, "acknowledged": 1, "advice_sought": 1, "resolved_informally": 0,
                                   "referred_disciplinary": 0}
    assert stats.total == 4


async def test_reports_are_counted_per_month(service: TicketService, db: Database, clock: ManualClock) -> None:
    await service.submit(ANN, report())
    await service.submit(NINA, report())
    clock.advance(days=31)
    await service.submit(DANA, report())

    stats = await ticket_stats(db)

    assert stats.per_month == {"2026-01": 2, "2026-02": 1}
    assert stats.routed_to == {"line_manager": 1, "no_manager": 1, "manager_is_reporter": 1}


async def test_the_median_time_to_acknowledge_is_in_hours(service: TicketService, db: Database,
                                                          clock: ManualClock) -> None:
    tickets = [(await service.submit(ANN, report())).reference for _ in range(4)]
    clock.advance(hours=2)
    await service.act(tickets[0], MARK, Action.ACKNOWLEDGE)
    clock.advance(hours=8)
    await service.act(tickets[1], MARK, Action.RESOLVE_INFORMALLY)  # acknowledges on the way, at 10 hours
    clock.advance(hours=20)
    await service.act(tickets[2], MARK, Action.ACKNOWLEDGE)  # at 30 hours; the fourth is never acknowledged

    stats = await ticket_stats(db)

    assert stats.median_hours_to_acknowledge == 10.0


async def test_no_tickets_no_medians(service: TicketService, db: Database) -> None:
    stats = await ticket_stats(db)

    assert stats.total == 0
    assert stats.median_hours_to_acknowledge is None
    assert stats.per_month == {}
