"""The delivery worker: takes due notifications from the outbox, sends each through a channel
that reaches its recipient, and marks it sent once.

Several workers (two `serve` processes) share one outbox: a worker claims rows with
`FOR UPDATE SKIP LOCKED` and a lease, sends outside the transaction, and marks the row only while
it still holds the lease. Before sending it records `sending_at` (and the channel) under the lease;
a row claimed with `sending_at` still set was left mid-send by a worker that died or timed out, so
its channel is first asked whether the message landed (`already_delivered`), and a found message is
marked sent instead of being sent twice.

Every platform call runs under a timeout, several at once, so one hung call holds back only its own
row. A failure is retried with capped, jittered backoff until the row is older than the give-up age;
then it becomes a dead letter: kept, logged and counted, never dropped.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.metrics import DEAD_LETTERS, DELIVERIES, DELIVERY_FAILURES
from bot.notify.channel import NOT_DELIVERED, Channel, Delivery, NotReachable
from bot.notify.models import Notification, Status

log = structlog.get_logger(__name__)
Render = Callable[[AsyncSession, Notification], Awaitable[Delivery | None]]
NO_CHANNEL_RETRY = timedelta(minutes=10)
#: The longest wait between two attempts (give or take the jitter): a platform back after an
#: outage gets its messages within about five minutes.
BACKOFF_CAP_SECONDS = 300.0


class DeliveryWorker:
    def __init__(self, db: Database, channels: Sequence[Channel], render: Render, clock: Clock, *,
                 batch: int = 20, timeout: float = 20.0, concurrency: int = 8,
                 give_up: timedelta = timedelta(hours=72), lease: timedelta | None = None,
                 poll_seconds: float = 1.0, recipient: str | None = None) -> None:
        self.db = db
        self.channels = list(channels)
        self.render = render
        self.clock = clock
        self.batch = batch
        #: Seconds one platform call (a send, or a look-up of an earlier send) may take.
        self.timeout = timeout
        self.concurrency = concurrency
        self.give_up = give_up
        # A row is held for a look-up and a send, each within the timeout, and the marking around
        # them; renewed when sending starts. Another worker takes the row over only after that.
        self.lease = lease or timedelta(seconds=2 * timeout + 20)
        if self.lease.total_seconds() <= timeout:
            raise ValueError("the lease must be longer than the delivery timeout")
        self.poll_seconds = poll_seconds
        #: Claim only this person's notifications (the console reaches one person, and must not
        #: hold back everyone else's by claiming rows it cannot deliver).
        self.recipient = recipient
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self._wake = asyncio.Event()
        self._freed = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (called after a ticket change)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, up to `concurrency` rows at once: a free slot is filled as
        soon as it frees, so a hung call never holds back the rows behind it. Deliveries in hand
        are finished (or cancelled with this task) before it returns."""
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                self._wake.clear()
                self._freed.clear()
                claimed = await self._claim_safely(min(self.batch, self.concurrency - len(in_flight)))
                for notification in claimed:
                    task = asyncio.create_task(self._deliver_safely(notification))
                    in_flight.add(task)
                    task.add_done_callback(self._done(in_flight))
                if not claimed or len(in_flight) >= self.concurrency:
                    await self._idle(stop)
        finally:
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)

    def _done(self, in_flight: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            in_flight.discard(task)
            self._freed.set()
        return done

    async def _claim_safely(self, limit: int) -> list[Notification]:
        if limit <= 0:
            return []
        try:
            return await self._claim(limit)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
            log.exception("delivery_round_failed")
            return []

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for a stop, a wake-up, a free slot, or the next poll."""
        waiters = [asyncio.ensure_future(event.wait()) for event in (stop, self._wake, self._freed)]
        await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def run_once(self) -> int:
        """One round: claim due notifications and try them all, `concurrency` at a time. Returns
        how many were tried."""
        claimed = await self._claim(self.batch)
        outcomes = await asyncio.gather(*(self._deliver(notification) for notification in claimed),
                                        return_exceptions=True)
        for outcome in outcomes:  # every delivery has had its turn; then the first error is raised
            if isinstance(outcome, BaseException):
                raise outcome
        return len(claimed)

    async def _deliver_safely(self, notification: Notification) -> None:
        try:
            await self._deliver(notification)
        except Exception as exc:  # noqa: BLE001 - a database hiccup while marking: the lease runs out, the row is retried
            # The class only: a database error's text can carry the statement's parameters.
            log.warning("delivery_failed", notification=notification.id, error=type(exc).__name__)

    async def _claim(self, limit: int) -> list[Notification]:
        """Lease up to `limit` due rows, at most one per person, and none for a person with a
        delivery in flight (on any worker): deliveries run at once, but each person still gets
        their messages one after another, in the order they were queued."""
        now = self.clock.now()
        busy = select(Notification.recipient_email).where(Notification.status == Status.PENDING,
                                                          Notification.lease_until >= now)
        async with self.db.session() as session, session.begin():
            query = (select(Notification)
                     .where(Notification.status == Status.PENDING, Notification.next_attempt_at <= now,
                            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
                            Notification.recipient_email.not_in(busy))
                     .order_by(Notification.id).limit(limit * 4).with_for_update(skip_locked=True))
            if self.recipient is not None:
                query = query.where(Notification.recipient_email == self.recipient)
            rows: dict[str, Notification] = {}
            for row in await session.scalars(query):
                if len(rows) < limit:
                    rows.setdefault(row.recipient_email, row)
            for row in rows.values():
                row.lease_owner, row.lease_until, row.attempts = self.owner, now + self.lease, row.attempts + 1
        return list(rows.values())

    async def _deliver(self, notification: Notification) -> None:
        async with self._slots:
            try:
                async with self.db.session() as session:
                    delivery = await self.render(session, notification)
            except Exception as exc:  # noqa: BLE001 - a row that cannot be rendered (a wrong key, say) is
                # a failed attempt like any other, and never holds up the rows claimed with it.
                await self._failed(notification, type(exc).__name__, certain=False)
                return
            if delivery is None:  # the recipient may no longer read it: not sent, on purpose
                await self._finish(notification, Status.CANCELLED, error="not_entitled")
                return
            if notification.sending_at is not None and delivery.replaces is None \
                    and await self._reconciled(notification, delivery):
                return
            await self._send(notification, delivery)

    async def _send(self, notification: Notification, delivery: Delivery) -> None:
        for channel in self._channels_for(delivery):
            if not await self._sending(notification, channel):
                log.warning("delivery_lease_lost", notification=notification.id)
                return
            try:
                async with asyncio.timeout(self.timeout):
                    ref = await channel.send(delivery)
            except NotReachable:
                continue  # this platform does not know the person after all: try the next
            except Exception as exc:  # noqa: BLE001 - every failure is retried; its class is kept, never its text
                DELIVERY_FAILURES.labels(channel.name, type(exc).__name__).inc()
                await self._failed(notification, type(exc).__name__, getattr(exc, "seconds", 0.0),
                                   certain=isinstance(exc, NOT_DELIVERED))
                return
            if await self._finish(notification, Status.SENT, channel=channel.name, ref=ref):
                DELIVERIES.labels(channel.name).inc()
            return
        await self._failed(notification, "no_channel", wait=NO_CHANNEL_RETRY, certain=False, count=False)

    async def _reconciled(self, notification: Notification, delivery: Delivery) -> bool:
        """The previous attempt's outcome is unknown: ask its channel whether the message landed.
        True when the row is dealt with (found and marked sent, or the look-up failed and the row
        waits for another try); False to send it now."""
        channel = next((c for c in self.channels if c.name == notification.channel), None)
        look_up = getattr(channel, "already_delivered", None)
        if channel is None or look_up is None:
            return False
        try:
            async with asyncio.timeout(self.timeout):
                ref = await look_up(delivery)
        except NotReachable:
            return False
        except Exception as exc:  # noqa: BLE001 - not knowing, sending again could show it twice: try later
            DELIVERY_FAILURES.labels(channel.name, type(exc).__name__).inc()
            await self._failed(notification, type(exc).__name__, getattr(exc, "seconds", 0.0), certain=False)
            return True
        if ref is None:
            return False
        log.info("delivery_reconciled", notification=notification.id, channel=channel.name)
        if await self._finish(notification, Status.SENT, channel=channel.name, ref=ref):
            DELIVERIES.labels(channel.name).inc()
        return True

    def _channels_for(self, delivery: Delivery) -> list[Channel]:
        """The channels that reach the person, best first: the platform they used last, then
        platforms that know them for certain (a stored address, a directory id), then the rest.
        A delivery that rewrites an earlier message goes only through the channel holding it."""
        if delivery.via is not None:
            return [c for c in self.channels if c.name == delivery.via]
        recent = [name for name, _address in delivery.recipient.addresses]

        def rank(channel: Channel) -> tuple[int, int]:
            knows = getattr(channel, "knows", None)
            certain = bool(knows and knows(delivery.recipient))
            return (recent.index(channel.name) if channel.name in recent else len(recent), 0 if certain else 1)

        return sorted((c for c in self.channels if c.reaches(delivery.recipient)), key=rank)

    def _backoff(self, attempts: int) -> timedelta:
        seconds = min(2.0 ** min(attempts, 30), BACKOFF_CAP_SECONDS) * random.uniform(0.8, 1.2)
        return timedelta(seconds=seconds)

    async def _failed(self, notification: Notification, error: str, at_least: float = 0.0, *,
                      wait: timedelta | None = None, certain: bool = True, count: bool = True) -> None:
        """Try again later, or, once the row is older than the give-up age, keep it as a dead letter.
        `certain`: this attempt's platform answered that nothing was shown, so the next attempt need
        not ask first (otherwise an unknown outcome recorded by `sending_at` is kept)."""
        now = self.clock.now()
        values: dict = {"lease_owner": None, "lease_until": None, "last_error": error}
        if not count:
            values["attempts"] = Notification.attempts - 1
        if certain:
            values.update(sending_at=None, channel=None)
        if now - notification.created_at >= self.give_up:
            log.warning("delivery_dead", notification=notification.id, kind=notification.kind,
                        attempts=notification.attempts, error=error)
            DEAD_LETTERS.labels(notification.kind).inc()
            values["status"] = Status.DEAD
        else:
            log.info("delivery_retry", notification=notification.id, attempt=notification.attempts, error=error)
            wait = wait or max(self._backoff(notification.attempts), timedelta(seconds=at_least))
            values["next_attempt_at"] = now + wait
        await self._update(notification, values)

    async def _sending(self, notification: Notification, channel: Channel) -> bool:
        """Record, under the lease (renewed), that this attempt is about to send through `channel`."""
        now = self.clock.now()
        marked = await self._update(notification, {"sending_at": now, "channel": channel.name,
                                                    "lease_until": now + self.lease})
        if marked:
            notification.sending_at, notification.channel = now, channel.name
        return marked

    async def _finish(self, notification: Notification, status: Status, *, channel: str | None = None,
                      error: str | None = None, ref: dict | None = None) -> bool:
        values = {"status": status, "lease_owner": None, "lease_until": None, "channel": channel,
                  "last_error": error, "sending_at": None,
                  "sent_at": self.clock.now() if status == Status.SENT else None}
        if ref is not None:
            values["platform_ref"] = ref
        marked = await self._update(notification, values)
        if not marked:
            log.warning("delivery_lease_lost", notification=notification.id)
        return marked

    async def _update(self, notification: Notification, values: dict) -> bool:
        """Change the row only while this worker still holds its lease."""
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                update(Notification)
                .where(Notification.id == notification.id, Notification.lease_owner == self.owner,
                       Notification.status == Status.PENDING)
                .values(**values))
        return result.rowcount == 1
