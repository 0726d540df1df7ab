"""Time-driven steps: reminding a handler who has not acknowledged a report, escalating it to
People Services after twice that, purging closed tickets after the retention period (and taking
back the messages that carried their report), and refreshing the gauges read from the database.

Each takes its time from the service's clock, so tests move a manual clock instead of waiting,
and each is safe to run from two servers at once (the rows are locked as they are changed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.metrics import TICKETS_BY_STATE
from bot.notify import outbox
from bot.notify.models import Notification, Status
from bot.notify.withdrawal import WITHDRAWN, Reason, enqueue_withdrawal, landed
from bot.ticket.models import State, Ticket, TicketEvent, TicketNote
from bot.ticket.service import TicketService

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class TimerReport:
    reminded: int = 0
    escalated: int = 0
    purged: int = 0


async def run_timers(tickets: TicketService, ack_hours: float, retention_days: int) -> TimerReport:
    reminded = await remind(tickets, ack_hours)
    escalated = await escalate(tickets, ack_hours)
    purged = await purge(tickets, retention_days)
    await count_by_state(tickets)
    await count_outbox(tickets)
    return TimerReport(reminded, escalated, purged)


async def _due(session: AsyncSession, conditions: tuple) -> list[Ticket]:
    query = select(Ticket).where(*conditions).order_by(Ticket.id).limit(200).with_for_update(skip_locked=True)
    return list(await session.scalars(query))


async def _sweep(tickets: TicketService, conditions: tuple, action: str, kind: str,
                 recipients: Callable[[AsyncSession, Ticket], Awaitable[list[str]]],
                 mark: Callable[[Ticket, datetime], None]) -> int:
    """Mark each due open ticket, log `action` by the system, and tell `recipients` (`kind`)."""
    now = tickets.clock.now()
    async with tickets.db.session() as session, session.begin():
        due = await _due(session, (Ticket.state == State.OPEN, *conditions))
        for ticket in due:
            mark(ticket, now)
            event = await tickets.log_event(session, ticket, action, None, "system", ticket.state, State(ticket.state))
            for recipient in await recipients(session, ticket):
                tickets.enqueue(session, ticket, recipient, kind, event.id)
    for ticket in due:
        log.info(f"ticket_{action}", reference=ticket.reference)
    return len(due)


async def remind(tickets: TicketService, ack_hours: float) -> int:
    """The handler (or People Services, holding a ticket themselves) is reminded once."""
    cutoff = tickets.clock.now() - timedelta(hours=ack_hours)

    def mark(ticket: Ticket, now: datetime) -> None:
        ticket.reminded_at = now

    return await _sweep(tickets, (Ticket.reminded_at.is_(None), Ticket.assigned_at <= cutoff), "reminded",
                        "reminder", tickets.handlers, mark)


async def escalate(tickets: TicketService, ack_hours: float) -> int:
    """A line manager's unacknowledged ticket goes to People Services (who join it; the manager
    keeps it too). A ticket People Services already hold has been reminded and goes nowhere else."""
    cutoff = tickets.clock.now() - timedelta(hours=2 * ack_hours)

    def mark(ticket: Ticket, now: datetime) -> None:
        ticket.escalated_at, ticket.people_services_joined = now, True

    return await _sweep(tickets, (Ticket.escalated_at.is_(None), Ticket.handler_email.is_not(None),
                                  Ticket.assigned_at <= cutoff), "escalated", "escalated",
                        tickets.people_services_for, mark)


async def purge(tickets: TicketService, retention_days: int) -> int:
    """Forget the words and the people of tickets closed longer ago than the retention period; the
    event log stays, with roles but without names, for statistics (section 4.1.2). Every message
    that carried one of their reports, to anyone, is rewritten to say the case is closed and its
    details removed (through the outbox; once done, those rows are forgotten too)."""
    now = tickets.clock.now()
    async with tickets.db.session() as session, session.begin():
        await _forget_withdrawals(session)
        due = await _due(session, (Ticket.state == State.CLOSED, Ticket.purged_at.is_(None),
                                            Ticket.closed_at <= now - timedelta(days=retention_days)))
        ids = [ticket.id for ticket in due]
        references = {ticket.id: ticket.reference for ticket in due}
        for ticket in due:
            ticket.report_sealed = ticket.subject_digest = ticket.reporter_email = ticket.handler_email = None
            ticket.subject_digests = ticket.subject_sealed = ticket.submission_token = None
            ticket.purged_at = now
            await tickets.log_event(session, ticket, "purged", None, "system", ticket.state, State(ticket.state))
        if ids:
            messages = await landed(session, ids)
            await session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ids)))
            await session.execute(delete(Notification).where(Notification.ticket_id.in_(ids)))
            await session.execute(update(TicketEvent).where(TicketEvent.ticket_id.in_(ids)).values(actor_email=None))
            for message in messages:
                enqueue_withdrawal(session, message, references[message.ticket_id], Reason.CLOSED, now)
    for ticket in due:
        log.info("ticket_purged", reference=ticket.reference)
    if due:
        tickets.wake()
    return len(due)


async def _forget_withdrawals(session: AsyncSession) -> None:
    """A purged ticket's withdrawals, once done, name their recipients for no purpose: delete them.
    Dead ones stay, for People Services to see (they hold no words, only the person and the kind)."""
    purged = select(Ticket.id).where(Ticket.purged_at.is_not(None))
    await session.execute(delete(Notification).where(
        Notification.kind == WITHDRAWN, Notification.status.in_((Status.SENT, Status.CANCELLED)),
        Notification.ticket_id.in_(purged)))


async def count_by_state(tickets: TicketService) -> dict[str, int]:
    """Refresh the tickets-by-state gauge from the database (every server sees the same numbers)."""
    async with tickets.db.session() as session:
        rows = dict((await session.execute(select(Ticket.state, func.count()).group_by(Ticket.state))).all())
    counts = {str(state): rows.get(str(state), 0) for state in State}
    for state, number in counts.items():
        TICKETS_BY_STATE.labels(state).set(number)
    return counts


async def count_outbox(tickets: TicketService) -> outbox.Figures:
    """Refresh the outbox gauges (pending, dead letters, oldest pending age) from the database."""
    async with tickets.db.session() as session:
        figures = await outbox.figures(session, tickets.clock.now())
    outbox.publish(figures)
    return figures
