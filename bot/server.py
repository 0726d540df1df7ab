"""`snp-bot serve`: one aiohttp application for the platforms, health checks, metrics, and the two
background tasks every server runs: the delivery worker (the outbox) and the ticket timer.

Platform adapters mount their routes on the application this module builds and add their
`Channel` to `app[CHANNELS]` before it starts. On shutdown the background tasks are told to stop
and given time to finish the delivery in hand, so a message is not sent without being marked.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TypeVar

import aiohttp
import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.core import Core
from bot.notify.channel import Channel
from bot.notify.worker import DeliveryWorker

CORE = web.AppKey("core", Core)
CHANNELS = web.AppKey("channels", list)
SCHEMA_OK = web.AppKey("schema_ok", dict)
#: Seconds a stopping server waits for in-flight deliveries before it cancels them (a delivery
#: cancelled mid-send is reconciled by the next attempt: README, Delivery guarantees).
SHUTDOWN_GRACE = 10.0
#: Seconds `/readyz` waits for the database before answering 503.
READY_SECONDS = 0.9
log = structlog.get_logger(__name__)
T = TypeVar("T")
#: Probes given up on, still unwinding: kept so the event loop does not drop them half-way.
_UNWINDING: set[asyncio.Task] = set()


async def healthz(request: web.Request) -> web.Response:
    """200 while the process serves requests."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 when the database answers and its schema is current; 503, with the reason, otherwise.
    Always within READY_SECONDS: a frozen database (one that takes the connection and never
    answers) is a 503 in time, not a probe that hangs. The outbox detail (pending, dead letters)
    comes with the answer when the database gives it in time, and never changes the status."""
    core = request.app[CORE]
    deadline = asyncio.get_running_loop().time() + READY_SECONDS
    try:
        answers = await _by(deadline, core.db.ping())
    except TimeoutError:
        return _unavailable("the database does not answer in time")
    if not answers:
        return _unavailable("the database does not answer")
    if not request.app[SCHEMA_OK].get("ok"):
        return _unavailable("the database needs `snp-bot db upgrade`")
    return web.json_response({"status": "ready", "policy": core.policy.meta.number,
                              "version": core.policy.meta.version, "outbox": await _outbox(core, deadline)})


async def _by(deadline: float, work: Awaitable[T]) -> T:
    """The result of `work` if it comes by `deadline`, else TimeoutError at the deadline. Not
    `asyncio.timeout`: that waits for the cancelled work to unwind, and a database call cancelled
    on a frozen connection unwinds for seconds (the pool resets the connection it held first)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
    if task in done:
        return task.result()
    task.cancel()
    _UNWINDING.add(task)
    task.add_done_callback(_forget)
    raise TimeoutError


def _forget(task: asyncio.Task) -> None:
    _UNWINDING.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so an error while unwinding is not reported as unhandled


def _unavailable(reason: str) -> web.Response:
    return web.json_response({"status": "unavailable", "reason": reason}, status=503)


async def _outbox(core: Core, deadline: float) -> dict | None:
    """Notifications pending and given up, or None when the database cannot say in time."""
    from bot.notify.outbox import figures

    async def read() -> dict:
        async with core.db.session() as session:
            return (await figures(session, core.clock.now())).to_json()

    try:
        return await _by(deadline, read())
    except Exception:  # noqa: BLE001 - the detail is extra: readiness was already decided
        log.warning("readyz_outbox_unknown")
        return None


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _database(app: web.Application) -> AsyncIterator[None]:
    """Bring an empty or embedded database up to date at start; close the pool at the end."""
    core = app[CORE]
    try:
        app[SCHEMA_OK]["ok"] = await core.db.ensure_schema()
    except Exception:  # noqa: BLE001 - the server still starts; /readyz says it is not ready
        log.exception("database_unavailable_at_start")
    if not app[SCHEMA_OK].get("ok"):
        log.warning("database_not_ready", hint="run snp-bot db upgrade, or check SNP_DATABASE_URL")
    yield
    await core.db.dispose()


async def _conversation_workers(app: web.Application) -> AsyncIterator[None]:
    """Conversation turns in worker processes (SNP_CONVERSATION_PROCESSES), started before the
    first request so that nobody waits for a policy to load."""
    core = app[CORE]
    await core.turns.start(core.settings.snp_conversation_processes)
    yield
    core.turns.close()


async def _http_channels(app: web.Application) -> AsyncIterator[None]:
    """Channels the core ships that need an HTTP client (the webhook)."""
    settings = app[CORE].settings
    if not settings.snp_webhook_url:
        yield
        return
    from bot.notify.channels import WebhookChannel

    async with aiohttp.ClientSession() as session:
        app[CHANNELS].append(WebhookChannel(settings.snp_webhook_url, session))
        yield


async def _background(app: web.Application) -> AsyncIterator[None]:
    from bot.ticket.messages import NotificationRenderer

    core = app[CORE]
    settings = core.settings
    stop = asyncio.Event()
    worker = DeliveryWorker(core.db, app[CHANNELS], NotificationRenderer(core.tickets, settings.snp_ack_reminder_hours),
                            core.clock, timeout=settings.snp_delivery_timeout_seconds,
                            concurrency=settings.snp_delivery_concurrency,
                            give_up=timedelta(hours=settings.snp_delivery_give_up_hours))
    core.tickets.wake = worker.wake
    tasks = [asyncio.create_task(worker.run(stop), name="delivery"),
             asyncio.create_task(_timer(core, stop), name="timer")]
    log.info("background_started", channels=[channel.name for channel in app[CHANNELS]], worker=worker.owner)
    yield
    stop.set()
    _done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
    for task in pending:
        task.cancel()
    log.info("background_stopped", cancelled=len(pending))


async def _timer(core: Core, stop: asyncio.Event) -> None:
    """Reminders, escalation and retention, every SNP_TIMER_SECONDS."""
    from bot.conversation.events import forget_before
    from bot.ticket.timers import run_timers

    settings = core.settings
    while not stop.is_set():
        try:
            if (await core.db.revision()) is not None:
                await run_timers(core.tickets, settings.snp_ack_reminder_hours, settings.snp_retention_days)
                await forget_before(core.db, core.clock.now() - timedelta(days=1))
        except Exception:  # noqa: BLE001 - a failed round is logged and tried again next time
            log.exception("timer_round_failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.snp_timer_seconds)
        except TimeoutError:
            pass


#: A platform adapter's hook: mount its routes on the application and add its channel.
Mount = Callable[[web.Application, Core], None]


def create_app(core: Core, channels: list[Channel] | None = None, *, background: bool = True,
               platforms: Sequence[Mount] = ()) -> web.Application:
    """The application: routes, the database lifecycle, the platforms given (the CLI passes those
    configured; the core never imports an adapter), and unless told not to the worker and timer."""
    app = web.Application(client_max_size=1024 * 1024)
    app[CORE] = core
    app[CHANNELS] = list(channels or [])
    app[SCHEMA_OK] = {}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_http_channels)
    for mount in platforms:
        mount(app, core)
    if platforms:
        app.cleanup_ctx.append(_conversation_workers)
    if background:
        app.cleanup_ctx.append(_background)
    return app


def run(host: str, port: int, platforms: Sequence[Mount] = ()) -> None:
    from bot.logs import configure_logging

    configure_logging()
    core = Core.from_settings()
    core.sealer  # noqa: B018 - a missing or bad encryption key stops the server before it listens
    app = create_app(core, platforms=platforms)
    print(f"snp-bot serving on http://{host}:{port}", file=sys.stderr)
    web.run_app(app, host=host, port=port, print=None, shutdown_timeout=SHUTDOWN_GRACE)
