"""A loopback stand-in for Microsoft Teams and the Bot Framework, for tests and benchmarks.

`FakeConnector` is an aiohttp server on 127.0.0.1 that answers as the Bot Framework connector (the
`serviceUrl` of Teams activities) does, so botbuilder's own `ConnectorClient` talks to it: sends,
replies, updates, create-conversation and the Teams member lookups. It records every call and fails
on demand (429 with Retry-After, or 5xx).

`FakeBotFrameworkAuth` is the other end of Bot Framework authentication, locally: the OpenID
metadata and JWKS that inbound tokens are checked against, tokens signed with its key as the
channel signs them, and an AAD token endpoint (HTTPS, self-signed) for the bot's outgoing
MicrosoftAppCredentials. `bot_framework_auth(monkeypatch)` starts it and points botbuilder at it;
see its docstring for exactly what it patches and why.

`TeamsChannel` builds inbound activities shaped as Teams sends them (messages, Action.Submit,
Action.Execute invokes, installation and conversation updates), and `post_activity` posts one to a
bot's `/api/messages`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import ipaddress
import itertools
import json
import os
import re
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import unquote

import aiohttp
import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: The tenant the fake's users, conversations and members belong to.
TENANT_ID = "72f988bf-0000-4a5b-9c1d-5e6f7a8b9c0d"
#: The issuer of channel-to-bot tokens (AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER).
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
#: The real AAD login prefix botbuilder builds its msal authority from.
REAL_LOGIN_PREFIX = "https://login.microsoftonline.com/"
#: The tenant botbuilder asks for channel tokens when the bot is multi-tenant.
BOT_FRAMEWORK_TENANT = "botframework.com"
#: The Bot Framework's own AAD tenant id (issuer of the tokens its token endpoint hands out).
BOT_FRAMEWORK_TENANT_ID = "d6d49420-f39b-4df7-a1dc-d59a935871db"
KINDS = ("send", "update", "delete", "create", "members", "other")
JSON = "application/json"


# -- people -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamsUser:
    """A Teams user as the bot sees them: the Teams id ("29:1…") in activities, the AAD object id,
    and the email/UPN the connector's member lookups answer with."""

    id: str
    aad_object_id: str
    name: str
    email: str
    upn: str

    @classmethod
    def create(cls, name: str, *, email: str | None = None, domain: str = "nhs.net") -> TeamsUser:
        """A user whose ids are derived from `name` (the same name gives the same ids)."""
        email = email or f"{'.'.join(name.lower().split())}@{domain}"
        digest = hashlib.sha256(email.lower().encode()).digest()
        teams_id = "29:1" + base64.urlsafe_b64encode(digest).decode().rstrip("=").replace("-", "A").replace("_", "B")
        return cls(id=teams_id, aad_object_id=str(uuid.UUID(bytes=digest[:16], version=4)), name=name,
                   email=email, upn=email)

    def account(self) -> dict[str, Any]:
        """The `from` of an activity this user sends."""
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id}

    def member(self, tenant_id: str = TENANT_ID) -> dict[str, Any]:
        """This user as the connector's member lookups answer (a TeamsChannelAccount)."""
        given, _, surname = self.name.partition(" ")
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id, "givenName": given,
                "surname": surname, "email": self.email, "userPrincipalName": self.upn, "tenantId": tenant_id,
                "userRole": "user"}


# -- the connector ----------------------------------------------------------------------------------

@dataclass
class ConnectorCall:
    verb: str  # "POST", "PUT", "GET", "DELETE"
    path: str  # decoded, from "v3/" on: "v3/conversations/a:1xyz/activities/1700000000001"
    kind: str  # "send" (send to conversation or reply), "update", "delete", "create", "members", "other"
    conversation_id: str | None = None
    activity_id: str | None = None  # the activity replied to, updated or deleted
    member_id: str | None = None
    body: Any = None  # the JSON body, or None
    status: int = 200  # the HTTP status the fake answered with
    authorization: str | None = None  # the Authorization header as sent
    query: dict[str, str] = field(default_factory=dict)
    response: Any = None  # the JSON the fake answered with
    prefix: str = ""  # the service URL's path before "v3/" ("emea"): which serviceUrl the bot used

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class SentActivity:
    """An activity the bot sent, replied, created a conversation with, or updated (and the fake
    accepted)."""

    conversation_id: str
    id: str  # the id the fake gave it (for updates: the id updated)
    reply_to_id: str | None  # the activity replied to (from the path, or the body's replyToId)
    type: str
    text: str | None
    attachments: list[dict[str, Any]]
    body: dict[str, Any]

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards among the attachments, as dicts."""
        return [a.get("content") or {} for a in self.attachments
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


@dataclass
class _Failure:
    times: int
    status: int
    retry_after: int


class FakeConnector:
    """The Bot Framework connector on 127.0.0.1. `members` maps Teams user ids ("29:…") to member
    dicts (`TeamsUser.member()`) or to `TeamsUser`s; the fake fills in `id`, `tenantId` and
    `userRole` where missing. `require_auth`, when given, is the access token every call must carry
    as `Authorization: Bearer …` (or a predicate on the header); other calls answer 401.

    `service_url` is `http://127.0.0.1:<port>/<region>/` (Teams' service URLs carry a region path);
    the routes answer under any prefix before `v3/` (recorded as `ConnectorCall.prefix`), so
    activities with different serviceUrls on the same fake can be told apart."""

    def __init__(self, members: dict[str, dict[str, Any] | TeamsUser] | None = None, *,
                 tenant_id: str = TENANT_ID, region: str = "emea",
                 require_auth: str | Callable[[str | None], bool] | None = None) -> None:
        self.tenant_id = tenant_id
        self.region = region.strip("/")
        self.members: dict[str, dict[str, Any]] = {}
        for member_id, member in (members or {}).items():
            self.add_member(member_id, member)
        self.require_auth = require_auth
        self.calls: list[ConnectorCall] = []
        self.service_url = ""
        self._failures: dict[str, _Failure] = {}
        self._ids = itertools.count(1)
        self._conversations = itertools.count(1)
        self._runner: web.AppRunner | None = None

    def add_member(self, member_id: str, member: dict[str, Any] | TeamsUser) -> None:
        data = member.member(self.tenant_id) if isinstance(member, TeamsUser) else dict(member)
        data.setdefault("id", member_id)
        data.setdefault("tenantId", self.tenant_id)
        data.setdefault("userRole", "user")
        self.members[member_id] = data

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.service_url = f"http://127.0.0.1:{bound}/{self.region}/" if self.region else f"http://127.0.0.1:{bound}/"
        return self.service_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def teams(self, app_id: str, *, bot_name: str = "SNP Bot") -> TeamsChannel:
        """An activity builder whose activities carry this connector's serviceUrl and tenant."""
        return TeamsChannel(service_url=self.service_url, app_id=app_id, bot_name=bot_name, tenant_id=self.tenant_id)

    # -- test helpers -------------------------------------------------------------------------

    def fail(self, kind: str, times: int, status: int = 429, retry_after: int = 1) -> None:
        """The next `times` calls of `kind` ("send" – sends and replies –, "update", "create",
        "members", "delete") answer HTTP `status` (a 429 with `Retry-After: retry_after`), then the
        fake answers normally."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self._failures[kind] = _Failure(times, status, retry_after)

    def calls_of(self, kind: str) -> list[ConnectorCall]:
        return [call for call in self.calls if call.kind == kind]

    def sent(self, conversation_id: str | None = None) -> list[SentActivity]:
        """Activities sent or replied (and those a create-conversation carried), accepted, in order."""
        found = []
        for call in self.calls:
            if not call.ok or not isinstance(call.body, dict):
                continue
            if call.kind == "send":
                found.append(_sent(call.conversation_id or "", call.response["id"], call.activity_id, call.body))
            elif call.kind == "create" and isinstance(call.body.get("activity"), dict):
                found.append(_sent(call.response["id"], call.response["activityId"], None, call.body["activity"]))
        return [s for s in found if conversation_id is None or s.conversation_id == conversation_id]

    def updates(self, conversation_id: str | None = None) -> list[SentActivity]:
        """Activities updated (PUT), accepted, in order."""
        return [_sent(call.conversation_id or "", call.activity_id or "", None, call.body) for call in self.calls
                if call.kind == "update" and call.ok and isinstance(call.body, dict)
                and conversation_id in (None, call.conversation_id)]

    def created(self) -> list[ConnectorCall]:
        """Create-conversation calls (their `body` is the ConversationParameters), failed ones too."""
        return self.calls_of("create")

    async def wait_for(self, predicate_or_kind: str | Callable[[ConnectorCall], bool], count: int = 1,
                       timeout: float = 10) -> list[ConnectorCall]:
        """The calls of a kind (or matching a predicate) once there are at least `count` of them,
        failed ones included (use a predicate with `call.ok` to count accepted ones only)."""
        if isinstance(predicate_or_kind, str):
            kind = predicate_or_kind
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")

            def predicate(call: ConnectorCall) -> bool:
                return call.kind == kind
            what = f"{kind!r} call(s)"
        else:
            predicate, what = predicate_or_kind, "matching call(s)"
        deadline = time.monotonic() + timeout
        while True:
            found = [call for call in self.calls if predicate(call)]
            if len(found) >= count or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.01)
        if len(found) < count:
            seen = "\n".join(f"  {c.verb} {c.path} [{c.status}] {json.dumps(c.body)[:200] if c.body else ''}"
                             for c in self.calls) or "  (none)"
            raise AssertionError(f"expected {count} {what}, saw {len(found)} in {timeout:g} s; all calls:\n{seen}")
        return found

    # -- handler --------------------------------------------------------------------------------

    def _next_activity_id(self) -> str:
        return str(1_700_000_000_000 + next(self._ids))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        # The raw path keeps conversation ids whole: "19:x@thread.tacv2;messageid=1" arrives quoted.
        raw = request.rel_url.raw_path
        segments = [unquote(s) for s in raw.split("/") if s]
        prefix: list[str] = []
        if "v3" in segments:
            prefix, segments = segments[:segments.index("v3")], segments[segments.index("v3"):]
        body: Any = None
        if request.can_read_body:
            text = await request.text()
            try:
                body = json.loads(text) if text else None
            except json.JSONDecodeError:
                body = text
        call = ConnectorCall(request.method, "/".join(segments), "other", body=body,
                             authorization=request.headers.get("Authorization"), query=dict(request.query),
                             prefix="/".join(prefix))
        self._classify(call, segments)
        self.calls.append(call)

        if self.require_auth is not None:
            allowed = (call.authorization == f"Bearer {self.require_auth}" if isinstance(self.require_auth, str)
                       else self.require_auth(call.authorization))
            if not allowed:
                return self._answer(call, {"message": "Authorization has been denied for this request."}, 401)

        failure = self._failures.get(call.kind)
        if failure and failure.times > 0:
            failure.times -= 1
            if failure.status == 429:
                return self._answer(call, {"error": {"code": "TooManyRequests", "message": "Too many requests"}},
                                    429, {"Retry-After": str(failure.retry_after)})
            return self._answer(call, {"error": {"code": "ServiceError", "message": f"HTTP {failure.status}"}},
                                failure.status)

        handler = getattr(self, f"_{call.kind}")
        status, response = handler(call)
        return self._answer(call, response, status)

    def _answer(self, call: ConnectorCall, response: Any, status: int = 200,
                headers: dict[str, str] | None = None) -> web.Response:
        call.status, call.response = status, response
        return web.json_response(response, status=status, headers=headers)

    @staticmethod
    def _classify(call: ConnectorCall, segments: list[str]) -> None:
        if segments[:2] != ["v3", "conversations"]:
            return
        rest = segments[2:]
        verb = call.verb
        if not rest:
            call.kind = "create" if verb == "POST" else "other"
            return
        call.conversation_id = rest[0]
        tail = rest[1:]
        if tail == ["activities"] and verb == "POST":
            call.kind = "send"
        elif len(tail) == 2 and tail[0] == "activities" and tail[1] != "history":
            call.activity_id = tail[1]
            call.kind = {"POST": "send", "PUT": "update", "DELETE": "delete"}.get(verb, "other")
        elif len(tail) == 3 and tail[0] == "activities" and tail[2] == "members" and verb == "GET":
            call.activity_id, call.kind = tail[1], "members"
        elif tail in (["members"], ["pagedmembers"]) and verb == "GET":
            call.kind = "members"
        elif len(tail) == 2 and tail[0] == "members" and verb == "GET":
            call.member_id, call.kind = tail[1], "members"

    # -- routes ---------------------------------------------------------------------------------

    def _send(self, call: ConnectorCall) -> tuple[int, Any]:
        if not isinstance(call.body, dict) or not call.body.get("type"):
            return 400, {"error": {"code": "BadArgument", "message": "Activity must have a type"}}
        return 200, {"id": self._next_activity_id()}

    def _update(self, call: ConnectorCall) -> tuple[int, Any]:
        if not isinstance(call.body, dict):
            return 400, {"error": {"code": "BadArgument", "message": "Missing activity"}}
        return 200, {"id": call.activity_id}

    def _delete(self, call: ConnectorCall) -> tuple[int, Any]:
        return 200, {}

    def _create(self, call: ConnectorCall) -> tuple[int, Any]:
        params = call.body if isinstance(call.body, dict) else {}
        members = params.get("members") or []
        if not params.get("isGroup") and len(members) != 1:
            return 400, {"error": {"code": "BadArgument", "message": "A 1:1 conversation needs exactly one member"}}
        response = {"id": f"a:new-{next(self._conversations)}", "serviceUrl": self.service_url}
        if isinstance(params.get("activity"), dict):
            response["activityId"] = self._next_activity_id()
        return 201, response

    def _members(self, call: ConnectorCall) -> tuple[int, Any]:
        if call.member_id is not None:
            member = self.members.get(call.member_id)
            if member is None:
                # Teams also finds members by AAD object id.
                member = next((m for m in self.members.values() if m.get("aadObjectId") == call.member_id), None)
            if member is None:
                return 404, {"error": {"code": "MemberNotFoundInConversation",
                                       "message": "The member is not found in the conversation"}}
            return 200, member
        if call.path.endswith("/pagedmembers"):
            return 200, {"members": list(self.members.values())}
        return 200, list(self.members.values())

    def _other(self, call: ConnectorCall) -> tuple[int, Any]:
        return 200, {}


def _sent(conversation_id: str, activity_id: str, reply_to: str | None, body: dict[str, Any]) -> SentActivity:
    return SentActivity(conversation_id=conversation_id, id=activity_id, reply_to_id=reply_to or body.get("replyToId"),
                        type=body.get("type", ""), text=body.get("text"), attachments=list(body.get("attachments") or []),
                        body=body)


# -- Bot Framework authentication, locally -----------------------------------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _self_signed(key: rsa.RSAPrivateKey, common_name: str, *, server: bool) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True))
    if server:
        builder = (builder
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    return builder.sign(key, hashes.SHA256())


class FakeBotFrameworkAuth:
    """The Bot Framework's token issuer and AAD's token endpoint, on 127.0.0.1.

    Over HTTP (`base_url`):
      - `/.well-known/openidconfiguration` (also under `/v1/`, as at login.botframework.com): the
        OpenID metadata, with `issuer` https://api.botframework.com and `jwks_uri` `/keys`;
      - `/keys`: a JWKS with one RSA key (`kid`, `x5t`, `x5c`, `endorsements`).
    Over HTTPS with a self-signed certificate (`login_url_prefix`; `ca_file` holds the certificate,
    because msal only accepts an https authority):
      - `/{tenant}/v2.0/.well-known/openid-configuration`: msal's tenant discovery;
      - `POST /{tenant}/oauth2/v2.0/token`: client credentials → an access token (a JWT signed with
        the same key, `aud` the requested scope without "/.default", `appid` the client id).

    botbuilder fetches the metadata with blocking `requests.get` and msal fetches tokens with
    blocking `requests`, both on the bot's event loop, so this server runs its own event loop in a
    thread: it answers while the caller's loop is blocked.

    `apps` (app id → password), when given, is who may get a token; others get AAD's 401
    `invalid_client`. Every request lands in `requests` as (verb, path); token requests' forms in
    `token_requests`; handed-out access tokens in `issued`.

    `hang()` holds every metadata and JWKS request unanswered (as when Microsoft's endpoint stalls)
    until `hang(False)`, or for `hang_seconds` at most; `held` counts the requests held now."""

    def __init__(self, *, endorsements: tuple[str, ...] = ("msteams",), apps: dict[str, str] | None = None) -> None:
        self.endorsements = list(endorsements)
        self.apps = apps
        self.kid = _b64url(os.urandom(18))
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # for forged tokens
        self._signing_cert = _self_signed(self._key, "login.botframework.com", server=False)
        self._tls_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._tls_cert = _self_signed(self._tls_key, "127.0.0.1", server=True)
        self._dir = tempfile.TemporaryDirectory(prefix="fake-botframework-auth-")
        self.ca_file = os.path.join(self._dir.name, "ca.pem")
        with open(self.ca_file, "wb") as out:
            out.write(self._tls_cert.public_bytes(serialization.Encoding.PEM))
        self._key_file = os.path.join(self._dir.name, "key.pem")
        with open(self._key_file, "wb") as out:
            out.write(self._tls_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
        self.requests: list[tuple[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.issued: list[str] = []
        self.held = 0
        self.hang_seconds = 30.0
        self._hanging = threading.Event()
        self.base_url = ""
        self.login_url_prefix = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- urls -----------------------------------------------------------------------------------

    @property
    def openid_metadata_url(self) -> str:
        """What `ChannelValidation.open_id_metadata_endpoint` (or the configuration's
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL) should be."""
        return self.base_url + ".well-known/openidconfiguration"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "keys"

    @property
    def login_url(self) -> str:
        """The msal authority for the Bot Framework tenant (TO_CHANNEL_FROM_BOT_LOGIN_URL)."""
        return self.login_url_prefix + BOT_FRAMEWORK_TENANT

    @property
    def token_endpoint(self) -> str:
        return f"{self.login_url}/oauth2/v2.0/token"

    def configuration(self, app_id: str, password: str, **extra: Any) -> Any:
        """A configuration object for `ConfigurationBotFrameworkAuthentication` whose URLs point at
        this fake (botbuilder then takes its parameterized path: no patching of the inbound half)."""
        from types import SimpleNamespace

        return SimpleNamespace(APP_ID=app_id, APP_PASSWORD=password, APP_TYPE="MultiTenant",
                               TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=self.openid_metadata_url,
                               TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=BOT_FRAMEWORK_ISSUER,
                               TO_CHANNEL_FROM_BOT_LOGIN_URL=self.login_url,
                               TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=BOT_FRAMEWORK_ISSUER,
                               TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=self.openid_metadata_url,
                               VALIDATE_AUTHORITY=False, **extra)

    # -- tokens ---------------------------------------------------------------------------------

    def token(self, app_id: str, service_url: str, *, expired: bool = False, audience: str | None = None,
              issuer: str = BOT_FRAMEWORK_ISSUER, signed: bool = True, forged: bool = False,
              kid: str | None = None, lifetime: int = 3600, claims: dict[str, Any] | None = None) -> str:
        """A channel-to-bot token as the Bot Framework sends in `Authorization: Bearer …`: RS256 with
        `kid`, claims `serviceurl`, `nbf`, `exp`, `iss`, `aud` (the bot's app id).

        `expired` puts `exp` an hour back (botbuilder allows 5 minutes of clock skew); `signed=False`
        gives an `alg: none` token; `forged` signs with a key that is not in the JWKS (same `kid`)."""
        now = int(time.time())
        payload = {"serviceurl": service_url, "nbf": now - 300, "exp": now - 3600 if expired else now + lifetime,
                   "iss": issuer, "aud": app_id if audience is None else audience}
        payload.update(claims or {})
        headers = {"kid": kid or self.kid, "x5t": self._x5t(), "typ": "JWT"}
        if not signed:
            return jwt.encode(payload, None, algorithm="none", headers=headers)
        return jwt.encode(payload, self._other_key if forged else self._key, algorithm="RS256", headers=headers)

    def access_token(self, app_id: str, *, scope: str = BOT_FRAMEWORK_ISSUER, lifetime: int = 3600) -> str:
        """The token the fake AAD endpoint hands the bot for calling the connector."""
        now = int(time.time())
        payload = {"aud": scope.removesuffix("/.default"), "iss": f"https://sts.windows.net/{BOT_FRAMEWORK_TENANT_ID}/",
                   "iat": now, "nbf": now - 300, "exp": now + lifetime, "appid": app_id, "appidacr": "1",
                   "idp": f"https://sts.windows.net/{BOT_FRAMEWORK_TENANT_ID}/", "tid": BOT_FRAMEWORK_TENANT_ID,
                   "ver": "1.0", "jti": uuid.uuid4().hex}
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def check_access_token(self, authorization: str | None, app_id: str | None = None) -> bool:
        """Whether an `Authorization` header carries an access token this fake issued (to `app_id`,
        when given) for the Bot Framework and still valid: use as `FakeConnector(require_auth=…)`."""
        if not authorization or not authorization.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(authorization.removeprefix("Bearer "), self._key.public_key(), algorithms=["RS256"],
                                audience=BOT_FRAMEWORK_ISSUER)
        except jwt.PyJWTError:
            return False
        return app_id is None or claims.get("appid") == app_id

    def _x5t(self) -> str:
        return _b64url(self._signing_cert.fingerprint(hashes.SHA1()))  # x5t is SHA-1 by definition

    def jwks(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        der = self._signing_cert.public_bytes(serialization.Encoding.DER)
        return {"keys": [{
            "kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self._x5t(),
            "n": _b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
            "x5c": [base64.b64encode(der).decode()], "endorsements": list(self.endorsements)}]}

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start serving (on a thread with its own event loop); blocking."""
        if self._thread is not None:
            return
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-botframework-auth", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=30)

    def hang(self, on: bool = True) -> None:
        """Hold the OpenID metadata and JWKS requests unanswered (or, with False, let them go)."""
        if on:
            self._hanging.set()
        else:
            self._hanging.clear()

    async def _held(self) -> None:
        self.held += 1
        try:
            deadline = time.monotonic() + self.hang_seconds
            while self._hanging.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        finally:
            self.held -= 1

    def stop(self) -> None:
        self._hanging.clear()
        if self._thread is None or self._loop is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()
        self._thread = self._loop = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.close)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/v1/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/keys", self._keys)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._tenant_discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/common/discovery/instance", self._instance_discovery)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        plain = web.TCPSite(self._runner, "127.0.0.1", 0)
        await plain.start()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, self._key_file)
        secure = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await secure.start()
        self.base_url = f"http://127.0.0.1:{plain._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]
        self.login_url_prefix = f"https://127.0.0.1:{secure._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]

    # -- handlers -------------------------------------------------------------------------------

    def _record(self, request: web.Request) -> None:
        self.requests.append((request.method, request.path))

    async def _openid(self, request: web.Request) -> web.Response:
        self._record(request)
        await self._held()
        return web.json_response({
            "issuer": BOT_FRAMEWORK_ISSUER,
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": self.jwks_url,
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"]})

    async def _keys(self, request: web.Request) -> web.Response:
        self._record(request)
        await self._held()
        return web.json_response(self.jwks())

    async def _tenant_discovery(self, request: web.Request) -> web.Response:
        self._record(request)
        tenant = request.match_info["tenant"]
        base = f"{self.login_url_prefix}{tenant}"
        return web.json_response({
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"https://login.microsoftonline.com/{BOT_FRAMEWORK_TENANT_ID}/v2.0",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "tenant_region_scope": "WW", "cloud_instance_name": "microsoftonline.com"})

    async def _instance_discovery(self, request: web.Request) -> web.Response:
        self._record(request)
        return web.json_response({"tenant_discovery_endpoint": f"{self.login_url}/v2.0/.well-known/openid-configuration",
                                  "api-version": "1.1", "metadata": []})

    async def _token(self, request: web.Request) -> web.Response:
        self._record(request)
        form = {key: str(value) for key, value in (await request.post()).items()}
        form["tenant"] = request.match_info["tenant"]
        self.token_requests.append(form)
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type",
                                      "error_description": "AADSTS70003: unsupported grant type"}, status=400)
        if self.apps is not None and self.apps.get(client_id) != secret:
            return web.json_response({"error": "invalid_client", "error_description":
                                      "AADSTS7000215: Invalid client secret provided."}, status=401)
        scope = form.get("scope", "").split()[0] if form.get("scope") else BOT_FRAMEWORK_ISSUER
        token = self.access_token(client_id, scope=scope)
        self.issued.append(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                                  "access_token": token})


class _TrustingSession:
    """The HTTP client handed to msal: a requests session that trusts the fake's certificate on every
    call (an explicit `verify` also wins over REQUESTS_CA_BUNDLE)."""

    def __init__(self, ca_file: str) -> None:
        import requests

        self._session = requests.Session()
        self._ca_file = ca_file

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs["verify"] = self._ca_file
        return self._session.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        kwargs["verify"] = self._ca_file
        return self._session.post(url, **kwargs)

    def close(self) -> None:
        self._session.close()


def msal_app_factory(auth: FakeBotFrameworkAuth, original: Any = None) -> Callable[..., Any]:
    """A stand-in for `msal.ConfidentialClientApplication` that reaches `auth`'s token endpoint:
    authorities on login.microsoftonline.com are moved to the fake, instance discovery (a call to
    login.microsoftonline.com that botbuilder never turns off) is off, and the fake's certificate is
    trusted."""
    if original is None:
        from msal import ConfidentialClientApplication as original

    def create(client_id: str, client_credential: Any = None, authority: str | None = None, **kwargs: Any) -> Any:
        if authority and authority.lower().startswith(REAL_LOGIN_PREFIX):
            # A bare prefix (no tenant) is what a parameterized login URL without a tenant gives.
            authority = auth.login_url_prefix + (authority[len(REAL_LOGIN_PREFIX):].strip("/") or BOT_FRAMEWORK_TENANT)
        kwargs["instance_discovery"] = False
        kwargs["http_client"] = _TrustingSession(auth.ca_file)
        return original(client_id, client_credential=client_credential, authority=authority, **kwargs)

    return create


def forget_openid_metadata(url: str) -> None:
    """Drop botbuilder's cached keys for a metadata URL (JwtTokenExtractor caches them per URL for a
    day, across instances: a fake restarted on a reused port would otherwise be checked against the
    previous fake's keys)."""
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

    JwtTokenExtractor.metadataCache.pop(url, None)


@contextlib.asynccontextmanager
async def bot_framework_auth(monkeypatch: Any = None, **kwargs: Any) -> AsyncIterator[FakeBotFrameworkAuth]:
    """Start a `FakeBotFrameworkAuth` (kwargs go to it) and point botbuilder at it, inbound and
    outbound; everything is restored on exit (and by `monkeypatch`, when given, at teardown too).

    Patched:
      - `botframework.connector.auth.ChannelValidation.open_id_metadata_endpoint` (a class
        attribute, None by default) → the fake's metadata URL. ChannelValidation reads it at every
        request; BotFrameworkAdapter and CloudAdapter's default (public-cloud) authentication, i.e.
        ConfigurationBotFrameworkAuthentication without URL settings, both validate through it.
      - `ConfidentialClientApplication` in `botframework.connector.auth.microsoft_app_credentials`
        (and in `…certificate_app_credentials`) → `msal_app_factory(auth)`. MicrosoftAppCredentials
        builds an msal app per instance with authority TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX +
        tenant; the stand-in moves a login.microsoftonline.com authority to the fake's
        https://127.0.0.1:<port>/, turns msal's instance discovery off and trusts the fake's
        certificate. Patching AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX alone
        cannot work: msal accepts only https authorities, and for a host it does not know it first
        asks login.microsoftonline.com (instance discovery), which botbuilder never turns off (its
        `validate_authority` setting never reaches msal). Nor is that constant patched here: the
        public-cloud authentication copies it when built, so an adapter built before the patch
        would no longer match it and would treat login.microsoftonline.com as a private cloud.
    And `JwtTokenExtractor.metadataCache` loses the fake's URL on entry and exit.

    A ConfigurationBotFrameworkAuthentication built from `auth.configuration(app_id, password)`
    needs only the msal patch: its metadata URL, issuer and login URL point at the fake already."""
    from botframework.connector.auth import ChannelValidation, certificate_app_credentials, microsoft_app_credentials

    auth = FakeBotFrameworkAuth(**kwargs)
    await asyncio.to_thread(auth.start)
    forget_openid_metadata(auth.openid_metadata_url)
    patches = [
        (ChannelValidation, "open_id_metadata_endpoint", auth.openid_metadata_url),
        (microsoft_app_credentials, "ConfidentialClientApplication",
         msal_app_factory(auth, microsoft_app_credentials.ConfidentialClientApplication)),
        (certificate_app_credentials, "ConfidentialClientApplication",
         msal_app_factory(auth, certificate_app_credentials.ConfidentialClientApplication)),
    ]
    saved = [(target, name, target.__dict__[name]) for target, name, _ in patches]
    try:
        for target, name, value in patches:
            if monkeypatch is not None:
                monkeypatch.setattr(target, name, value)
            else:
                setattr(target, name, value)
        yield auth
    finally:
        for target, name, value in saved:
            setattr(target, name, value)
        forget_openid_metadata(auth.openid_metadata_url)
        await asyncio.to_thread(auth.close)


# -- inbound activities, as Teams sends them ------------------------------------------------------

_last_id = 0
_id_lock = threading.Lock()


def _message_id() -> str:
    """Teams message ids are epoch milliseconds; these are also unique within the process."""
    global _last_id
    with _id_lock:
        _last_id = max(_last_id + 1, int(time.time() * 1000))
        return str(_last_id)


def _stamps() -> dict[str, str]:
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(ZoneInfo("Europe/London"))
    return {"timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "localTimestamp": local.isoformat(timespec="milliseconds")}


def _hash(*parts: str, length: int = 40) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return _b64url(digest + hashlib.sha256(digest).digest())[:length]


@dataclass
class TeamsChannel:
    """Builds activities as Teams posts them to a bot: channelId "msteams", this `service_url`,
    `from` the user, `recipient` the bot ("28:<app id>"), the conversation (personal, groupChat or
    channel) with its tenant, channelData with the tenant, locale en-GB, timestamps, a clientInfo
    entity and `textFormat: "plain"`. Each returns a JSON-ready dict (camelCase keys)."""

    service_url: str
    app_id: str
    bot_name: str = "SNP Bot"
    tenant_id: str = TENANT_ID
    locale: str = "en-GB"
    team_id: str = "19:" + _hash("team", length=32) + "@thread.tacv2"

    @property
    def bot_id(self) -> str:
        return f"28:{self.app_id}"

    def bot_account(self) -> dict[str, Any]:
        return {"id": self.bot_id, "name": self.bot_name}

    def conversation_id(self, user: TeamsUser, conversation_type: str = "personal") -> str:
        """The conversation a user has with the bot: "a:1…" in a personal chat, a "19:…@thread.v2"
        group chat, a "19:…@thread.tacv2" channel (thread replies carry ";messageid=…")."""
        if conversation_type == "personal":
            return "a:1" + _hash(self.app_id, user.id, length=60)
        if conversation_type == "groupChat":
            return "19:" + _hash("group", self.app_id, length=32) + "@thread.v2"
        if conversation_type == "channel":
            return "19:" + _hash("channel", self.team_id, length=32) + "@thread.tacv2"
        raise ValueError(f"conversation_type must be personal, groupChat or channel, not {conversation_type!r}")

    def _conversation(self, user: TeamsUser, conversation_type: str, conversation_id: str | None) -> dict[str, Any]:
        conversation: dict[str, Any] = {"conversationType": conversation_type, "tenantId": self.tenant_id,
                                        "id": conversation_id or self.conversation_id(user, conversation_type)}
        if conversation_type != "personal":
            conversation["isGroup"] = True
        if conversation_type == "channel":
            conversation["name"] = "Social media questions"
        return conversation

    def _channel_data(self, conversation_type: str, **extra: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"tenant": {"id": self.tenant_id}}
        if conversation_type == "channel":
            channel_id = "19:" + _hash("channel", self.team_id, length=32) + "@thread.tacv2"
            data.update(teamsChannelId=channel_id, teamsTeamId=self.team_id,
                        channel={"id": channel_id, "name": "Social media questions"},
                        team={"id": self.team_id, "name": "Ward 7", "aadGroupId": str(uuid.UUID(_hash_hex("group")))})
        data.update(extra)
        return data

    def _base(self, kind: str, user: TeamsUser, conversation_type: str, conversation_id: str | None,
              activity_id: str | None) -> dict[str, Any]:
        return {
            "type": kind, "id": activity_id or _message_id(), **_stamps(), "serviceUrl": self.service_url,
            "channelId": "msteams", "from": user.account(),
            "conversation": self._conversation(user, conversation_type, conversation_id),
            "recipient": self.bot_account(),
            "entities": [{"locale": self.locale, "country": self.locale.split("-")[-1], "platform": "Web",
                          "timezone": "Europe/London", "type": "clientInfo"}],
            "channelData": self._channel_data(conversation_type),
            "locale": self.locale, "localTimezone": "Europe/London"}

    def message(self, user: TeamsUser, text: str, *, conversation_type: str = "personal",
                attachments: list[dict[str, Any]] | None = None, id: str | None = None,
                conversation_id: str | None = None, mention: bool | None = None, html: bool = True,
                reply_to_id: str | None = None) -> dict[str, Any]:
        """A message the user typed. In a group chat or channel the bot sees only messages that
        @mention it: the text then starts with "<at>Bot name</at> " and a mention entity names the
        bot (`mention=False` leaves it out). Teams adds a text/html copy of the message as an
        attachment (`html=False` leaves it out); `attachments` are added after it."""
        activity = self._base("message", user, conversation_type, conversation_id, id)
        mention = conversation_type != "personal" if mention is None else mention
        if mention:
            tag = f"<at>{self.bot_name}</at>"
            text = f"{tag} {text}"
            activity["entities"].insert(0, {"type": "mention", "text": tag, "mentioned": self.bot_account()})
        activity.update(text=text, textFormat="plain")
        extra = list(attachments or [])
        if html:
            shown = text.replace("&", "&amp;").replace("<at>", "\0").replace("</at>", "\1").replace("<", "&lt;")
            shown = shown.replace("\0", '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">')
            shown = shown.replace("\1", "</span>")
            extra.insert(0, {"contentType": "text/html", "content": f"<p>{shown}</p>"})
        if extra:
            activity["attachments"] = extra
        if conversation_type == "channel" and reply_to_id is None:
            activity["conversation"]["id"] += f";messageid={activity['id']}"
        if reply_to_id:
            activity["replyToId"] = reply_to_id
        return activity

    def submit(self, user: TeamsUser, value: dict[str, Any], *, reply_to_id: str | None = None,
               conversation_type: str = "personal", conversation_id: str | None = None) -> dict[str, Any]:
        """An Adaptive Card Action.Submit: a message without text whose `value` is the action's
        data merged with the card's inputs; `replyToId` is the card's message."""
        activity = self._base("message", user, conversation_type, conversation_id, None)
        reply_to_id = reply_to_id or _message_id()
        activity.update(value=value, textFormat="plain", replyToId=reply_to_id)
        activity["channelData"].update(source={"name": "message"}, legacy={"replyToId": f"1:{_hash(reply_to_id)}"})
        return activity

    def invoke_action(self, user: TeamsUser, verb: str, data: dict[str, Any] | None = None, *,
                      reply_to_id: str | None = None, conversation_type: str = "personal",
                      conversation_id: str | None = None) -> dict[str, Any]:
        """An Adaptive Card Action.Execute (Universal Actions): an `adaptiveCard/action` invoke. The
        bot answers in the HTTP response (an InvokeResponse: 200 with a card or message)."""
        activity = self._base("invoke", user, conversation_type, conversation_id, f"f:{_message_id()}")
        activity.update(name="adaptiveCard/action", replyToId=reply_to_id or _message_id(),
                        value={"action": {"type": "Action.Execute", "verb": verb, "data": data or {},
                                          "id": str(uuid.uuid4())}, "trigger": "manual"})
        activity["channelData"].update(source={"name": "message"}, legacy={"replyToId": f"1:{_hash(verb)}"})
        return activity

    def installation_update(self, user: TeamsUser, action: str = "add", *,
                            conversation_type: str = "personal") -> dict[str, Any]:
        """The app was installed ("add") or removed ("remove") by `user`."""
        activity = self._base("installationUpdate", user, conversation_type, None, f"f:{_message_id()}")
        activity["action"] = action
        if conversation_type != "personal":
            activity["channelData"]["settings"] = {"selectedChannel": {"id": activity["conversation"]["id"]}}
        activity["channelData"]["source"] = {"name": "message"} if action == "add" else None
        return activity

    def conversation_update_members_added(self, user: TeamsUser, *, members: list[dict[str, Any]] | None = None,
                                          conversation_type: str = "personal") -> dict[str, Any]:
        """Members joined the conversation. By default the bot itself, with `user` as `from`: what
        Teams sends when the user installs the bot in a personal chat. Pass `members` (e.g.
        `[user.account()]`) for people joining a group chat or team."""
        activity = self._base("conversationUpdate", user, conversation_type, None, f"f:{_message_id()}")
        activity["membersAdded"] = members if members is not None else [{"id": self.bot_id}]
        if conversation_type == "channel":
            activity["channelData"]["eventType"] = "teamMemberAdded"
        return activity


def _hash_hex(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def adaptive_card_attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}


async def post_activity(base_url: str, activity: dict[str, Any], *, token: str | None = None,
                        session: aiohttp.ClientSession | None = None,
                        headers: dict[str, str] | None = None) -> tuple[int, str]:
    """POST an activity as the Bot Framework service does, to `base_url` + "/api/messages" (or to
    `base_url` itself when it already ends in /api/messages); returns (status, body text)."""
    url = base_url if re.search(r"/api/messages/?$", base_url) else base_url.rstrip("/") + "/api/messages"
    sent = {"Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)",
            "x-ms-conversation-id": activity.get("conversation", {}).get("id", ""),
            "x-ms-tenant-id": activity.get("conversation", {}).get("tenantId", "")}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    sent.update(headers or {})
    data = json.dumps(activity).encode()
    if session is None:
        async with aiohttp.ClientSession() as own, own.post(url, data=data, headers=sent) as response:
            return response.status, await response.text()
    async with session.post(url, data=data, headers=sent) as response:
        return response.status, await response.text()
