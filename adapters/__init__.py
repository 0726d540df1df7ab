"""Platform adapters: each translates its platform's events into core messages and renders replies.

`configured_platforms` is the one place that knows which adapters exist: each platform folder
offers a `mount(app, core)` that `snp-bot serve` calls when the platform's settings are present.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.core import Core


def configured_platforms(settings: Settings, *, socket_mode: bool = False,
                         host: str = "127.0.0.1") -> list[Callable[[web.Application, Core], None]]:
    """The mounts of the platforms whose settings are present (a platform's imports stay lazy).
    With `socket_mode`, Slack connects out over Socket Mode instead of serving `/slack/events`.
    Teams is served with authentication when MICROSOFT_APP_ID is set, or without it for a local
    emulator (SNP_TEAMS_UNAUTHENTICATED=1, loopback `host` only)."""
    mounts = []
    if settings.slack_bot_token and (settings.slack_signing_secret or socket_mode):
        from adapters.slack.app import mount, mount_socket_mode

        mounts.append(mount_socket_mode if socket_mode else mount)
    if settings.microsoft_app_id or settings.snp_teams_unauthenticated:
        from adapters.teams.app import check_settings
        from adapters.teams.app import mount as mount_teams

        check_settings(settings, host)
        mounts.append(mount_teams)
    return mounts
