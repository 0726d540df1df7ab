"""What every fault scenario stands on: a staff directory, a database of its own (SQLite or
PostgreSQL), real `snp-bot serve` processes, and Slack's side of the conversation (signed slash
commands, view submissions and DMs, as Slack sends them).

Everything listens on and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.faults.standins import SECRET, TOKEN, StandIns
from tests.fakes.botframework import TeamsUser
from tests.fakes.slack import FORM, JSON, dm_message, event_body, sign, slash_command_body, view_submission_body

ROOT = Path(__file__).resolve().parents[2]
SNP_BOT = str(Path(sys.executable).with_name("snp-bot"))
POSTGRES_URL = os.environ.get("SNP_TEST_POSTGRES_URL", "postgresql+asyncpg://127.0.0.1:5432/test")
DOMAIN = "faults.nhs.uk"
PEOPLE_SERVICES = f"people.services@{DOMAIN}"
REFERENCE = re.compile(r"SNP-\d{4}-\d{4,}")
QUESTION = "Can I post photos of my team from the Christmas party on Facebook?"


# -- people -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Staff:
    """The staff directory: reporters on Slack (`U00000`…), their line managers on Slack (`UM000`…)
    and, when asked for, on Teams only; People Services on neither (the webhook reaches them); and
    Slack users outside the directory who only ask questions (`UQ0000`…)."""

    reporters: int
    slack_managers: int = 10
    teams_managers: int = 0
    askers: int = 0

    @staticmethod
    def reporter(i: int) -> tuple[str, str]:
        return f"U{i:05d}", f"staff{i}@{DOMAIN}"

    @staticmethod
    def asker(i: int) -> str:
        return f"UQ{i:04d}"

    @staticmethod
    def slack_manager(m: int) -> tuple[str, str]:
        return f"UM{m:03d}", f"manager{m}@{DOMAIN}"

    @staticmethod
    def teams_manager(m: int) -> TeamsUser:
        return TeamsUser.create(f"Teams Manager{m}", email=f"teams.manager{m}@{DOMAIN}")

    def manager_of(self, i: int) -> str:
        """The line manager's email of reporter `i`."""
        m = i % (self.slack_managers + self.teams_managers)
        if m < self.slack_managers:
            return self.slack_manager(m)[1]
        return self.teams_manager(m - self.slack_managers).email

    def csv(self) -> str:
        rows = ["email,name,manager_email,role,slack_user_id,teams_user_id",
                f"{PEOPLE_SERVICES},People Services,,people_services,,"]
        rows += [f"{email},Manager {m},,manager,{uid}," for m in range(self.slack_managers)
                 for uid, email in [self.slack_manager(m)]]
        rows += [f"{user.email},{user.name},,manager,,{user.aad_object_id}" for m in range(self.teams_managers)
                 for user in [self.teams_manager(m)]]
        rows += [f"{email},Staff {i},{self.manager_of(i)},staff,{uid}," for i in range(self.reporters)
                 for uid, email in [self.reporter(i)]]
        return "\n".join(rows) + "\n"

    def people(self) -> dict[str, Any]:
        """What the stand-ins must know: Slack users by id, Teams users by name and email."""
        slack = dict(self.reporter(i) for i in range(self.reporters))
        slack |= dict(self.slack_manager(m) for m in range(self.slack_managers))
        slack |= {self.asker(i): f"asker{i}@elsewhere.example" for i in range(self.askers)}
        teams = [[user.name, user.email] for m in range(self.teams_managers) for user in [self.teams_manager(m)]]
        return {"slack": slack, "teams": teams}


# -- databases ----------------------------------------------------------------------------------

def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def postgres_problem() -> str | None:
    """None when PostgreSQL answers, or why the PostgreSQL scenarios are skipped."""
    import asyncpg

    try:
        conn = await asyncpg.connect(_plain(POSTGRES_URL), timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure to reach it means "skip"
        return f"no PostgreSQL answers at {POSTGRES_URL} ({type(exc).__name__})"
    await conn.close()
    return None


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_plain(POSTGRES_URL), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def command(env: dict[str, str], *args: str) -> tuple[list[str], dict[str, str]]:
    """`snp-bot ARGS` and its environment: this checkout's, or, when SNP_FAULTS_CODE names another
    checkout of the project (a commit before a fix, say), that one's code in this venv."""
    code = os.environ.get("SNP_FAULTS_CODE")
    if not code:
        return [SNP_BOT, *args], env
    return ([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args],
            {**env, "PYTHONPATH": code})


def snp(env: dict[str, str], *args: str) -> str:
    argv, env = command(env, *args)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"snp-bot {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Store:
    """One database of the suite's own, migrated and holding the staff directory."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    name: str = ""  # the PostgreSQL database's name

    @classmethod
    async def create(cls, kind: str, work: Path, staff: Staff, env: dict[str, str]) -> Store:
        if kind == "sqlite":
            store = cls(kind, f"sqlite+aiosqlite:///{work / f'{uuid.uuid4().hex[:8]}.sqlite3'}")
        else:
            name = f"snp_faults_{uuid.uuid4().hex[:10]}"
            await _admin(f"CREATE DATABASE {name}")
            store = cls(kind, POSTGRES_URL.rsplit("/", 1)[0] + "/" + name, name)
        env = {**env, "SNP_DATABASE_URL": store.url}
        csv_file = work / "staff.csv"
        csv_file.write_text(staff.csv())
        await asyncio.to_thread(snp, env, "db", "upgrade")
        await asyncio.to_thread(snp, env, "directory", "import", str(csv_file))
        return store

    async def copy(self, work: Path) -> Store:
        """A copy of this database, for one trial (no server may be using this one)."""
        if self.kind == "sqlite":
            path = work / f"{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copyfile(self.url.split("///", 1)[1], path)
            return Store(self.kind, f"sqlite+aiosqlite:///{path}")
        name = f"snp_faults_{uuid.uuid4().hex[:10]}"
        await _admin(f"CREATE DATABASE {name} TEMPLATE {self.name}")
        return Store(self.kind, POSTGRES_URL.rsplit("/", 1)[0] + "/" + name, name)

    def through(self, host_port: str) -> str:
        """This database's URL by way of a proxy at `host_port`."""
        scheme, rest = self.url.split("://", 1)
        return f"{scheme}://{host_port}/{rest.split('/', 1)[1]}"

    async def drop(self) -> None:
        if self.kind == "sqlite":
            Path(self.url.split("///", 1)[1]).unlink(missing_ok=True)
        else:
            await _admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        engine = create_async_engine(self.url)
        try:
            async with engine.connect() as conn:
                return [dict(row._mapping) for row in await conn.execute(text(sql))]
        finally:
            await engine.dispose()

    async def tickets(self) -> list[dict[str, Any]]:
        return await self.rows("SELECT reference, reporter_email, handler_email FROM tickets")

    async def notifications(self) -> list[dict[str, Any]]:
        return await self.rows("SELECT key, recipient_email, kind, status, channel, attempts FROM notifications")


# -- servers ------------------------------------------------------------------------------------

def base_env(work: Path) -> dict[str, str]:
    """The environment every command of the suite runs with: none of the caller's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SNP_", "MICROSOFT_"))}
    from bot.confidential import new_key

    env.update(HOME=str(work), XDG_DATA_HOME=str(work / "data"), PYTHONUNBUFFERED="1", SNP_ENCRYPTION_KEY=new_key(),
               SNP_PEOPLE_SERVICES=PEOPLE_SERVICES, SNP_TIMER_SECONDS="3600")
    return env


def server_env(env: dict[str, str], stand_ins: StandIns, database_url: str, *, teams: bool = False,
               webhook: bool = False, **extra: str) -> dict[str, str]:
    settings = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": stand_ins.urls["slack_api"], "SNP_DATABASE_URL": database_url, **extra}
    if teams:
        settings["SNP_TEAMS_UNAUTHENTICATED"] = "1"
    if webhook:
        settings["SNP_WEBHOOK_URL"] = stand_ins.urls["webhook"]
    return settings


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One `snp-bot serve`; `start` again after `kill9` for a restart on the same port."""

    name: str
    env: dict[str, str]
    work: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.work / f"{self.name}.log"

    async def start(self, timeout: float = 90) -> None:
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"\n--- start {self.starts} ---\n")
            log.flush()
            argv, env = command(self.env, "serve", "--host", "127.0.0.1", "--port", str(self.port))
            self.process = subprocess.Popen(argv, env=env, cwd=self.work, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
                try:
                    async with session.get(self.url + "/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} was not ready after {timeout:.0f} s:\n{self.tail()}")

    def kill9(self) -> None:
        """SIGKILL to the server and its conversation workers: nothing gets to finish."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.process.wait, 30)
        except subprocess.TimeoutExpired:
            self.kill9()
        if self.process.poll() is None:
            self.kill9()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # conversation workers it left behind
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


# -- Slack's side -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What Slack got back for one view submission."""

    status: int  # the HTTP status, 0 for no answer (a refused or dropped connection)
    #: The answer's response_action ("update", "errors"), "" for an empty 200 (Slack closes the
    #: dialog), "unreadable" for a body that is neither (Slack shows the reporter an error).
    action: str = ""
    reference: str = ""  # the reference the answer shows, if any
    seconds: float = 0.0  # from sending to the answer
    at: float = field(default_factory=time.time)  # when the answer came (wall clock)

    @property
    def acknowledged(self) -> bool:
        """The server said the report is in: Slack would close or replace the dialog. (An answer
        after 3 s counts too, though Slack would show an error instead: what the server said.)"""
        return self.status == 200 and self.action not in ("errors", "unreadable")

    @property
    def in_time(self) -> bool:
        """Acknowledged within Slack's 3 seconds."""
        return self.acknowledged and self.seconds <= 3.0


def report_values(i: int, trial: str) -> dict[str, Any]:
    """The report dialog's answers, as view_submission state values."""
    return {
        "who_user": {"who_user": {"type": "users_select", "selected_user": None}},
        "who": {"who": {"type": "plain_text_input", "value": None}},
        "where": {"where": {"type": "plain_text_input", "value": "Facebook"}},
        "what": {"what": {"type": "plain_text_input", "value": "A colleague posted a photo of the ward "
                          f"whiteboard with patients' names (case {trial}-{i})"}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-01-15"}},
        "evidence": {"evidence": {"type": "plain_text_input", "value": None}},
    }


async def post_signed(session: aiohttp.ClientSession, server: Server, body: str, content_type: str) -> tuple[int, str]:
    headers = {"Content-Type": content_type, **sign(SECRET, body)}
    try:
        async with session.post(server.url + "/slack/events", data=body.encode(), headers=headers) as response:
            return response.status, await response.text()
    except (aiohttp.ClientError, TimeoutError, OSError):
        return 0, ""


async def open_forms(session: aiohttp.ClientSession, server: Server, stand_ins: StandIns, users: list[str],
                     tag: str, timeout: float = 30) -> dict[str, str]:
    """`/snp-report` from each user; returns each user's dialog's private_metadata (its form token)."""
    since = await stand_ins.slack_mark()
    limit = asyncio.Semaphore(16)

    async def one(user: str) -> None:
        body = slash_command_body("/snp-report", "", user_id=user, trigger_id=f"{tag}.{user}",
                                  response_url=stand_ins.urls["slack_api"].removesuffix("api/") + f"response/{tag}")
        async with limit:
            await post_signed(session, server, body, FORM)

    await asyncio.gather(*(one(user) for user in users))
    wanted = {f"{tag}.{user}": user for user in users}
    metadata: dict[str, str] = {}

    async def opened() -> bool:
        for call in await stand_ins.slack_calls("views.open", since):
            if (user := wanted.get(call["params"].get("trigger_id", ""))) is not None:
                metadata[user] = (call["params"].get("view") or {}).get("private_metadata", "")
        return len(metadata) == len(users)

    if not await until(opened, timeout):
        raise RuntimeError(f"{len(users) - len(metadata)} of {len(users)} report dialogs never opened")
    return metadata


async def submit_report(session: aiohttp.ClientSession, server: Server, user: str, metadata: str,
                        values: dict[str, Any], view_id: str) -> Outcome:
    body = view_submission_body(user, "snp_report", values, private_metadata=metadata, view_id=view_id)
    started = time.monotonic()
    status, answer = await post_signed(session, server, body, FORM)
    seconds = time.monotonic() - started
    action = ""
    if status == 200 and answer.strip():
        try:
            action = str(json.loads(answer)["response_action"])
        except (json.JSONDecodeError, KeyError, TypeError):
            action = "unreadable"
    found = REFERENCE.search(answer) if status == 200 else None
    return Outcome(status, action, found.group(0) if found else "", seconds)


async def send_dm(session: aiohttp.ClientSession, server: Server, user: str, text_: str = QUESTION) -> int:
    body = event_body(dm_message(user, text_), event_id=f"Ev{uuid.uuid4().hex[:12].upper()}")
    status, _ = await post_signed(session, server, body, JSON)
    return status


async def posted(stand_ins: StandIns, since: int) -> dict[str, list[dict[str, Any]]]:
    """Messages the bot posted (that took effect on Slack) since `since`, by channel."""
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for call in await stand_ins.slack_calls("chat.postMessage", since):
        if call["landed"]:
            by_channel.setdefault(str(call["params"].get("channel", "")), []).append(call)
    return by_channel


def shows(call: dict[str, Any], words: str) -> bool:
    """Whether a posted message shows `words` to the person reading it."""
    params = call["params"]
    return words in json.dumps([params.get("text"), params.get("blocks")], ensure_ascii=False)


def outbox_key(call: dict[str, Any]) -> str | None:
    """The outbox's idempotency key a Slack message carries in its metadata."""
    metadata = call["params"].get("metadata") or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except json.JSONDecodeError:
            return None
    return (metadata.get("event_payload") or {}).get("key")


async def until(condition: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.5) -> bool:
    """Wait for `condition`; False if it is still not met after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if await condition():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)


async def outbox_settled(store: Store, timeout: float, *, quiet: float = 2.0) -> float | None:
    """Wait until the outbox has nothing left to send (every row sent, cancelled or given up);
    returns when that was (time.monotonic()), or None if it never was in `timeout` seconds."""
    async def settled() -> bool:
        rows = await store.notifications()
        return all(row["status"] != "pending" for row in rows)

    done = time.monotonic() if await until(settled, timeout) else None
    await asyncio.sleep(quiet)  # a late duplicate would arrive now
    return done
