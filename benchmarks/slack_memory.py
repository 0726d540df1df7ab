"""Memory of `snp-bot serve` on the Slack path: RSS while signed DMs, report submissions and ticket
button clicks are driven at it, and after it has been idle.

    python benchmarks/slack_memory.py [--dms 15000] [--reports 1000] [--clicks 2000] [--idle 30]
                                      [--rate 300 | --rate 0 --batch 16] [--postgres] [--tracemalloc]

Three processes: this one (the client: signed Events API `message.im` events, `/snp-report` and
the form's `view_submission`, `block_actions` on a ticket's buttons, as Slack sends them), the
fake Web API (tests/fakes/slack.py, this script again with --fake-api), and `snp-bot serve` with
its conversation worker, after `snp-bot directory import` of 64 staff.

DMs and clicks are sent at --rate a second whatever the answers, as Slack sends what people do:
when the bot answers more slowly than that, acknowledged requests wait in the server, and what
each of them holds while it waits is what this measures. With --rate 0 they go in batches of
--batch, the next when the last is answered (no backlog). Reports always go in batches: a
submission is answered only once its ticket is committed. Every answer is checked against what
that person should see: a DM's chat.postMessage its clause or verdict, a submission's answer its
reference, the line manager's notification the ticket's buttons, a click the rewritten ticket or
a refusal to the clicker alone.

RSS is VmRSS of /proc/PID/status, of the serve process and, separately, of its children (the
conversation workers), every 1,000 requests sent, once all are answered, and after --idle seconds.
Memory freed after one phase is reused by the next: run with --dms 0 to see reports and clicks
alone. Aim (issue 10): growth from 1,000 to 15,000 DMs under 30 MiB. The database is SQLite in a
temporary folder, or with --postgres a database of its own on 127.0.0.1:5432, dropped at the end.
--tracemalloc runs serve under tracemalloc (far slower) and prints the tracebacks whose
allocations grew most from the 1,000th DM sent to the last.

Prints figures only; asserts nothing, and exits non-zero if the server does not start or answers
wrongly.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack import (  # noqa: E402
    FakeSlackAPI,
    block_actions_body,
    dm_message,
    event_body,
    sign,
    slash_command_body,
    view_submission_body,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from processes import admin, free_port, not_ready, serve_counts, start, stop, tail  # noqa: E402

TOKEN = "xoxb-memory-0000-token"
SECRET = "memory-signing-secret-0123456789abcdef"
POSTGRES_ADMIN = "postgresql://127.0.0.1:5432/test"
#: 64 Slack users: U0001-U0008 line managers (their Slack id in the directory), U0009-U0063 staff
#: (every other one matched by the email Slack gives), U0064 People Services.
MANAGERS = [f"U{i:04d}" for i in range(1, 9)]
STAFF = [f"U{i:04d}" for i in range(9, 64)]
PEOPLE_SERVICES = "U0064"
USERS = {f"U{i:04d}": f"staff.member{i}@nhs.net" for i in range(1, 65)}
WARM_UP = 100
CHECKPOINT = 1000
#: DMs, each with what its answer must show: questions cite their clause, drafts get a verdict.
DM_CASES = [
    ("Can I post photos of my team from the {event} on Facebook? ({i})", "5.1.4"),
    ("Can I say which hospital I work at on my Twitter profile? ({i})", "5.1.5"),
    ("check: Long {day} shift on {ward} but we got through it, {n} admissions overnight ({i})", "looks fine"),
    ("check: The patient in bed {n} on {ward}, John Smith, was so rude to us today ({i})", "6.2, breach risk"),
]
EVENTS = ["Christmas party", "charity bake sale", "leaving do", "awards night", "fun run"]
WARDS = ["Ward 7", "Ward 12", "the stroke unit", "A&E", "maternity", "ICU"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: A ticket's buttons clicked in turn by its handler: four steps taken, then one refused.
CLICKS = ["acknowledge", "resolve_informally", "refer_disciplinary", "close", "acknowledge"]


def dm_text(i: int) -> tuple[str, str]:
    template, expected = DM_CASES[i % len(DM_CASES)]
    text = template.format(i=i, event=EVENTS[i % 5], day=DAYS[i % 7], ward=WARDS[i % 6], n=i % 40 + 2)
    return text, expected


def manager_of(user: str) -> str:
    return MANAGERS[int(user[1:]) % len(MANAGERS)]


def staff_csv(path: Path) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["email", "name", "manager_email", "role", "slack_user_id", "teams_user_id"])
        for user in MANAGERS:
            writer.writerow([USERS[user], f"Manager {user}", "", "manager", user, ""])
        for n, user in enumerate(STAFF):
            writer.writerow([USERS[user], f"Staff {user}", USERS[manager_of(user)], "staff",
                             user if n % 2 else "", ""])
        writer.writerow([USERS[PEOPLE_SERVICES], "People Services", "", "people_services", PEOPLE_SERVICES, ""])


def report_values(i: int) -> dict:
    return {
        "who_user": {"who_user": {"type": "users_select", "selected_user": None}},
        "who": {"who": {"type": "plain_text_input", "value": "a nurse from another trust"}},
        "where": {"where": {"type": "plain_text_input", "value": "Facebook"}},
        "what": {"what": {"type": "plain_text_input",
                          "value": f"Posted a photo of the ward whiteboard with patients' names on it ({i})"}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-01-15"}},
        "evidence": {"evidence": {"type": "plain_text_input", "value": f"https://facebook.com/p/{i}"}},
    }


# -- the fake Web API's process ------------------------------------------------------------------

class Seen:
    """What the fake has been asked to do, classified as a Slack user would see it. Calls are
    tallied and dropped, so that the fake's own memory stays flat; what the client follows (answers,
    opened views, notified tickets, updates) is numbered, and kept until the client has read past it,
    so that an answer lost on the way is sent again."""

    def __init__(self, api: FakeSlackAPI) -> None:
        self.api = api
        self.tally: dict[str, int] = {}
        self.items: list[tuple[int, str, list]] = []  # (number, kind, what)
        self.numbers = itertools.count(1)

    def read(self, since: int) -> dict:
        for call in self.api.calls:
            self.tally[call.method] = self.tally.get(call.method, 0) + 1
            if call.status == 200:
                self._classify(call.method, call.params)
        del self.api.calls[:]
        self.items = [item for item in self.items if item[0] > since]
        return {"tally": self.tally, "items": self.items}

    def _add(self, kind: str, what: list) -> None:
        self.items.append((next(self.numbers), kind, what))

    def _classify(self, method: str, params: dict) -> None:
        shown = json.dumps([params.get("text"), params.get("blocks")], ensure_ascii=False)
        channel = str(params.get("channel", ""))
        if method == "chat.postMessage" and params.get("metadata"):
            self.tally["notification"] = self.tally.get("notification", 0) + 1
            for block in params.get("blocks") or []:
                for element in block.get("elements", []) if block.get("type") == "actions" else []:
                    if element.get("action_id") == "snp_ticket:acknowledge":
                        self._add("tickets", [channel, element["value"]])
        elif method == "chat.postMessage":
            self._add("answers", [channel, shown])
        elif method == "views.open":
            view = params.get("view") or {}
            self._add("views", [params.get("trigger_id"), view.get("callback_id"), view.get("private_metadata", "")])
        elif method == "chat.update":
            self._add("updates", [channel, shown])
        elif method == "chat.postEphemeral":
            self._add("ephemerals", [params.get("user"), shown])


def fake_api_server() -> None:
    from aiohttp import web

    async def main() -> None:
        api = FakeSlackAPI(bot_token=TOKEN, users=USERS)
        base = await api.start()
        seen = Seen(api)

        async def counts(request: web.Request) -> web.Response:
            return web.json_response(seen.read(int(request.query.get("since", 0))))

        await serve_counts(counts, {"api": base})
        await api.stop()

    asyncio.run(main())


# -- serve under tracemalloc -----------------------------------------------------------------------

def traced_serve(argv: list[str]) -> None:
    """`snp-bot serve` with tracemalloc on; SIGUSR1 writes a snapshot to $SNP_MEMORY_SNAPSHOTS/N.snap."""
    import tracemalloc

    tracemalloc.start(12)
    folder, taken = Path(os.environ["SNP_MEMORY_SNAPSHOTS"]), [0]

    def snapshot(_signum: int, _frame: object) -> None:
        taken[0] += 1
        tracemalloc.take_snapshot().dump(str(folder / f"{taken[0]}.snap.tmp"))
        (folder / f"{taken[0]}.snap.tmp").rename(folder / f"{taken[0]}.snap")

    signal.signal(signal.SIGUSR1, snapshot)
    from bot.cli import main

    sys.exit(main(argv))


async def take_snapshot(pid: int, folder: Path) -> Path:
    before = len(list(folder.glob("*.snap")))
    os.kill(pid, signal.SIGUSR1)
    while len(list(folder.glob("*.snap"))) == before:
        await asyncio.sleep(0.2)
    return folder / f"{before + 1}.snap"


def print_growth(first: Path, last: Path, top: int = 25) -> None:
    import tracemalloc

    old, new = tracemalloc.Snapshot.load(str(first)), tracemalloc.Snapshot.load(str(last))
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__),
              tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
    stats = new.filter_traces(ignore).compare_to(old.filter_traces(ignore), "traceback")
    print(f"\ntracemalloc: the {top} tracebacks whose allocations grew most in the serve process")
    for stat in stats[:top]:
        print(f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d} blocks")
        for line in stat.traceback.format()[-8:]:
            print(f"      {line.strip()}")


# -- the client ------------------------------------------------------------------------------------

def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@dataclass
class Memory:
    """RSS of the serve process and of its children, as labelled rows."""

    pid: int
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def measure(self, label: str, note: str = "") -> None:
        serve, workers = rss_kib(self.pid), sum(rss_kib(child) for child in children(self.pid))
        self.rows[label] = serve, workers
        print(f"  {label:<26}serve {serve / 1024:7.1f} MiB   workers {workers / 1024:7.1f} MiB   {note}", flush=True)

    def growth(self, first: str, last: str, count: int, what: str) -> str:
        if first not in self.rows or last not in self.rows or count <= 0:
            return ""
        serve = self.rows[last][0] - self.rows[first][0]
        workers = self.rows[last][1] - self.rows[first][1]
        return (f"{what}: serve {serve / 1024:+.1f} MiB ({serve / count:+.2f} KiB each), "
                f"workers {workers / 1024:+.1f} MiB")


class WrongAnswer(Exception):
    """The bot answered a request wrongly, or not at all: the benchmark stops and says what it saw."""


def check(shown: str, expected: str, what: str) -> None:
    if expected.lower() not in shown.lower():
        raise WrongAnswer(f"{what} does not show {expected!r}: {shown[:400]}")


class Pending:
    """Messages the bot owes, by DM channel, each with what it must show; answers to one person
    may come in any order."""

    def __init__(self) -> None:
        self.by_channel: dict[str, list[tuple[str, str]]] = {}
        self.count = 0

    def add(self, channel: str, what: str, marker: str) -> None:
        self.by_channel.setdefault(channel, []).append((what, marker))
        self.count += 1

    def answered(self, channel: str, shown: str) -> None:
        waiting = self.by_channel.get(channel) or []
        for n, (_what, marker) in enumerate(waiting):
            if marker.lower() in shown.lower():
                del waiting[n]
                self.count -= 1
                return
        raise WrongAnswer(f"a message in {channel} matches nothing owed there "
                          f"({[what for what, _ in waiting] or 'nothing'}): {shown[:400]}")


@dataclass
class Client:
    """Posts signed requests as Slack does, and follows what the fake Web API is asked to do: each
    answer is matched with what was owed, each opened form with the command that opened it."""

    url: str
    counts_url: str
    session: aiohttp.ClientSession
    pending: Pending = field(default_factory=Pending)
    views: dict[str, asyncio.Future] = field(default_factory=dict)
    tickets: list[tuple[str, str]] = field(default_factory=list)  # (handler's Slack id, ticket id)
    reports_answered: int = 0
    clicks_sent: int = 0
    clicks_answered: int = 0
    tally: dict[str, int] = field(default_factory=dict)
    error: WrongAnswer | None = None
    since: int = 0  # the last item of the fake's read

    async def post(self, body: str, content_type: str = "application/x-www-form-urlencoded") -> str:
        headers = {"Content-Type": content_type, **sign(SECRET, body)}
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            text = await response.text()
            if response.status != 200:
                raise WrongAnswer(f"POST /slack/events answered {response.status}: {text[:300]}")
            return text

    async def read(self) -> None:
        async with self.session.get(self.counts_url, params={"since": str(self.since)}) as response:
            got = await response.json()
        self.tally = got["tally"]
        for number, kind, what in got["items"]:
            if number > self.since:
                self.since = number
                getattr(self, "_" + kind)(*what)

    def _answers(self, channel: str, shown: str) -> None:
        self.pending.answered(channel, shown)

    def _views(self, trigger: str, callback_id: str, metadata: str) -> None:
        if callback_id != "snp_report":
            raise WrongAnswer(f"/snp-report opened {callback_id!r}, not the report form")
        self.views.setdefault(trigger, asyncio.get_running_loop().create_future()).set_result(metadata)

    def _tickets(self, channel: str, ticket: str) -> None:
        if channel[1:] not in MANAGERS:
            raise WrongAnswer(f"a new ticket was sent to {channel}, who is not a line manager")
        self.tickets.append((channel[1:], ticket))

    def _updates(self, _channel: str, shown: str) -> None:
        check(shown, "SNP-", "an updated ticket message")
        self.clicks_answered += 1

    def _ephemerals(self, _user: str, shown: str) -> None:
        check(shown, "Nothing has changed", "a refused click")
        self.clicks_answered += 1

    async def follow(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.read()
            except aiohttp.ClientConnectionError:  # the fake busy: read again
                pass
            except Exception as error:  # noqa: BLE001 - stops the benchmark, saying why
                self.error = error if isinstance(error, WrongAnswer) else WrongAnswer(f"following the fake: {error!r}")
                return
            await asyncio.sleep(0.02)

    async def until(self, done: Callable[[], bool], what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if self.error:
                raise self.error
            if time.monotonic() > deadline:
                raise WrongAnswer(f"never saw {what} within {timeout:.0f} s; the fake saw {self.tally}; "
                                  f"{self.pending.count} answers owed, {len(self.tickets)} tickets, "
                                  f"{len(self.views)} forms awaited")
            await asyncio.sleep(0.02)

    # -- what people do ---------------------------------------------------------------------------

    async def dm(self, i: int) -> None:
        user = f"U{i % 64 + 1:04d}"
        text, marker = dm_text(i)
        self.pending.add("D" + user, f"DM {i}", marker)
        await self.post(event_body(dm_message(user, text), event_id=f"Ev{uuid.uuid4().hex}"), "application/json")

    async def report(self, i: int) -> None:
        """`/snp-report`, the form it opens, its submission: answered, once committed, with the
        reference; the line manager is owed the ticket (through the outbox)."""
        user = STAFF[i % len(STAFF)]
        trigger = f"{i}.1.{uuid.uuid4().hex[:12]}"
        opened = self.views.setdefault(trigger, asyncio.get_running_loop().create_future())
        await self.post(slash_command_body("/snp-report", "", user_id=user, trigger_id=trigger,
                                           response_url="http://127.0.0.1:9/unused"))
        metadata = await asyncio.wait_for(opened, timeout=600)
        del self.views[trigger]
        answer = await self.post(view_submission_body(user, "snp_report", report_values(i), private_metadata=metadata,
                                                      view_id=f"VM{uuid.uuid4().hex[:10]}"))
        check(answer, "SNP-", f"the answer to report {i}'s submission")
        self.reports_answered += 1

    async def click(self, i: int) -> None:
        """Ticket i's handler clicks its next button (CLICKS): a step taken rewrites the message, a
        step the ticket is past (or, sent before the last was done, not yet at) is refused."""
        manager, ticket = self.tickets[i % len(self.tickets)]
        action = CLICKS[(i // len(self.tickets)) % len(CLICKS)]
        self.clicks_sent += 1
        await self.post(block_actions_body(manager, f"snp_ticket:{action}", ticket, channel="D" + manager,
                                           message={"ts": "1700000000.000100"}))


async def phase(name: str, count: int, one: Callable[[int], Awaitable[None]], owed: Callable[[], int],
                args: argparse.Namespace, memory: Memory, client: Client, *, first: int = 0, rate: float = 0) -> None:
    """`count` of one thing people do: `rate` a second whatever the answers (a backlog builds when
    the bot is slower), or in batches of --batch, the next when the last is answered. RSS every
    1,000 and once everything is answered (`owed` is how many answers are still to come)."""
    began, running, failed = time.monotonic(), set(), []
    settled = lambda: owed() == 0  # noqa: E731
    for done in range(0, count, args.batch if not rate else 1):
        if rate:
            await asyncio.sleep(max(0.0, began + done / rate - time.monotonic()))
            running.add(task := asyncio.ensure_future(one(first + done)))
            task.add_done_callback(running.discard)
            task.add_done_callback(lambda t: t.cancelled() or t.exception() is None or failed.append(t.exception()))
            sent = done + 1
        else:
            sent = min(count, done + args.batch)
            await asyncio.gather(*(one(first + i) for i in range(done, sent)))
            await client.until(settled, f"the answers to {name} {done}..{sent - 1}", timeout=120)
        if failed or client.error:
            raise failed[0] if failed else client.error
        if sent % CHECKPOINT == 0 or sent == count:
            memory.measure(f"{sent:,} {name}", f"{sent / (time.monotonic() - began):4.0f}/s sent; "
                                               f"{owed():5d} answers owed")
    await asyncio.gather(*running)
    await client.until(settled, f"the answers to all {name}", timeout=900)
    memory.measure(f"{name} all answered", f"{time.monotonic() - began:.0f} s from the first")


async def drive(args: argparse.Namespace, client: Client, memory: Memory, pid: int, snapshots: Path) -> None:
    memory.measure("started")
    dms_owed = lambda: client.pending.count  # noqa: E731
    await phase("warm-up DMs", WARM_UP, client.dm, dms_owed, args, memory, client)
    traced: list[Path] = []

    async def dm(i: int) -> None:
        await client.dm(i)
        if args.tracemalloc and i - WARM_UP + 1 in (CHECKPOINT, args.dms):
            traced.append(await take_snapshot(pid, snapshots))

    await phase("DMs", args.dms, dm, dms_owed, args, memory, client, first=WARM_UP, rate=args.rate)
    await asyncio.sleep(args.idle)
    memory.measure(f"{args.idle:.0f} s idle")
    if args.reports:
        tickets = len(client.tickets)
        # Reports in batches whatever --rate: a submission is answered only once committed, so
        # they cannot pile up behind their acknowledgements.
        await phase("reports", args.reports, client.report,
                    lambda: max(0, tickets + client.reports_answered - len(client.tickets)), args, memory, client)
    if args.clicks and client.tickets:
        await phase("clicks", args.clicks, client.click, lambda: client.clicks_sent - client.clicks_answered,
                    args, memory, client, rate=args.rate)
        await asyncio.sleep(args.idle)
        memory.measure(f"{args.idle:.0f} s idle at the end")
    if len(traced) == 2:
        print_growth(*sorted(traced))


def summary(args: argparse.Namespace, memory: Memory) -> None:
    print()
    first, last = f"{CHECKPOINT:,} DMs", f"{args.dms:,} DMs"
    if first in memory.rows and last in memory.rows and args.dms > CHECKPOINT:
        serve = (memory.rows[last][0] - memory.rows[first][0]) / 1024
        workers = (memory.rows[last][1] - memory.rows[first][1]) / 1024
        verdict = "met" if serve + workers < 30 else "NOT met"
        print(memory.growth(first, last, args.dms - CHECKPOINT, f"from {first} to {last}"))
        print(f"aim, growth from {first} to {last} under 30 MiB: {verdict} ({serve + workers:+.1f} MiB)")
    print(memory.growth("warm-up DMs all answered", f"{args.idle:.0f} s idle", args.dms,
                        f"DMs, from warm-up to {args.idle:.0f} s idle"))
    print(memory.growth(f"{args.idle:.0f} s idle", "reports all answered", args.reports, "reports, all answered"))
    print(memory.growth("reports all answered", "clicks all answered", args.clicks, "clicks, all answered"))


# -- the processes ---------------------------------------------------------------------------------

@asynccontextmanager
async def postgres_database(name: str) -> AsyncIterator[str]:
    await admin(POSTGRES_ADMIN, f'DROP DATABASE IF EXISTS "{name}"')
    await admin(POSTGRES_ADMIN, f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://127.0.0.1:5432/{name}"
    finally:
        await admin(POSTGRES_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def start_fake(env: dict[str, str], work: Path, procs: list) -> dict:
    fake = await start(sys.executable, __file__, "--fake-api", log=work / "fake.log", env=env, cwd=work,
                       stdout_pipe=True)
    procs.append(fake)
    line = await fake.stdout.readline()  # type: ignore[union-attr]
    if not line:
        raise SystemExit(f"the fake Slack API did not start:\n{tail(work / 'fake.log')}")
    return json.loads(line)


async def import_staff(executable: str, env: dict[str, str], work: Path, procs: list) -> None:
    staff_csv(work / "staff.csv")
    importer = await start(executable, "directory", "import", str(work / "staff.csv"), log=work / "import.log",
                           env=env, cwd=work)
    procs.append(importer)
    if await importer.wait() != 0:
        raise SystemExit(f"snp-bot directory import failed:\n{tail(work / 'import.log')}")


async def bench(args: argparse.Namespace, work: Path, database_url: str) -> None:
    from bot.confidential import new_key

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SNP_", "MICROSOFT_"))}
    env.update(HOME=str(work), XDG_DATA_HOME=str(work / "data"), PYTHONUNBUFFERED="1")
    procs: list[asyncio.subprocess.Process] = []
    log = work / "serve.log"
    try:
        urls = await start_fake(env, work, procs)
        env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=urls["api"],
                   SNP_DATABASE_URL=database_url, SNP_ENCRYPTION_KEY=new_key(),
                   SNP_PEOPLE_SERVICES=USERS[PEOPLE_SERVICES], SNP_TIMER_SECONDS="30")
        executable = str(Path(sys.executable).with_name("snp-bot"))
        await import_staff(executable, env, work, procs)
        snapshots = work / "snapshots"
        command = [executable, "serve"]
        if args.tracemalloc:
            snapshots.mkdir()
            env["SNP_MEMORY_SNAPSHOTS"] = str(snapshots)
            command = [sys.executable, __file__, "--traced-serve", "serve"]
        port = free_port()
        server = await start(*command, "--port", str(port), log=log, env=env, cwd=work)
        procs.append(server)
        if problem := await not_ready(f"http://127.0.0.1:{port}/readyz", server, log, "snp-bot serve", timeout=120):
            raise SystemExit(problem)
        pace = f"{args.rate:.0f} requests a second" if args.rate else f"batches of {args.batch}"
        print(f"snp-bot serve on {database_url.split('+')[0]}; {len(USERS)} Slack users; {pace}; "
              f"{os.cpu_count()} CPUs", flush=True)
        memory = Memory(server.pid)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
            client = Client(f"http://127.0.0.1:{port}/slack/events", urls["counts"], session)
            stop_following = asyncio.Event()
            follower = asyncio.ensure_future(client.follow(stop_following))
            try:
                await drive(args, client, memory, server.pid, snapshots)
            finally:
                stop_following.set()
                await follower
        if server.returncode is not None:
            raise SystemExit(f"snp-bot serve exited with {server.returncode}:\n{tail(log)}")
        summary(args, memory)
    except WrongAnswer as wrong:
        raise SystemExit(f"{wrong}\n--- serve log ---\n{tail(log)}") from None
    finally:
        for process in reversed(procs):
            await stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dms", type=int, default=15000, help="DMs after the warm-up (default 15000)")
    parser.add_argument("--reports", type=int, default=1000, help="report submissions (default 1000)")
    parser.add_argument("--clicks", type=int, default=2000, help="ticket button clicks (default 2000)")
    parser.add_argument("--idle", type=float, default=30, help="seconds idle before measuring (default 30)")
    parser.add_argument("--rate", type=float, default=300,
                        help="requests a second, sent whatever the answers (default 300; 0: in batches)")
    parser.add_argument("--batch", type=int, default=16,
                        help="with --rate 0: requests at once, the next batch when all are answered (default 16)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="run serve under tracemalloc; print what grew from the 1,000th DM to the last")
    parser.add_argument("--fake-api", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--traced-serve", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake_api:
        return fake_api_server()
    if args.traced_serve is not None:
        return traced_serve(args.traced_serve)
    args.batch = max(1, min(args.batch, 64))
    with tempfile.TemporaryDirectory(prefix="slack-memory-") as work:
        asyncio.run(run(args, Path(work)))


async def run(args: argparse.Namespace, work: Path) -> None:
    if not args.postgres:
        await bench(args, work, f"sqlite+aiosqlite:///{work / 'memory.db'}")
        return
    async with postgres_database(f"snp_memory_{os.getpid()}") as url:
        await bench(args, work, url)


if __name__ == "__main__":
    main()
