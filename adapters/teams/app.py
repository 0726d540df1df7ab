"""Building the botbuilder bot and mounting it at `POST /api/messages` of `snp-bot serve`.

With `MICROSOFT_APP_ID` set, every activity's Bot Framework token is validated by botbuilder
(single-tenant when `MICROSOFT_APP_TENANT_ID` is set too). Without it, `/api/messages` is served
only with `SNP_TEAMS_UNAUTHENTICATED=1` on a loopback address, for a local emulator: botbuilder
disables authentication when the app id is empty, so that must never happen by accident.

Whatever fails while a token is checked is a 401 with a JSON body, however botbuilder raises it
(a forged token with alg "none" or HS256 used to be a 400); signing keys that cannot be had in time
are a 503 that says so, and fetching them never holds up the server (`keys`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import structlog
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.teams import keys
from adapters.teams.bot import SnpTeamsBot
from adapters.teams.channel import TeamsChannel
from adapters.teams.people import TeamsPeople, tenant_of
from bot.config import ConfigurationError, Settings
from bot.core import Core
from bot.server import CHANNELS

log = structlog.get_logger(__name__)
TEAMS = web.AppKey("teams", tuple)


@dataclass(frozen=True)
class BotConfiguration:
    """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str


def configuration(settings: Settings) -> BotConfiguration:
    tenant = settings.microsoft_app_tenant_id
    return BotConfiguration(settings.microsoft_app_id, settings.microsoft_app_password, tenant,
                            "SingleTenant" if tenant else "MultiTenant")


def check_settings(settings: Settings, host: str) -> None:
    """Refuse a configuration that would serve Teams without authentication by mistake."""
    if settings.snp_teams_unauthenticated and settings.microsoft_app_id:
        raise ConfigurationError("SNP_TEAMS_UNAUTHENTICATED=1 cannot be combined with MICROSOFT_APP_ID")
    if settings.snp_teams_unauthenticated and not _loopback(host):
        raise ConfigurationError(f"SNP_TEAMS_UNAUTHENTICATED=1 is for a local emulator: serve on a loopback "
                                 f"address (127.0.0.1), not {host}")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Authentication(ConfigurationBotFrameworkAuthentication):
    """botbuilder's authentication, with every failure to authenticate a PermissionError (which
    CloudAdapter answers 401): it raises bare Exceptions, IndexErrors and jwt errors besides."""

    async def authenticate_request(self, activity, auth_header: str):  # noqa: ANN001, ANN201 - botbuilder's types
        try:
            return await super().authenticate_request(activity, auth_header)
        except (PermissionError, keys.KeysUnavailable):
            raise
        except Exception as exc:  # noqa: BLE001 - a token that does not check out, whichever way
            raise PermissionError(type(exc).__name__) from exc


def mount(web_app: web.Application, core: Core) -> None:
    settings = core.settings
    keys.install()
    adapter = CloudAdapter(Authentication(configuration(settings)))
    channel = TeamsChannel(adapter, settings.microsoft_app_id, core.ticket_content)

    def learn(activity) -> None:  # noqa: ANN001 - only activities that passed authentication get here
        channel.service_url, channel.tenant = activity.service_url, tenant_of(activity) or channel.tenant

    bot = SnpTeamsBot(core, TeamsPeople(core), on_authenticated=learn)

    async def on_error(context: TurnContext, error: Exception) -> None:
        log.error("teams_turn_failed", error=type(error).__name__)

    adapter.on_turn_error = on_error
    web_app[TEAMS] = (adapter, bot)
    web_app[CHANNELS].append(channel)
    web_app.router.add_post("/api/messages", _messages)


async def _messages(request: web.Request) -> web.StreamResponse:
    """Bot Framework activities. A body botbuilder cannot read is a 400, never a 500."""
    adapter, bot = request.app[TEAMS]
    if "application/json" not in request.headers.get("Content-Type", ""):
        return web.json_response({"error": "expected application/json"}, status=415)
    try:
        return await adapter.process(request, bot) or web.Response(status=201)
    except web.HTTPUnauthorized:  # an expired, forged or unknown-key token, or none
        log.warning("teams_token_refused")
        return web.json_response({"error": "unauthorized"}, status=401)
    except web.HTTPException:
        raise
    except keys.KeysUnavailable as exc:
        log.warning("teams_signing_keys_unavailable", error=str(exc))
        return web.json_response({"error": f"cannot check the token now: {exc}; try again"}, status=503,
                                 headers={"Retry-After": "5"})
    except Exception as exc:  # noqa: BLE001 - malformed JSON or an activity botbuilder cannot deserialize
        log.warning("teams_activity_unreadable", error=type(exc).__name__)
        return web.json_response({"error": "unreadable activity"}, status=400)
