"""The delivery worker's throughput, and what one hung platform call costs everyone else.

In one process, on PostgreSQL (or SQLite with --sqlite): a staff directory of reporters under line
managers, REPORTS reports submitted through the ticket service, then the real `DeliveryWorker.run`
delivering the outbox to a channel that answers after LATENCY seconds (a stand-in for a platform's
round trip). Printed, for concurrency 1 and the default 8:
- notifications delivered per second, and the time to empty the outbox;
- with one line manager's calls hanging until the delivery timeout: the longest any other person's
  first message waited, against that timeout.

    python benchmarks/outbox_bench.py [--reports 200] [--latency 0.05] [--timeout 2] [--sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import SystemClock  # noqa: E402
from bot.confidential import Sealer, new_key  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.directory.models import Person, Role  # noqa: E402
from bot.logs import configure_logging  # noqa: E402
from bot.notify.channel import Delivery, Recipient  # noqa: E402
from bot.notify.models import Notification, Status  # noqa: E402
from bot.notify.worker import DeliveryWorker  # noqa: E402
from bot.policy import load_policy  # noqa: E402
from bot.ticket.content import load_ticket_content  # noqa: E402
from bot.ticket.messages import NotificationRenderer  # noqa: E402
from bot.ticket.report import Report  # noqa: E402
from bot.ticket.service import TicketService  # noqa: E402
from processes import admin  # noqa: E402

MANAGERS = 20


class Platform:
    """Answers every send after `latency` seconds; sends to `hung` never answer (until cancelled)."""

    name = "platform"

    def __init__(self, latency: float, hung: str | None = None) -> None:
        self.latency, self.hung = latency, hung
        self.first_at: dict[str, float] = {}

    def reaches(self, recipient: Recipient) -> bool:
        return True

    async def send(self, delivery: Delivery) -> dict | None:
        if delivery.recipient.email == self.hung:
            await asyncio.Event().wait()
        await asyncio.sleep(self.latency)
        self.first_at.setdefault(delivery.recipient.email, time.perf_counter())
        return {"key": delivery.key}


async def fresh_database(args: argparse.Namespace, folder: Path) -> tuple[Database, str | None]:
    if args.sqlite:
        db = Database(f"sqlite+aiosqlite:///{folder / 'outbox.sqlite3'}")
        await db.upgrade()
        return db, None
    name = f"snp_outbox_bench_{uuid.uuid4().hex[:8]}"
    await admin(args.postgres, f"CREATE DATABASE {name}")
    db = Database(args.postgres.rsplit("/", 1)[0] + "/" + name, pool_size=20)
    await db.upgrade()
    return db, name


async def queue(db: Database, reports: int) -> TicketService:
    now = SystemClock().now()
    async with db.session() as session, session.begin():
        session.add_all([Person(email=f"manager{m}@bench.nhs.uk", name=f"Manager {m}", role=Role.MANAGER,
                                updated_at=now) for m in range(MANAGERS)])
        session.add_all([Person(email=f"staff{i}@bench.nhs.uk", name=f"Staff {i}", role=Role.STAFF,
                                manager_email=f"manager{i % MANAGERS}@bench.nhs.uk", updated_at=now)
                         for i in range(reports)])
    service = TicketService(db, Sealer([new_key().encode()]), load_policy(), load_ticket_content(), SystemClock(),
                            ["ps@bench.nhs.uk"])
    for i in range(reports):
        await service.submit(f"staff{i}@bench.nhs.uk", Report(what=f"A ward rota screenshot, case {i}",
                                                                where="Facebook", when="yesterday"))
    return service


async def pending(db: Database) -> int:
    from sqlalchemy import func, select

    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Notification)
                                    .where(Notification.status == Status.PENDING)) or 0


async def trial(args: argparse.Namespace, concurrency: int, hang: bool) -> str:
    with tempfile.TemporaryDirectory() as folder:
        db, name = await fresh_database(args, Path(folder))
        try:
            service = await queue(db, args.reports)
            rows = await pending(db)
            platform = Platform(args.latency, "manager0@bench.nhs.uk" if hang else None)
            worker = DeliveryWorker(db, [platform], NotificationRenderer(service, 48), SystemClock(),
                                    timeout=args.timeout, concurrency=concurrency, poll_seconds=0.2)
            stop = asyncio.Event()
            started = time.perf_counter()
            running = asyncio.create_task(worker.run(stop))
            others = {f"manager{m}@bench.nhs.uk" for m in range(1 if hang else 0, MANAGERS)}
            while time.perf_counter() - started < 600:
                left = await pending(db)
                if (hang and others <= set(platform.first_at)) or (not hang and left == 0):
                    break
                await asyncio.sleep(0.05)
            seconds = time.perf_counter() - started
            stop.set()
            await running
            if hang:
                waited = max(platform.first_at[o] - started for o in others)
                return (f"one manager's calls hang, concurrency {concurrency}: every other manager's first "
                        f"message within {waited:.2f} s (delivery timeout {args.timeout:g} s)")
            return (f"concurrency {concurrency}: {rows} notifications in {seconds:.2f} s, "
                    f"{rows / seconds:.0f}/s at {args.latency * 1000:g} ms a call")
        finally:
            await db.dispose()
            if name:
                await admin(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("SNP_TEST_POSTGRES_URL",
                                                             "postgresql+asyncpg://127.0.0.1:5432/test"))
    args = parser.parse_args()
    configure_logging(level=40)
    print(f"outbox on {'SQLite' if args.sqlite else 'PostgreSQL'}: {args.reports} reports to {MANAGERS} managers")
    for concurrency in (1, 8):
        print(" ", await trial(args, concurrency, hang=False))
    for concurrency in (1, 8):
        print(" ", await trial(args, concurrency, hang=True))


if __name__ == "__main__":
    asyncio.run(main())
