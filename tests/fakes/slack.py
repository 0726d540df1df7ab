"""A loopback stand-in for Slack, for tests and benchmarks.

`FakeSlackAPI` is an aiohttp server on 127.0.0.1 that answers the Web API methods the bot uses as
Slack does, records every call, and fails on demand (429 with Retry-After, or 5xx): a few calls
(`fail`), or everything until `restore()` (`outage`: Slack down; `hang`: calls never answered, as
when Slack or the network stalls); `reset()` forgets every call and message.
`POST /control/outage|hang|restore|reset` and `GET /control/calls` do the same for a test in
another process. Point a real `AsyncWebClient(base_url=await api.start())` at it. It also takes
slash commands' `response_url` posts (`api.response_url(name)`), recorded as calls to the method
"response_url".

The builders below make inbound requests as Slack sends them (Events API envelopes, DM messages,
slash commands, block actions, view submissions), and `sign` / `SlackClient` sign them as Slack
does: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Self
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
#: Form fields slack-sdk sends as JSON strings; the fake records them as objects.
_JSON_FIELDS = ("blocks", "view", "attachments")


@dataclass
class Call:
    method: str  # "chat.postMessage"; "response_url" for posts to a response URL
    params: dict[str, Any]
    status: int = 200  # the HTTP status the fake answered with
    content_type: str = ""  # the request's Content-Type: "application/json" or form
    verb: str = "POST"  # slack-sdk sends a few methods (users.info, users.lookupByEmail) as GET
    target: str | None = None  # the name in a response URL
    at: float = field(default_factory=time.time)  # when it arrived (wall clock, comparable across processes)
    landed: bool = False  # the method took effect (a message was posted), whether or not it was answered


@dataclass
class _Failure:
    times: int
    status: int
    retry_after: int
    channel: str | None = None  # fail only calls to this channel (a DM's "D…" id)


@dataclass
class _Outage:
    """Every matching call fails (`status`) or, with status 0, hangs until `restore()`."""

    status: int
    methods: frozenset[str] | None = None  # None: every method
    channel: str | None = None
    times: int | None = None  # hang only this many calls (None: all of them)
    landed: bool = False  # a hung call takes effect (the message is posted) though it is never answered

    def matches(self, method: str, channel: str) -> bool:
        return ((self.methods is None or method in self.methods) and self.channel in (None, channel)
                and self.times != 0)


@dataclass
class FakeSlackAPI:
    bot_token: str
    users: dict[str, str]  # Slack user id -> email
    bot_user_id: str = "UBOT"
    bot_id: str = "BBOT"
    team_id: str = "T0001"
    app_token: str = "xapp-1-test"  # the app-level token Socket Mode connects with
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._failures: dict[str, _Failure] = {}
        self._outage: _Outage | None = None
        self._released = asyncio.Event()  # set by restore(): held calls give up their connection
        self.held = 0  # calls being held unanswered right now
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        #: Socket Mode: the bot's open connections, and the envelope ids it has acknowledged.
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: list[str] = []
        #: The messages posted in each channel, oldest first, as chat.update left them, with the
        #: metadata they were posted with (conversations.history shows it on request).
        self.history: dict[str, list[dict[str, Any]]] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/control/{switch:outage|hang|restore|reset}", self._control)
        app.router.add_get("/control/calls", self._control_calls)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/api/"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- test helpers -------------------------------------------------------------------------

    def response_url(self, name: str) -> str:
        return self.base_url.removesuffix("api/") + f"response/{name}"

    def fail(self, method: str, times: int, status: int = 429, retry_after: int = 1, *,
             channel: str | None = None) -> None:
        """The next `times` calls to `method` (to `channel`, when given) answer with HTTP `status`,
        then it answers normally."""
        self._failures[method] = _Failure(times, status, retry_after, channel)

    def outage(self, status: int = 503, *, methods: list[str] | None = None, channel: str | None = None) -> None:
        """Slack is down: every call (to `methods`, to `channel`, when given) answers HTTP `status`
        until `restore()`."""
        self._outage = _Outage(status, frozenset(methods) if methods else None, channel)

    def hang(self, *, methods: list[str] | None = None, channel: str | None = None, times: int | None = None,
             landed: bool = False) -> None:
        """Matching calls (only the next `times` of them, when given) are never answered: each is
        held open until the client gives up or `restore()` drops its connection. With `landed`, a
        held call still takes effect, as when Slack posted the message and the answer was lost."""
        self._outage = _Outage(0, frozenset(methods) if methods else None, channel, times, landed)

    def restore(self) -> None:
        """Slack is back: calls are answered again, and calls still held lose their connection."""
        self._outage = None
        self._released.set()
        self._released = asyncio.Event()

    def reset(self) -> None:
        """A new workspace, as far as the bot can tell: no calls recorded, no messages in any
        channel, no failures or outage pending."""
        self.restore()
        self._failures.clear()
        self.calls.clear()
        self.history.clear()

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """The calls to `method` once there are at least `count` (failed ones included)."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        found = self.calls_to(method)
        if len(found) < count:
            seen = "\n".join(f"  {c.method} [{c.status}] {c.params}" for c in self.calls) or "  (none)"
            raise AssertionError(f"expected {count} call(s) to {method}, saw {len(found)}; all calls:\n{seen}")
        return found

    async def socket_send(self, kind: str, payload: dict, *, envelope_id: str | None = None) -> str:
        """Push an envelope ("events_api", "slash_commands", "interactive") to the connected bot,
        as Slack does over Socket Mode; returns its id (acknowledged ones land in `acks`)."""
        envelope_id = envelope_id or uuid.uuid4().hex
        for _ in range(500):
            if self.sockets:
                break
            await asyncio.sleep(0.01)
        await self.sockets[-1].send_json({"envelope_id": envelope_id, "payload": payload, "type": kind,
                                          "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                                          "retry_reason": ""})
        return envelope_id

    # -- handlers -----------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                "connection_info": {"app_id": "A0001"}})
        self.sockets.append(socket)
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT and (envelope := json.loads(message.data).get("envelope_id")):
                self.acks.append(envelope)
        return socket

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.base_url.replace("http://", "ws://").removesuffix("api/") + "socket"}

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(request.query)
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        if request.can_read_body and content_type == JSON:
            params.update(await request.json())
        elif request.can_read_body:  # a form; slack-sdk sends some methods' arguments as a query string
            for key, value in (await request.post()).items():
                params[key] = json.loads(value) if key in _JSON_FIELDS and isinstance(value, str) else value
        call = Call(method, params, content_type=content_type, verb=request.method)
        self.calls.append(call)

        outage = self._outage
        if outage and outage.matches(method, self._channel(str(params.get("channel", "")))):
            if outage.status:
                call.status = outage.status
                return web.Response(status=outage.status, text=f"{outage.status} Service Unavailable")
            if outage.times is not None:
                outage.times -= 1
            if outage.landed:
                self._answer(request, call)
            return await self._hold(request, call)

        failure = self._failures.get(method)
        if failure and failure.times > 0 and failure.channel in (None, self._channel(str(params.get("channel", "")))):
            failure.times -= 1
            call.status = failure.status
            if failure.status == 429:
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(failure.retry_after)})
            return web.Response(status=failure.status, text=f"{failure.status} Server Error")
        return web.json_response(self._answer(request, call))

    def _answer(self, request: web.Request, call: Call) -> dict[str, Any]:
        """What Slack answers to an authorised call, having done what it asks."""
        method, params = call.method, call.params
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or params.get("token")
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != (self.app_token if method == "apps.connections.open" else self.bot_token):
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": True}
        call.landed = bool(body.get("ok"))
        return body

    async def _hold(self, request: web.Request, call: Call) -> web.StreamResponse:
        """Answer nothing until `restore()`, then close the connection; give up holding when the
        client does."""
        call.status = 0
        released = self._released
        self.held += 1
        try:
            while not released.is_set() and request.transport is not None and not request.transport.is_closing():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(released.wait(), timeout=0.1)
        finally:
            self.held -= 1
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=503)  # never reaches the client: its connection is closed

    async def _control(self, request: web.Request) -> web.Response:
        """`POST /control/outage|hang|restore` with the switch's arguments as JSON: the switches, for
        a test in another process."""
        switch = request.match_info["switch"]
        options = await request.json() if request.can_read_body else {}
        getattr(self, switch)(**options)
        return web.json_response({"ok": True, "held": self.held})

    async def _control_calls(self, request: web.Request) -> web.Response:
        """`GET /control/calls?since=N&method=M`: the calls recorded from the Nth on, for a test in
        another process; `next` is where the next poll starts."""
        since = int(request.query.get("since", 0))
        method = request.query.get("method")
        calls = [{"index": i, **asdict(call)} for i, call in enumerate(self.calls[since:], since)
                 if method in (None, call.method)]
        return web.json_response({"calls": calls, "next": len(self.calls), "held": self.held})

    async def _response_url(self, request: web.Request) -> web.Response:
        text = await request.text()
        try:
            params = json.loads(text) if text else {}
        except json.JSONDecodeError:
            params = dict(await request.post())
        self.calls.append(Call("response_url", params, content_type=request.content_type,
                               target=request.match_info["name"]))
        return web.Response(text="ok")

    # -- methods --------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + 100 * next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _user(self, user_id: str) -> dict[str, Any]:
        if user_id == self.bot_user_id:
            email, is_bot = None, True
        else:
            email, is_bot = self.users[user_id], False
        name = email.split("@")[0] if email else "snp-bot"
        profile = {"real_name": name.replace(".", " ").title(), "display_name": name,
                   "real_name_normalized": name.replace(".", " ").title(), "display_name_normalized": name,
                   "team": self.team_id}
        if email:
            profile["email"] = email
        return {"id": user_id, "team_id": self.team_id, "name": name, "deleted": False,
                "real_name": profile["real_name"], "tz": "Europe/London", "is_admin": False, "is_owner": False,
                "is_bot": is_bot, "is_app_user": False, "updated": 1_700_000_000, "profile": profile}

    def _message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "app_id": "A0001",
                   "text": params.get("text", ""), "ts": ts, "team": self.team_id}
        if "blocks" in params:
            message["blocks"] = params["blocks"]
        return message

    def _channel(self, channel: str) -> str:
        return "D" + channel if channel.startswith(("U", "W")) else channel

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://nhs-trust.slack.com/", "team": "NHS Trust", "user": "snp-bot",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                "is_enterprise_install": False}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user", "")
        if user_id not in self.users and user_id != self.bot_user_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user(user_id)}

    def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        email = str(params.get("email", "")).lower()
        for user_id, known in self.users.items():
            if known.lower() == email:
                return {"ok": True, "user": self._user(user_id)}
        return {"ok": False, "error": "users_not_found"}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": params["channel"]}}
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if any(u not in self.users for u in users):
            return {"ok": False, "error": "user_not_found"}
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel_id}}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        channel = self._channel(str(params.get("channel", "")))
        message = self._message(params, ts)
        stored = dict(message, metadata=params["metadata"]) if isinstance(params.get("metadata"), dict) else message
        self.history.setdefault(channel, []).append(stored)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = str(params.get("ts", ""))
        for stored in self.history.get(self._channel(str(params.get("channel", ""))), []):
            if stored["ts"] == ts:  # as Slack does: blocks not given are kept, and so is the metadata
                stored.update(text=params.get("text", ""), edited={"user": self.bot_user_id, "ts": self._next_ts()})
                if "blocks" in params:
                    stored["blocks"] = params["blocks"]
        return {"ok": True, "channel": params.get("channel"), "ts": ts, "text": params.get("text", ""),
                "message": self._message(params, ts)}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `limit` at a time (a cursor for the rest); each message's metadata only
        with `include_all_metadata`, as Slack does."""
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = list(reversed(self.history.get(channel, [])))
        start, limit = int(params.get("cursor") or 0), max(1, min(int(params.get("limit") or 100), 999))
        page = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in messages[start:start + limit]]
        more = start + limit < len(messages)
        return {"ok": True, "messages": page, "has_more": more, "pin_count": 0,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _view(self, params: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view = params.get("view") or {}
        view_id = view_id or f"V{next(self._views):08d}"
        return {"ok": True, "view": {
            "id": view_id, "team_id": self.team_id, "type": view.get("type", "modal"),
            "title": view.get("title"), "submit": view.get("submit"), "close": view.get("close"),
            "blocks": view.get("blocks", []), "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
            "state": {"values": {}}, "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "clear_on_close": False, "notify_on_close": False, "root_view_id": view_id,
            "previous_view_id": None, "app_id": "A0001", "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id}}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._view(params, params.get("view_id") or None)

    _views_open = _views_push = _view


# -- inbound requests, as Slack sends them ------------------------------------------------------

def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers for `body` (add the Content-Type yourself)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def _ts() -> str:
    return f"{time.time():.6f}"


def event_body(event: dict, *, event_id: str, team_id: str = "T0001", api_app_id: str = "A0001") -> str:
    return json.dumps({
        "token": "verification-token", "team_id": team_id, "context_team_id": team_id,
        "context_enterprise_id": None, "api_app_id": api_app_id, "event": event, "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": "4-" + uuid.uuid4().hex})


def dm_message(user: str, text: str, *, channel: str | None = None, ts: str | None = None,
               files: list | None = None, bot_id: str | None = None, subtype: str | None = None) -> dict:
    """A `message` event in the IM between `user` and the bot."""
    ts = ts or _ts()
    event: dict[str, Any] = {
        "type": "message", "text": text, "user": user, "ts": ts,
        "blocks": [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
        "team": "T0001", "channel": channel or "D" + user, "event_ts": ts, "channel_type": "im"}
    if bot_id:
        event.update(bot_id=bot_id, subtype=subtype or "bot_message")
    else:
        event["client_msg_id"] = str(uuid.uuid4())
    if files:
        event.update(subtype="file_share", upload=False, display_as_bot=False, files=[
            {"id": f.get("id", f"F{i:08d}"), "created": int(float(ts)), "timestamp": int(float(ts)),
             "name": f.get("name", "file.png"), "title": f.get("name", "file.png"),
             "mimetype": f.get("mimetype", "image/png"), "filetype": f.get("filetype", "png"),
             "pretty_type": f.get("filetype", "png").upper(), "user": user, "size": f.get("size", 1024),
             "mode": "hosted", "is_external": False, "is_public": False,
             "url_private": f"https://files.slack.com/files-pri/T0001-F{i}/{f.get('name', 'file.png')}",
             **f} for i, f in enumerate(files)])
    if subtype:  # an explicit subtype wins
        event["subtype"] = subtype
    return event


def slash_command_body(command: str, text: str, *, user_id: str, trigger_id: str | None = None,
                       response_url: str) -> str:
    """A slash command; each has a trigger id of its own, as Slack gives (so no two are one request)."""
    trigger_id = trigger_id or f"{int(time.time())}.1.{uuid.uuid4().hex[:12]}"
    return urlencode({
        "token": "verification-token", "team_id": "T0001", "team_domain": "nhs-trust",
        "channel_id": "D" + user_id, "channel_name": "directmessage", "user_id": user_id,
        "user_name": user_id.lower(), "command": command, "text": text, "api_app_id": "A0001",
        "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger_id})


def _user_ref(user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": "T0001"}


def block_actions_body(user_id: str, action_id: str, value: str, *, block_id: str = "b",
                       message: dict | None = None, channel: str = "D1", response_url: str | None = None) -> str:
    message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": "", "ts": _ts(), "blocks": [],
               **(message or {})}
    payload = {
        "type": "block_actions", "user": _user_ref(user_id), "api_app_id": "A0001", "token": "verification-token",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex[:12]}", "team": {"id": "T0001", "domain": "nhs-trust"},
        "enterprise": None, "is_enterprise_install": False, "channel": {"id": channel, "name": "directmessage"},
        "message": message, "state": {"values": {}},
        "response_url": response_url or "https://hooks.slack.com/actions/T0001/1/x",
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                     "action_ts": _ts(), "text": {"type": "plain_text", "text": value, "emoji": True}}]}
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(user_id: str, callback_id: str, values: dict, *, private_metadata: str = "",
                         view_id: str = "V1") -> str:
    payload = {
        "type": "view_submission", "team": {"id": "T0001", "domain": "nhs-trust"}, "user": _user_ref(user_id),
        "api_app_id": "A0001", "token": "verification-token",
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex[:12]}",
        "view": {"id": view_id, "team_id": "T0001", "type": "modal", "blocks": [], "callback_id": callback_id,
                 "private_metadata": private_metadata, "state": {"values": values},
                 "hash": f"{int(time.time())}.abcdef12", "title": {"type": "plain_text", "text": "SNP"},
                 "submit": {"type": "plain_text", "text": "Submit"}, "close": None, "clear_on_close": False,
                 "notify_on_close": False, "previous_view_id": None, "root_view_id": view_id, "app_id": "A0001",
                 "external_id": "", "app_installed_team_id": "T0001", "bot_id": "BBOT"},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None}
    return urlencode({"payload": json.dumps(payload)})


def url_verification_body(challenge: str) -> str:
    return json.dumps({"token": "verification-token", "challenge": challenge, "type": "url_verification"})


class SlackClient:
    """Posts signed requests as Slack does. The target is a session (with a `base_url`, or pass a full
    URL as `path`) or a base URL such as "http://127.0.0.1:3978" (a session is opened for the post)."""

    @staticmethod
    async def post(session_or_base_url: aiohttp.ClientSession | str, path: str = "/slack/events", *,
                   body: str, content_type: str = JSON, secret: str, timestamp: int | None = None,
                   retry_num: int | None = None, extra_headers: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                   **sign(secret, body, timestamp)}
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
        headers.update(extra_headers or {})
        if isinstance(session_or_base_url, str):
            async with aiohttp.ClientSession() as session:
                return await _post(session, session_or_base_url.rstrip("/") + path, body, headers)
        return await _post(session_or_base_url, path, body, headers)


async def _post(session: aiohttp.ClientSession, url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with session.post(url, data=body.encode(), headers=headers) as response:
        return response.status, await response.text()
