"""Real Bot Framework authentication, against a local OpenID configuration and token service:
with MICROSOFT_APP_ID set, only activities carrying a valid token signed by the Bot Framework's
keys are served, and the bot's own calls to the connector carry its access token."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams.app import check_settings, mount
from bot.clock import ManualClock
from bot.config import ConfigurationError, Settings
from bot.core import Core
from bot.policy import load_policy
from bot.server import create_app
from tests.adapters.teams.conftest import SAM, USERS, seed, settings_for, words
from tests.fakes.botframework import FakeConnector, bot_framework_auth, post_activity

APP_ID, PASSWORD = "6a7b3c2d-1111-4222-8333-944455556666", "app-password"


async def test_only_activities_with_a_valid_token_are_served(db, monkeypatch):
    async with bot_framework_auth(monkeypatch, apps={APP_ID: PASSWORD}) as auth:
        async with FakeConnector({u.id: u for u in USERS}, require_auth=auth.check_access_token) as connector:
            settings = settings_for(db, snp_teams_unauthenticated=False, microsoft_app_id=APP_ID,
                                    microsoft_app_password=PASSWORD)
            core = Core(settings, load_policy(), ManualClock())
            await seed(db, core.clock.now())
            teams = connector.teams(APP_ID)
            async with TestClient(TestServer(create_app(core, platforms=[mount]))) as client:
                url = str(client.make_url("/api/messages"))
                question = teams.message(SAM, "Can I post photos from the Christmas party?")
                for token in (None, auth.token(APP_ID, connector.service_url, expired=True),
                              auth.token("another-app", connector.service_url),
                              auth.token(APP_ID, connector.service_url, forged=True)):
                    assert (await post_activity(url, question, token=token))[0] == 401
                assert connector.calls == []

                status, _ = await post_activity(url, question, token=auth.token(APP_ID, connector.service_url))
                assert status < 300
                [reply] = connector.sent()
                assert "5.1.4" in words(reply.cards) and connector.calls[-1].ok


def test_unauthenticated_teams_is_refused_off_loopback_or_beside_an_app_id():
    with pytest.raises(ConfigurationError, match="loopback"):
        check_settings(Settings(snp_teams_unauthenticated=True), "0.0.0.0")
    with pytest.raises(ConfigurationError, match="MICROSOFT_APP_ID"):
        check_settings(Settings(snp_teams_unauthenticated=True, microsoft_app_id=APP_ID), "127.0.0.1")
    check_settings(Settings(snp_teams_unauthenticated=True), "127.0.0.1")
    check_settings(Settings(snp_teams_unauthenticated=True), "::1")
