"""500 breach reports submitted at once against PostgreSQL, delivered by two `snp-bot serve` workers.

What it does, with real parts throughout:
1. creates a PostgreSQL database of its own, migrates it (`snp-bot db upgrade`) and loads a staff
   directory of 500 reporters under 50 line managers (`snp-bot directory import`);
2. starts a loopback webhook receiver that counts every delivery by its idempotency key;
3. starts two `snp-bot serve` processes on that database, each with its delivery worker, both
   delivering to the receiver (`SNP_WEBHOOK_URL`);
4. submits 500 reports concurrently through the ticket service (a pool of database connections);
5. waits until the receiver has every notification (the line manager's and the reporter's
   confirmation, two a report), then a little longer to catch duplicates.

Prints tickets created, unique references, notifications delivered (and any delivered twice),
how the two servers shared the work, and reports per second.

    python benchmarks/tickets_bench.py [--reports 500] [--postgres postgresql+asyncpg://127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
from aiohttp import web
from processes import admin, free_port

ROOT = Path(__file__).resolve().parent.parent
SNP_BOT = str(Path(sys.executable).with_name("snp-bot"))


def directory_csv(reports: int, managers: int) -> str:
    rows = ["email,name,manager_email,role,slack_user_id,teams_user_id",
            "people.services@bench.nhs.uk,People Services,,people_services,,"]
    rows += [f"manager{m}@bench.nhs.uk,Manager {m},,manager,," for m in range(managers)]
    rows += [f"staff{i}@bench.nhs.uk,Staff {i},manager{i % managers}@bench.nhs.uk,staff,,"
             for i in range(reports)]
    return "\n".join(rows) + "\n"


class Receiver:
    """The far end of the webhook: counts deliveries per idempotency key."""

    def __init__(self) -> None:
        self.keys: collections.Counter[str] = collections.Counter()
        self.last_at = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        self.keys[request.headers["Idempotency-Key"]] += 1
        await request.read()
        self.last_at = time.perf_counter()
        return web.json_response({"ok": True})


def snp(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([SNP_BOT, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


async def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"serve on port {port} did not become ready")


async def deliveries_of(port: int) -> float:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    match = re.search(r'^snp_deliveries_total\{channel="webhook"\} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def submit_all(env: dict[str, str], reports: int) -> tuple[float, float, list[str]]:
    """Submit every report at once through the ticket service; returns (seconds, CPU seconds of
    this process, references)."""
    os.environ.update(env)
    from bot.config import Settings
    from bot.core import Core
    from bot.db import Database
    from bot.logs import configure_logging
    from bot.ticket.report import Report

    configure_logging(level=30)

    core = Core.from_settings(Settings())
    core.__dict__["db"] = Database(env["SNP_DATABASE_URL"], pool_size=20)
    reports_ = [Report(what=f"A colleague shared a screenshot of a ward rota in a public group (case {i}).",
                       where="Facebook", when="yesterday") for i in range(reports)]
    started, cpu = time.perf_counter(), time.process_time()
    submitted = await asyncio.gather(*(core.tickets.submit(f"staff{i}@bench.nhs.uk", report)
                                       for i, report in enumerate(reports_)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await core.db.dispose()
    return seconds, cpu, [s.reference for s in submitted]


async def count_rows(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return {"tickets": await conn.fetchval("SELECT count(*) FROM tickets"),
                "references": await conn.fetchval("SELECT count(DISTINCT reference) FROM tickets"),
                "sent": await conn.fetchval("SELECT count(*) FROM notifications WHERE status = 'sent'"),
                "not_sent": await conn.fetchval("SELECT count(*) FROM notifications WHERE status <> 'sent'")}
    finally:
        await conn.close()


async def main(reports: int, postgres: str) -> None:
    name = f"snp_bench_{uuid.uuid4().hex[:8]}"
    await admin(postgres, f"CREATE DATABASE {name}")
    url = postgres.rsplit("/", 1)[0] + "/" + name
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    hook_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    from bot.confidential import new_key

    env = {**os.environ, "SNP_DATABASE_URL": url, "SNP_ENCRYPTION_KEY": new_key(),
           "SNP_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/hook", "SNP_TIMER_SECONDS": "3600"}
    servers: list[subprocess.Popen] = []
    try:
        snp(env, "db", "upgrade")
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
            handle.write(directory_csv(reports, 50))
        print(snp(env, "directory", "import", handle.name).splitlines()[0])
        ports = [free_port(), free_port()]
        servers = [subprocess.Popen([SNP_BOT, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for port in ports]
        await asyncio.gather(*(wait_ready(port) for port in ports))

        started = time.perf_counter()
        seconds, cpu, references = await submit_all(env, reports)
        deadline = time.monotonic() + 120
        # Each report sends two notifications: the line manager's and the reporter's confirmation.
        while len(receiver.keys) < 2 * reports and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        delivered_in = receiver.last_at - started
        await asyncio.sleep(3)  # any late duplicate would arrive now
        rows = await count_rows(url)
        per_server = [await deliveries_of(port) for port in ports]

        twice = sum(1 for n in receiver.keys.values() if n > 1)
        print(f"reports submitted concurrently:  {reports}")
        print(f"tickets created:                 {rows['tickets']}")
        print(f"unique references:               {len(set(references))} (in the database: {rows['references']})")
        print(f"notifications delivered:         {len(receiver.keys)} (delivered twice: {twice}; "
              f"rows marked sent: {rows['sent']}, not sent: {rows['not_sent']})")
        print(f"deliveries by server:            {' + '.join(f'{n:g}' for n in per_server)}")
        print(f"submission:                      {seconds:.2f} s, {reports / seconds:.0f} reports/s "
              f"({cpu / reports * 1000:.1f} ms of the submitting process's CPU per report; {os.cpu_count()} cores "
              "shared with PostgreSQL and both servers)")
        print(f"first submission to last delivery: {delivered_in:.2f} s")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)
        await runner.cleanup()
        await admin(postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("SNP_TEST_POSTGRES_URL",
                                                            "postgresql+asyncpg://127.0.0.1:5432/test"))
    options = parser.parse_args()
    asyncio.run(main(options.reports, options.postgres))
