"""Taking back what a person may no longer read: a handler reassigned away has the messages that
carried the report rewritten in place, through the outbox, to the reference and a notice."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.db import Database
from bot.notify.channels import MemoryChannel
from bot.notify.models import Status
from bot.notify.worker import DeliveryWorker
from bot.ticket.messages import NotificationRenderer
from bot.ticket.service import Submitted, TicketService
from bot.ticket.timers import run_timers
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, DANA, MARK, PRIYA, TOM, WHAT, Inbox, notifications

MOVED = "Report {} has moved to another handler, so its details are no longer shown here."


def rewritten(inbox: Inbox, email: str, kind: str = "new_ticket") -> list[str]:
    """The texts the person's earlier messages of `kind` were rewritten to."""
    return [inbox.channel.updated[d.key].text for d in inbox.channel.to(email)
            if d.kind == kind and d.key in inbox.channel.updated]


async def test_the_previous_handlers_message_is_rewritten_without_the_report(
        db: Database, service: TicketService, inbox: Inbox, ticket: Submitted) -> None:
    await inbox.deliver()
    [first] = inbox.channel.to(MARK)
    assert WHAT in first.text and first.buttons

    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)
    await inbox.deliver()

    update = inbox.channel.updated[first.key]
    assert update.text == MOVED.format(ticket.reference)
    assert WHAT not in update.text and update.buttons == () and not update.confidential
    assert (update.kind, update.via, update.replaces) == ("withdrawn", "memory", {"memory": first.key})
    [row] = [r for r in await notifications(db) if r.kind == "withdrawn"]
    assert (row.recipient_email, row.status) == (MARK, Status.SENT)
    assert WHAT not in str(row.params) and row.params["reference"] == ticket.reference
    assert rewritten(inbox, TOM, "reassigned") == []  # the new handler keeps theirs


async def test_every_message_that_carried_the_report_is_rewritten_and_only_those(
        db: Database, service: TicketService, inbox: Inbox, clock: ManualClock, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)
    await service.act(ticket.reference, TOM, Action.REASSIGN, assignee=DANA)
    await inbox.deliver()
    clock.advance(hours=100)
    await run_timers(service, ack_hours=48, retention_days=2190)  # Dana reminded, People Services told
    await inbox.deliver()
    assert inbox.kinds(DANA) == ["reassigned", "reminder"] and inbox.kinds(PRIYA) == ["escalated"]

    await service.act(ticket.reference, DANA, Action.REASSIGN, assignee=TOM)
    await inbox.deliver()

    assert inbox.channel.to(MARK) == []  # never delivered (cancelled): nothing to take back
    assert rewritten(inbox, DANA, "reassigned") == [MOVED.format(ticket.reference)]
    assert rewritten(inbox, DANA, "reminder") == []  # it names only the reference
    assert rewritten(inbox, PRIYA, "escalated") == [] and rewritten(inbox, TOM, "reassigned") == []
    assert rewritten(inbox, ANN, "reassigned_reporter") == []


async def test_a_case_that_comes_back_before_the_withdrawal_is_delivered_is_left_alone(
        db: Database, service: TicketService, inbox: Inbox, ticket: Submitted) -> None:
    await inbox.deliver()
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)
    await service.act(ticket.reference, TOM, Action.REASSIGN, assignee=MARK)

    await inbox.deliver()

    assert rewritten(inbox, MARK) == []
    [row] = [r for r in await notifications(db) if r.kind == "withdrawn"]
    assert row.status == Status.CANCELLED
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)  # and away again: taken back now
    await inbox.deliver()
    assert rewritten(inbox, MARK) == [MOVED.format(ticket.reference)]


async def test_people_services_who_pass_a_case_on_keep_what_they_may_still_read(
        db: Database, service: TicketService, inbox: Inbox, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=PRIYA)
    await inbox.deliver()
    await service.act(ticket.reference, PRIYA, Action.REASSIGN, assignee=TOM)
    await inbox.deliver()

    assert rewritten(inbox, PRIYA, "reassigned") == []  # People Services may read every case
    assert [r.status for r in await notifications(db) if r.kind == "withdrawn" and r.recipient_email == PRIYA] == [
        Status.CANCELLED]


async def test_a_withdrawal_that_fails_is_retried_like_any_other(
        db: Database, service: TicketService, inbox: Inbox, clock: ManualClock, ticket: Submitted) -> None:
    await inbox.deliver()
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)
    inbox.channel.failures = 1
    to_mark = DeliveryWorker(db, [inbox.channel], NotificationRenderer(service, 48), clock, recipient=MARK)

    await to_mark.run_once()
    [row] = [r for r in await notifications(db) if r.kind == "withdrawn"]
    assert (row.status, row.last_error) == (Status.PENDING, "ConnectionError")
    clock.advance(seconds=5)
    await inbox.deliver()

    assert rewritten(inbox, MARK) == [MOVED.format(ticket.reference)]


async def test_a_withdrawal_goes_only_through_the_channel_that_holds_the_message(
        db: Database, service: TicketService, inbox: Inbox, clock: ManualClock, ticket: Submitted) -> None:
    await inbox.deliver()
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)
    other = MemoryChannel()
    other.name = "other"
    inbox.worker.channels.insert(0, other)

    await inbox.deliver()

    assert other.updated == {} and rewritten(inbox, MARK) == [MOVED.format(ticket.reference)]
