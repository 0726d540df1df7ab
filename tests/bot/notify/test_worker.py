"""The outbox and its delivery worker: every message delivered once, through failures, hung calls,
unreachable people, a worker killed mid-delivery and two workers sharing the outbox; retried for
72 hours before it is a dead letter; never sent to someone who may no longer read it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.clock import ManualClock
from bot.confidential import Sealer
from bot.db import Database
from bot.notify.channel import Channel, Delivery, NotReachable, PlatformRefused
from bot.notify.channels import MemoryChannel
from bot.notify.models import Notification, Status
from bot.notify.worker import DeliveryWorker
from bot.policy import Policy
from bot.ticket.messages import NotificationRenderer
from bot.ticket.models import Ticket
from bot.ticket.service import Submitted, TicketService
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, MARK, SAM, TOM, WHAT, Inbox, notifications, report


def worker(db: Database, service: TicketService, clock: ManualClock, channels: Sequence[Channel],
           **options) -> DeliveryWorker:
    return DeliveryWorker(db, channels, NotificationRenderer(service, 48), clock, **options)


async def row_to(db: Database, email: str = MARK, kind: str = "new_ticket") -> Notification:
    """The one outbox row of `kind` for `email` (other rows, the reporter's say, are left alone)."""
    (row,) = [r for r in await notifications(db) if r.recipient_email == email and r.kind == kind]
    return row


class FailsFor(MemoryChannel):
    """A memory channel whose sends to one person fail with `error` (`times` times, or always)."""

    def __init__(self, email: str, times: int = 10**9, error: type[Exception] = ConnectionError) -> None:
        super().__init__()
        self.email, self.times, self.error = email, times, error

    async def send(self, delivery: Delivery) -> dict | None:
        if delivery.recipient.email == self.email and self.times > 0:
            self.times -= 1
            self.attempts += 1
            raise self.error("told to fail")
        return await super().send(delivery)


async def test_a_notification_is_delivered_and_marked_sent_with_where_it_landed(
        db: Database, inbox: Inbox, clock: ManualClock, ticket: Submitted) -> None:
    await inbox.deliver()

    assert [d.kind for d in inbox.channel.to(MARK)] == ["new_ticket"]
    row = await row_to(db)
    assert (row.status, row.attempts, row.channel, row.sent_at) == (Status.SENT, 1, "memory", clock.now())
    assert row.platform_ref == {"memory": row.key}
    assert row.lease_owner is None and row.last_error is None and row.sending_at is None
    assert await inbox.worker.run_once() == 0


async def test_a_failing_channel_is_retried_with_backoff_until_it_delivers(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    channel = FailsFor(MARK, times=3)
    deliverer = worker(db, service, clock, [channel])

    for wait in (2.5, 5, 10):  # backoff after attempt n is 2**n seconds, give or take a fifth
        while await deliverer.run_once():
            pass
        row = await row_to(db)
        assert (row.status, row.last_error, row.sending_at) == (Status.PENDING, "ConnectionError", clock.now())
        clock.advance(seconds=wait)
    while await deliverer.run_once():
        pass

    row = await row_to(db)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 4, None)
    assert len(channel.to(MARK)) == 1


async def test_failures_are_retried_for_72_hours_at_most_5_minutes_apart_then_kept_as_a_dead_letter(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    channel = FailsFor(MARK, error=PlatformRefused)
    deliverer = worker(db, service, clock, [channel])
    created = (await row_to(db)).created_at
    waits = []

    while clock.now() < created + timedelta(hours=72):
        while await deliverer.run_once():
            pass
        row = await row_to(db)
        assert row.status == Status.PENDING, f"given up after {clock.now() - created}"
        waits.append(row.next_attempt_at - clock.now())
        clock.advance(hours=4)  # the row is due again long before
    while await deliverer.run_once():
        pass

    row = await row_to(db)
    assert (row.status, row.last_error, row.attempts) == (Status.DEAD, "PlatformRefused", len(waits) + 1)
    assert max(waits) <= timedelta(minutes=6) and waits[-1] >= timedelta(minutes=4)
    assert channel.to(MARK) == []
    clock.advance(days=30)
    assert await deliverer.run_once() == 0  # kept, never tried again


async def test_someone_no_channel_reaches_waits_without_using_attempts_and_is_a_dead_letter_after_72_hours(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    nowhere = worker(db, service, clock, [MemoryChannel(reaches=lambda _r: False)])

    for _ in range(10):
        while await nowhere.run_once():
            pass
        clock.advance(minutes=10, seconds=1)
    row = await row_to(db)
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 0, "no_channel")

    channel = MemoryChannel()
    assert await worker(db, service, clock, [channel]).run_once() >= 1
    assert [d.kind for d in channel.to(MARK)] == ["new_ticket"]
    assert (await row_to(db)).status == Status.SENT

    await service.submit(ANN, report())
    clock.advance(hours=72)
    while await nowhere.run_once():
        pass
    assert {(r.status, r.last_error) for r in await notifications(db) if r.status != Status.SENT} == {
        (Status.DEAD, "no_channel")}


async def test_the_first_channel_that_reaches_the_person_is_used(db: Database, service: TicketService,
                                                                 clock: ManualClock, ticket: Submitted) -> None:
    slack, fallback = MemoryChannel(reaches=lambda r: r.slack_user_id is not None), MemoryChannel()
    fallback.name = "fallback"

    await worker(db, service, clock, [slack, fallback]).run_once()

    assert slack.received == {} and len(fallback.to(MARK)) == 1
    assert (await row_to(db)).channel == "fallback"


async def test_a_notification_that_cannot_be_rendered_is_retried_without_holding_up_the_rest(
        db: Database, service: TicketService, policy: Policy, clock: ManualClock, ticket: Submitted) -> None:
    """A row whose text cannot be made (here: sealed with another key) counts as a failed attempt;
    the rows claimed with it are delivered."""
    async with db.session() as session, session.begin():
        row = await session.scalar(select(Ticket).where(Ticket.reference == ticket.reference))
        row.report_sealed = Sealer([Fernet.generate_key()]).seal("{}")
    await service.submit(SAM, report())  # Tom's ticket, claimed in the same round
    channel = MemoryChannel()
    deliverer = worker(db, service, clock, [channel])

    for _ in range(3):
        while await deliverer.run_once():
            pass
        clock.advance(seconds=600)

    broken = await row_to(db)
    assert (broken.status, broken.attempts, broken.last_error) == (Status.PENDING, 3, "SealError")
    assert [d.reference for d in channel.to(TOM)] == ["SNP-2026-0002"]


class Hangs(MemoryChannel):
    """Sends to one person never return (a Web API call that hangs); the rest are delivered."""

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = email
        self.hanging = 0
        self.released = asyncio.Event()

    async def send(self, delivery: Delivery) -> dict | None:
        if delivery.recipient.email == self.email:
            self.hanging += 1
            try:
                await self.released.wait()
            finally:
                self.hanging -= 1
        return await super().send(delivery)


async def until(condition, what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never saw {what}")


async def test_a_hung_call_does_not_hold_back_another_persons_delivery(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    await service.submit(SAM, report())  # Tom's
    channel = Hangs(MARK)
    deliverer = worker(db, service, clock, [channel], timeout=60)

    round_ = asyncio.create_task(deliverer.run_once())
    await until(lambda: channel.to(TOM), "Tom's delivery")
    assert channel.hanging == 1 and not round_.done()  # Tom's arrived while Mark's was still hanging
    channel.released.set()
    await round_

    assert (await row_to(db)).status == Status.SENT and (await row_to(db, TOM)).status == Status.SENT


async def test_a_hung_call_is_abandoned_at_the_timeout_and_its_outcome_left_unknown(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    channel = Hangs(MARK)

    await worker(db, service, clock, [channel], timeout=0.2, recipient=MARK).run_once()

    row = await row_to(db)
    assert (row.status, row.last_error, row.channel) == (Status.PENDING, "TimeoutError", "memory")
    assert row.sending_at is not None and channel.hanging == 0  # the next attempt asks first
    assert channel.to(MARK) == []


async def test_the_running_worker_delivers_what_comes_later_while_a_call_hangs(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    channel = Hangs(MARK)
    deliverer = worker(db, service, clock, [channel], concurrency=2, timeout=60)
    stop = asyncio.Event()
    running = asyncio.create_task(deliverer.run(stop))
    try:
        await until(lambda: channel.hanging == 1, "Mark's delivery under way")
        for reporter in (SAM, ANN, SAM):  # to Tom, Mark, Tom
            await service.submit(reporter, report())
            deliverer.wake()
        await until(lambda: len(channel.to(TOM)) == 2, "both of Tom's")
        assert channel.hanging == 1 and channel.to(MARK) == []  # Mark's next waits for his first
    finally:
        channel.released.set()
        await until(lambda: len(channel.to(MARK)) == 2, "Mark's, in order, once released")
        stop.set()
        await running
    assert [d.reference for d in channel.to(MARK)] == ["SNP-2026-0001", "SNP-2026-0003"]


class WithHistory(MemoryChannel):
    """A channel that can say whether a message landed (as Slack's does from the DM's history)."""

    def __init__(self, receiver: MemoryChannel, *, failing: bool = False) -> None:
        super().__init__()
        self.receiver, self.failing, self.asked = receiver, failing, 0

    async def send(self, delivery: Delivery) -> dict | None:
        return await self.receiver.send(delivery)

    async def already_delivered(self, delivery: Delivery) -> dict | None:
        self.asked += 1
        if self.failing:
            raise ConnectionError("history unavailable")
        return {"memory": delivery.key} if delivery.key in self.receiver.received else None


class SendsThenDies(MemoryChannel):
    """A channel whose send succeeds, after which the worker's process is killed before it can mark
    the row sent."""

    def __init__(self, receiver: MemoryChannel) -> None:
        super().__init__()
        self.receiver = receiver

    async def send(self, delivery: Delivery) -> dict | None:
        await self.receiver.send(delivery)
        raise asyncio.CancelledError


async def crash_mid_send(db: Database, service: TicketService, clock: ManualClock, receiver: MemoryChannel) -> None:
    doomed = worker(db, service, clock, [SendsThenDies(receiver)], recipient=MARK)
    with pytest.raises(asyncio.CancelledError):
        await doomed.run_once()
    row = await row_to(db)
    assert (row.status, row.lease_owner, row.channel) == (Status.PENDING, doomed.owner, "memory")
    assert row.sending_at == clock.now()
    assert await worker(db, service, clock, [receiver], recipient=MARK).run_once() == 0  # the lease still holds
    clock.advance(seconds=61)


async def test_a_crash_mid_send_is_reconciled_from_the_channel_not_sent_twice(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    receiver = MemoryChannel()
    await crash_mid_send(db, service, clock, receiver)
    channel = WithHistory(receiver)

    await worker(db, service, clock, [channel], recipient=MARK).run_once()

    assert channel.asked == 1 and receiver.attempts == 1
    row = await row_to(db)
    assert (row.status, row.platform_ref, row.sending_at) == (Status.SENT, {"memory": row.key}, None)


async def test_an_uncertain_row_whose_lookup_fails_waits_rather_than_risk_sending_twice(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    receiver = MemoryChannel()
    await crash_mid_send(db, service, clock, receiver)

    await worker(db, service, clock, [WithHistory(receiver, failing=True)], recipient=MARK).run_once()

    row = await row_to(db)
    assert (row.status, row.last_error, row.channel) == (Status.PENDING, "ConnectionError", "memory")
    assert row.sending_at is not None and receiver.attempts == 1
    clock.advance(seconds=5)
    await worker(db, service, clock, [WithHistory(receiver)], recipient=MARK).run_once()
    assert (await row_to(db)).status == Status.SENT and receiver.attempts == 1


async def test_an_uncertain_row_the_channel_never_got_is_sent(db: Database, service: TicketService,
                                                              clock: ManualClock, ticket: Submitted) -> None:
    lost = MemoryChannel()  # the message died on the way: the receiver never had it
    await crash_mid_send(db, service, clock, lost)
    receiver = MemoryChannel()
    channel = WithHistory(receiver)

    await worker(db, service, clock, [channel], recipient=MARK).run_once()

    assert channel.asked == 1 and [d.kind for d in receiver.to(MARK)] == ["new_ticket"]
    assert (await row_to(db)).status == Status.SENT


async def test_without_a_lookup_a_crash_mid_send_is_sent_again_with_the_same_key(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    receiver = MemoryChannel()  # de-duplicates by idempotency key, as the webhook's receiver must
    await crash_mid_send(db, service, clock, receiver)

    await worker(db, service, clock, [receiver], recipient=MARK).run_once()

    assert receiver.attempts == 2 and len(receiver.to(MARK)) == 1
    assert (await row_to(db)).status == Status.SENT


async def test_a_refusal_clears_sending_so_the_next_attempt_does_not_look_up(
        db: Database, service: TicketService, clock: ManualClock, ticket: Submitted) -> None:
    receiver = MemoryChannel()
    refusing = FailsFor(MARK, times=1, error=PlatformRefused)
    await worker(db, service, clock, [refusing], recipient=MARK).run_once()
    row = await row_to(db)
    assert (row.status, row.sending_at, row.channel) == (Status.PENDING, None, None)

    clock.advance(seconds=5)
    channel = WithHistory(receiver)
    await worker(db, service, clock, [channel], recipient=MARK).run_once()
    assert channel.asked == 0 and len(receiver.to(MARK)) == 1


async def test_a_worker_that_lost_its_lease_cannot_mark_the_row(db: Database, service: TicketService,
                                                                clock: ManualClock, ticket: Submitted) -> None:
    """A slow worker whose lease ran out while it was sending, and another took the row over: only
    the one holding the lease marks it."""
    slow = worker(db, service, clock, [MemoryChannel()], recipient=MARK)
    other = worker(db, service, clock, [MemoryChannel()], recipient=MARK)
    (claimed_by_slow,) = await slow._claim(1)
    clock.advance(seconds=61)
    (claimed_by_other,) = await other._claim(1)

    assert not await slow._finish(claimed_by_slow, Status.SENT, channel="memory")
    assert (await row_to(db)).status == Status.PENDING
    assert await other._finish(claimed_by_other, Status.SENT, channel="memory")
    assert (await row_to(db)).status == Status.SENT


async def test_two_workers_deliver_each_notification_exactly_once(db: Database, service: TicketService,
                                                                  clock: ManualClock) -> None:
    for _ in range(15):
        await service.submit(ANN, report())
        await service.submit(SAM, report())
    channel = MemoryChannel()
    first, second = Database(db.url), Database(db.url)
    try:
        workers = [DeliveryWorker(database, [channel], NotificationRenderer(service, 48), clock, batch=7)
                   for database in (first, second)]
        while any(await asyncio.gather(*(w.run_once() for w in workers))):
            pass
    finally:
        await first.dispose()
        await second.dispose()

    rows = await notifications(db)
    assert len(rows) >= 30
    assert channel.attempts == len(rows) and len(channel.received) == len(rows)
    assert {(row.status, row.attempts) for row in rows} == {(Status.SENT, 1)}


async def test_a_handler_reassigned_away_before_delivery_gets_nothing(db: Database, service: TicketService,
                                                                      inbox: Inbox, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)

    await inbox.deliver()

    assert inbox.channel.to(MARK) == [] and inbox.kinds(TOM) == ["reassigned"]
    assert "reassigned_reporter" in inbox.kinds(ANN)
    to_mark = await row_to(db)
    assert (to_mark.status, to_mark.last_error) == (Status.CANCELLED, "not_entitled")
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
    class Unknown(MemoryChannel):
        name = "guess"

        async def send(self, delivery: Delivery) -> dict | None:
            raise NotReachable("no such user here")

    fallback = MemoryChannel()
    await worker(db, service, clock, [Unknown(), fallback]).run_once()
    row = await row_to(db)
    assert len(fallback.to(MARK)) == 1 and (row.status, row.channel, row.attempts) == (Status.SENT, "memory", 1)


def test_the_lease_must_outlast_the_timeout(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="lease"):
        DeliveryWorker(None, [], None, clock, timeout=30, lease=timedelta(seconds=30))  # type: ignore[arg-type]
    assert DeliveryWorker(None, [], None, clock, timeout=20).lease > timedelta(seconds=2 * 20)  # type: ignore[arg-type]
