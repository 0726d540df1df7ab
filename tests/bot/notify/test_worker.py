"""The outbox and its delivery worker: every message delivered exactly once, through failures,
unreachable people, a worker killed mid-delivery, and two workers sharing the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.clock import ManualClock
from bot.confidential import Sealer
from bot.db import Database
from bot.notify.channel import Channel, Delivery, Recipient
from bot.notify.channels import MemoryChannel
from bot.notify.models import Notification, Status
from bot.notify.worker import DeliveryWorker
from bot.policy import Policy
from bot.ticket.messages import NotificationRenderer
from bot.ticket.models import Ticket
from bot.ticket.service import Submitted, TicketService
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, MARK, TOM, WHAT, Inbox, notifications, report


def worker(db: Database, service: TicketService, clock: ManualClock, channels: Sequence[Channel],
           **options: int) -> DeliveryWorker:
    return DeliveryWorker(db, channels, NotificationRenderer(service, 48), clock, **options)


async def only_row(db: Database) -> Notification:
    (row,) = await notifications(db)
    return row


async def test_a_notification_is_delivered_and_marked_sent(db: Database, inbox: Inbox, clock: ManualClock,
                                                           ticket: Submitted) -> None:
    assert await inbox.worker.run_once() == 1

    assert [(d.recipient.email, d.kind) for d in inbox.channel.received.values()] == [(MARK, "new_ticket")]
    row = await only_row(db)
    assert (row.status, row.attempts, row.channel, row.sent_at) == (Status.SENT, 1, "memory", clock.now())
    assert row.lease_owner is None and row.last_error is None
    assert await inbox.worker.run_once() == 0


async def test_a_failing_channel_is_retried_with_backoff_until_it_delivers(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    channel = MemoryChannel(failures=3)
    deliverer = worker(db, service, clock, [channel])

    for wait in (2.5, 5, 10):  # backoff after attempt n is 2**n seconds, give or take a fifth
        assert await deliverer.run_once() == 1
        row = await only_row(db)
        assert (row.status, row.last_error) == (Status.PENDING, "ConnectionError")
        assert await deliverer.run_once() == 0  # not due again yet
        clock.advance(seconds=wait)
    assert await deliverer.run_once() == 1

    row = await only_row(db)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 4, None)
    assert channel.attempts == 4
    assert [d.recipient.email for d in channel.received.values()] == [MARK]


async def test_a_channel_that_always_fails_is_given_up_after_max_attempts(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    channel = MemoryChannel(failures=1_000)
    deliverer = worker(db, service, clock, [channel], max_attempts=8)

    for _ in range(20):
        await deliverer.run_once()
        clock.advance(seconds=600)

    row = await only_row(db)
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 8, "ConnectionError")
    assert channel.attempts == 8
    assert channel.received == {}


async def test_someone_no_channel_reaches_stays_pending_without_using_attempts(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    nowhere = worker(db, service, clock, [MemoryChannel(reaches=lambda _r: False)], max_attempts=3)

    for _ in range(10):
        assert await nowhere.run_once() == 1
        clock.advance(minutes=10, seconds=1)

    row = await only_row(db)
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 0, "no_channel")
    channel = MemoryChannel()
    assert await worker(db, service, clock, [channel]).run_once() == 1
    assert [d.recipient.email for d in channel.received.values()] == [MARK]
    assert (await only_row(db)).status == Status.SENT


async def test_the_first_channel_that_reaches_the_person_is_used(db: Database, service: TicketService,
                                                                 clock: ManualClock, ticket: Submitted) -> None:
    slack, fallback = MemoryChannel(reaches=lambda r: r.slack_user_id is not None), MemoryChannel()
    fallback.name = "fallback"

    await worker(db, service, clock, [slack, fallback]).run_once()

    assert slack.received == {} and len(fallback.received) == 1
    assert (await only_row(db)).channel == "fallback"


async def test_a_notification_that_cannot_be_rendered_fails_without_holding_up_the_rest(
        db: Database, service: TicketService, policy: Policy, clock: ManualClock, ticket: Submitted) -> None:
    """A row whose text cannot be made (here: sealed with another key) counts as a failed attempt
    and is given up after the most attempts; the rows claimed with it are delivered."""
    async with db.session() as session, session.begin():
        row = await session.scalar(select(Ticket).where(Ticket.reference == ticket.reference))
        row.report_sealed = Sealer([Fernet.generate_key()]).seal("{}")
    await service.submit(ANN, report())  # a second ticket, its notification claimed in the same batch
    channel = MemoryChannel()
    deliverer = worker(db, service, clock, [channel], max_attempts=3)

    for _ in range(5):
        await deliverer.run_once()
        clock.advance(seconds=600)

    first, second = await notifications(db)
    assert (first.status, first.attempts, first.last_error) == (Status.FAILED, 3, "SealError")
    assert second.status == Status.SENT
    assert [d.reference for d in channel.received.values()] == ["SNP-2026-0002"]


class SendsThenDies:
    """A channel whose send succeeds, after which the worker's process is killed before it can mark
    the row sent."""

    name = "memory"

    def __init__(self, receiver: MemoryChannel) -> None:
        self.receiver = receiver

    def reaches(self, recipient: Recipient) -> bool:
        return True

    async def send(self, delivery: Delivery) -> None:
        await self.receiver.send(delivery)
        raise asyncio.CancelledError


async def test_a_worker_killed_between_send_and_mark_is_not_delivered_twice(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    receiver = MemoryChannel()  # de-duplicates by idempotency key, as a receiver must
    doomed = worker(db, service, clock, [SendsThenDies(receiver)])
    with pytest.raises(asyncio.CancelledError):
        await doomed.run_once()
    row = await only_row(db)
    assert (row.status, row.lease_owner) == (Status.PENDING, doomed.owner)

    survivor = worker(db, service, clock, [receiver])
    assert await survivor.run_once() == 0  # the dead worker's lease still holds
    clock.advance(seconds=61)
    assert await survivor.run_once() == 1

    assert receiver.attempts == 2
    assert [d.recipient.email for d in receiver.received.values()] == [MARK]
    row = await only_row(db)
    marked_at = clock.now()
    assert (row.status, row.attempts, row.sent_at) == (Status.SENT, 2, marked_at)
    clock.advance(seconds=5)
    assert not await doomed._finish(row, Status.SENT, channel="memory")  # a late mark by the dead worker
    assert (await only_row(db)).sent_at == marked_at


async def test_a_worker_that_lost_its_lease_cannot_mark_the_row(db: Database, service: TicketService,
                                                                clock: ManualClock, ticket: Submitted) -> None:
    """A slow worker whose lease ran out while it was sending, and another took the row over: only
    the one holding the lease marks it."""
    slow, other = worker(db, service, clock, [MemoryChannel()]), worker(db, service, clock, [MemoryChannel()])
    (claimed_by_slow,) = await slow._claim()
    clock.advance(seconds=61)
    (claimed_by_other,) = await other._claim()

    assert not await slow._finish(claimed_by_slow, Status.SENT, channel="memory")
    assert (await only_row(db)).status == Status.PENDING
    assert await other._finish(claimed_by_other, Status.SENT, channel="memory")
    assert (await only_row(db)).status == Status.SENT


async def test_two_workers_deliver_each_notification_exactly_once(db: Database, service: TicketService,
                                                                  clock: ManualClock) -> None:
    for _ in range(30):
        await service.submit(ANN, report())
    channel = MemoryChannel()
    first, second = Database(db.url), Database(db.url)
    try:
        workers = [DeliveryWorker(database, [channel], NotificationRenderer(service, 48), clock, batch=7)
                   for database in (first, second)]
        tried = []
        while True:
            counts = await asyncio.gather(*(w.run_once() for w in workers))
            tried.append(counts)
            if not any(counts):
                break
    finally:
        await first.dispose()
        await second.dispose()

    assert sum(map(sum, tried)) == 30
    assert channel.attempts == 30 and len(channel.received) == 30
    rows = await notifications(db)
    assert {(row.status, row.attempts) for row in rows} == {(Status.SENT, 1)}


async def test_a_handler_reassigned_away_before_delivery_gets_nothing(db: Database, service: TicketService,
                                                                      inbox: Inbox, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)

    delivered = await inbox.deliver()

    assert sorted((d.recipient.email, d.kind) for d in delivered) == [(ANN, "reassigned_reporter"),
                                                                     (TOM, "reassigned")]
    async with db.session() as session:
        to_mark = await session.scalar(select(Notification).where(Notification.recipient_email == MARK))
    assert (to_mark.status, to_mark.last_error) == (Status.FAILED, "not_entitled")
    assert WHAT in inbox.texts(TOM)[0]


async def test_someone_on_two_platforms_is_notified_on_the_one_they_used_last(db: Database, service: TicketService,
                                                                              clock: ManualClock) -> None:
    from bot.directory.addresses import remember

    slack, teams = MemoryChannel(), MemoryChannel()
    slack.name, teams.name = "slack", "teams"
    await remember(db, "teams", "aad-mark", MARK, {"conversation": "a:1"}, clock.now())
    clock.advance(minutes=5)
    await remember(db, "slack", "UMARK", MARK, {"user_id": "UMARK"}, clock.now())
    await service.submit(ANN, report())
    await worker(db, service, clock, [teams, slack]).run_once()
    assert len(slack.to(MARK)) == 1 and teams.to(MARK) == []

    clock.advance(minutes=5)
    await remember(db, "teams", "aad-mark", MARK, {"conversation": "a:1"}, clock.now())
    await service.submit(ANN, report())
    await worker(db, service, clock, [slack, teams]).run_once()
    assert len(teams.to(MARK)) == 1 and teams.to(MARK)[0].recipient.address("teams") == {"conversation": "a:1"}


async def test_a_channel_that_finds_it_does_not_know_the_person_hands_over_to_the_next(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    from bot.notify.channel import NotReachable

    class Unknown(MemoryChannel):
        name = "guess"

        async def send(self, delivery: Delivery) -> None:
            raise NotReachable("no such user here")

    fallback = MemoryChannel()
    await worker(db, service, clock, [Unknown(), fallback]).run_once()
    row = await only_row(db)
    assert len(fallback.received) == 1 and (row.status, row.channel, row.attempts) == (Status.SENT, "memory", 1)
