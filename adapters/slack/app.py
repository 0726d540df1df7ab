"""Building the bolt app and mounting it in `snp-bot serve`.

One `AsyncApp` per process, built from settings and never changed afterwards; bolt verifies every
request's signature and timestamp itself (its verification is never switched off), acknowledges
within Slack's 3 seconds, and ignores the bot's own messages. Before bolt, `signing` refuses a
request without a proper signature (401) or one already received (409); in bolt, `shapes` refuses
a malformed one (400), and whatever still fails before its acknowledgement is a 4xx, not a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import conversation, reports, tickets
from adapters.slack.channel import SlackChannel
from adapters.slack.context import SlackContext
from adapters.slack.identity import BotIdentity
from adapters.slack.people import SlackPeople
from adapters.slack.shapes import check_shape, malformed
from adapters.slack.signing import SignedRequests
from bot.core import Core
from bot.server import CHANNELS, SHUTDOWN_GRACE

log = structlog.get_logger(__name__)
SLACK_APP = web.AppKey("slack_app", AsyncApp)
SLACK_CLIENTS = web.AppKey("slack_clients", tuple)
SLACK_SIGNED = web.AppKey("slack_signed", SignedRequests)
#: What a listener raises on input it did not expect; anything else failing is the server's fault.
INPUT_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def build(core: Core) -> tuple[AsyncApp, SlackContext]:
    settings = core.settings
    # Replies to a person who is waiting retry a rate limit or a server error in the client; the
    # outbox's channel has a client of its own without those handlers, so that the outbox alone
    # decides when a notification is tried again.
    handlers = [AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(2), AsyncServerErrorRetryHandler(2)]
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=handlers)
    # bolt gets a client without the token and authorizes each request itself (identity.py), so
    # that a Slack Web API that is down does not stop requests that need only the database.
    bolt_client = AsyncWebClient(base_url=settings.slack_api_url, retry_handlers=handlers)
    app = AsyncApp(signing_secret=settings.slack_signing_secret or None, client=bolt_client,
                   authorize=BotIdentity(client).authorize, process_before_response=False)
    ctx = SlackContext(core, client, SlackPeople(core.db, client),
                       after_ack=asyncio.Semaphore(max(1, settings.snp_conversation_processes)))
    app.use(check_shape)
    for listeners in (conversation, reports, tickets):
        listeners.register(app, ctx)
    app.error(_failed)
    return app, ctx


async def _failed(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """bolt's error handler. Before the acknowledgement (`response` is set) it decides Slack's
    answer: a 400 for input bolt or a listener could not read, a 503 (Slack retries) otherwise;
    after it, there is nothing left to tell Slack."""
    log.error("slack_listener_failed", error=type(error).__name__)
    if response is None:
        return None
    if isinstance(error, INPUT_ERRORS):
        return malformed("the request could not be read")
    return BoltResponse(status=503, body={"error": "temporarily unavailable; try again"})


def mount(web_app: web.Application, core: Core, *, socket_mode: bool = False) -> None:
    """Serve Slack on `POST /slack/events`, or over Socket Mode; deliver notifications as Slack DMs."""
    app, ctx = build(core)
    web_app[SLACK_APP] = app
    # No retry handlers at all, not even slack-sdk's default one for a dropped connection: a
    # chat.postMessage resent by the client after Slack posted it would be a second DM.
    outbox_client = AsyncWebClient(token=core.settings.slack_bot_token, base_url=core.settings.slack_api_url,
                                   retry_handlers=[])
    web_app[CHANNELS].append(SlackChannel(outbox_client, SlackPeople(core.db, outbox_client),
                                          core.ticket_content))
    web_app[SLACK_CLIENTS] = (ctx, outbox_client)
    web_app.cleanup_ctx.append(_http_session)
    web_app.on_shutdown.append(_finish_backlog)
    if socket_mode:
        web_app.cleanup_ctx.append(_socket_mode)
    else:
        web_app[SLACK_SIGNED] = SignedRequests(core.settings.slack_signing_secret or "")
        web_app.router.add_post("/slack/events", _events)


def mount_socket_mode(web_app: web.Application, core: Core) -> None:
    mount(web_app, core, socket_mode=True)


async def _events(request: web.Request) -> web.StreamResponse:
    """Slack's requests, as bytes: a body that is not UTF-8 cannot carry a valid signature, and
    is refused here rather than failing with a 500."""
    body = (await request.read()).decode("utf-8", errors="replace")
    if refusal := request.app[SLACK_SIGNED].refusal(body, request.headers):
        log.warning("slack_request_refused", status=refusal.status)
        return web.json_response({"error": refusal.error}, status=refusal.status)
    try:
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        response = await request.app[SLACK_APP].async_dispatch(bolt_request)
    except Exception as exc:  # noqa: BLE001 - a body bolt cannot parse is the sender's fault, not a 5xx
        log.warning("slack_request_unreadable", error=type(exc).__name__)
        return web.json_response({"error": "unreadable request"}, status=400)
    return await to_aiohttp_response(response)


async def _http_session(web_app: web.Application) -> AsyncIterator[None]:
    """One connection pool for every call to Slack: without it the client opens a new session, and
    a new TCP connection, for each call."""
    ctx, outbox_client = web_app[SLACK_CLIENTS]
    async with aiohttp.ClientSession() as session:
        ctx.client.session = outbox_client.session = web_app[SLACK_APP].client.session = ctx.http = session
        yield


async def _finish_backlog(web_app: web.Application) -> None:
    """Replies already acknowledged are sent before the conversation workers and the HTTP session close."""
    await web_app[SLACK_CLIENTS][0].backlog.close(SHUTDOWN_GRACE)


async def _socket_mode(web_app: web.Application) -> AsyncIterator[None]:
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(web_app[SLACK_APP], _app_token(web_app))
    await handler.connect_async()
    log.info("slack_socket_mode_connected")
    yield
    await handler.close_async()


def _app_token(web_app: web.Application) -> str:
    from bot.server import CORE

    token = web_app[CORE].settings.slack_app_token
    if not token:
        from bot.config import ConfigurationError

        raise ConfigurationError("SLACK_APP_TOKEN must be set for --socket-mode (an app-level token, xapp-…)")
    return token
