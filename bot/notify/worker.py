"""The delivery worker: takes due notifications from the outbox, sends each through a channel
that reaches its recipient, and marks it sent once.

Several workers (two `serve` processes) share one outbox: a worker claims rows with
`FOR UPDATE SKIP LOCKED` and a lease, sends outside the transaction, and marks the row sent only
while it still holds the lease. A worker that dies between sending and marking leaves the lease to
run out; the next worker sends again with the same idempotency key, which the channel honours.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.metrics import DELIVERIES, DELIVERY_FAILURES
from bot.notify.channel import Channel, Delivery, NotReachable
from bot.notify.models import Notification, Status

log = structlog.get_logger(__name__)
Render = Callable[[AsyncSession, Notification], Awaitable[Delivery | None]]
NO_CHANNEL_RETRY = timedelta(minutes=10)


class DeliveryWorker:
    def __init__(self, db: Database, channels: Sequence[Channel], render: Render, clock: Clock, *,
                 batch: int = 20, lease: timedelta = timedelta(seconds=60), max_attempts: int = 8,
                 poll_seconds: float = 1.0, recipient: str | None = None) -> None:
        self.db = db
        self.channels = list(channels)
        self.render = render
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        #: Claim only this person's notifications (the console reaches one person, and must not
        #: hold back everyone else's by claiming rows it cannot deliver).
        self.recipient = recipient
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (called after a ticket change)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; the batch in hand is finished first."""
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("delivery_round_failed")
                done = 0
            if done == 0:
                self._wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()

    async def run_once(self) -> int:
        """One round: claim due notifications and try each. Returns how many were tried."""
        claimed = await self._claim()
        for notification in claimed:
            await self._deliver(notification)
        return len(claimed)

    async def _claim(self) -> list[Notification]:
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            query = (select(Notification)
                     .where(Notification.status == Status.PENDING, Notification.next_attempt_at <= now,
                            or_(Notification.lease_until.is_(None), Notification.lease_until < now))
                     .order_by(Notification.id).limit(self.batch).with_for_update(skip_locked=True))
            if self.recipient is not None:
                query = query.where(Notification.recipient_email == self.recipient)
            rows = list(await session.scalars(query))
            for row in rows:
                row.lease_owner, row.lease_until, row.attempts = self.owner, now + self.lease, row.attempts + 1
        return rows

    async def _deliver(self, notification: Notification) -> None:
        try:
            async with self.db.session() as session:
                delivery = await self.render(session, notification)
        except Exception as exc:  # noqa: BLE001 - a row that cannot be rendered (a wrong key, say) is a
            # failed attempt like any other: retried with backoff, given up after the most attempts,
            # and never holding up the rows claimed with it until their lease runs out.
            await self._failed(notification, type(exc).__name__)
            return
        if delivery is None:
            await self._finish(notification, Status.FAILED, error="not_entitled")
            return
        for channel in self._channels_for(delivery):
            try:
                await channel.send(delivery)
            except NotReachable:
                continue  # this platform does not know the person after all: try the next
            except Exception as exc:  # noqa: BLE001 - every failure is retried; its class is kept, never its text
                DELIVERY_FAILURES.labels(channel.name, type(exc).__name__).inc()
                await self._failed(notification, type(exc).__name__, getattr(exc, "seconds", 0.0))
                return
            if await self._finish(notification, Status.SENT, channel=channel.name):
                DELIVERIES.labels(channel.name).inc()
            return
        await self._retry(notification, "no_channel", self.clock.now() + NO_CHANNEL_RETRY, count=False)

    def _channels_for(self, delivery: Delivery) -> list[Channel]:
        """The channels that reach the person, best first: the platform they used last, then
        platforms that know them for certain (a stored address, a directory id), then the rest."""
        recent = [name for name, _address in delivery.recipient.addresses]

        def rank(channel: Channel) -> tuple[int, int]:
            knows = getattr(channel, "knows", None)
            certain = bool(knows and knows(delivery.recipient))
            return (recent.index(channel.name) if channel.name in recent else len(recent), 0 if certain else 1)

        return sorted((c for c in self.channels if c.reaches(delivery.recipient)), key=rank)

    def _backoff(self, attempts: int) -> timedelta:
        seconds = min(2 ** attempts, 1800) * random.uniform(0.8, 1.2)
        return timedelta(seconds=seconds)

    async def _failed(self, notification: Notification, error: str, at_least: float = 0.0) -> None:
        if notification.attempts >= self.max_attempts:
            log.warning("delivery_gave_up", notification=notification.id, kind=notification.kind, error=error)
            await self._finish(notification, Status.FAILED, error=error)
        else:
            log.info("delivery_retry", notification=notification.id, attempt=notification.attempts, error=error)
            wait = max(self._backoff(notification.attempts), timedelta(seconds=at_least))
            await self._retry(notification, error, self.clock.now() + wait)

    async def _retry(self, notification: Notification, error: str, when: datetime, *, count: bool = True) -> None:
        values = {"lease_owner": None, "lease_until": None, "next_attempt_at": when, "last_error": error}
        if not count:
            values["attempts"] = Notification.attempts - 1
        await self._update(notification, values)

    async def _finish(self, notification: Notification, status: Status, *, channel: str | None = None,
                      error: str | None = None) -> bool:
        values = {"status": status, "lease_owner": None, "lease_until": None, "channel": channel,
                  "last_error": error, "sent_at": self.clock.now() if status == Status.SENT else None}
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
