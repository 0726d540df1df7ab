"""Real Bot Framework authentication, against a local OpenID configuration and token service:
with MICROSOFT_APP_ID set, only activities carrying a valid token signed by the Bot Framework's
keys are served, and the bot's own calls to the connector carry its access token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import timedelta

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from adapters.teams import keys
from adapters.teams.app import check_settings, mount
from bot.clock import ManualClock
from bot.config import ConfigurationError, Settings
from bot.core import Core
from bot.policy import load_policy
from bot.server import create_app
from tests.adapters.teams.conftest import SAM, USERS, seed, settings_for, words
from tests.fakes.botframework import BOT_FRAMEWORK_ISSUER, FakeConnector, bot_framework_auth, post_activity

APP_ID, PASSWORD = "6a7b3c2d-1111-4222-8333-944455556666", "app-password"


async def test_only_activities_with_a_valid_token_are_served(db, monkeypatch):
    async with authenticated_bot(db, monkeypatch) as (auth, connector, client):
        url = str(client.make_url("/api/messages"))
        question = connector.teams(APP_ID).message(SAM, "Can I post photos from the Christmas party?")
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


@contextlib.asynccontextmanager
async def authenticated_bot(db, monkeypatch):
    """The bot with Bot Framework authentication against the local OpenID configuration."""
    async with bot_framework_auth(monkeypatch, apps={APP_ID: PASSWORD}) as auth:
        async with FakeConnector({u.id: u for u in USERS}, require_auth=auth.check_access_token) as connector:
            settings = settings_for(db, snp_teams_unauthenticated=False, microsoft_app_id=APP_ID,
                                    microsoft_app_password=PASSWORD)
            core = Core(settings, load_policy(), ManualClock())
            await seed(db, core.clock.now())
            async with TestClient(TestServer(create_app(core, platforms=[mount]))) as client:
                yield auth, connector, client


async def _until_held(auth) -> None:
    """Wait until the fake holds a key fetch; fail, saying so, if none comes."""
    for _ in range(500):
        if auth.held:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot never fetched its signing keys")


def _forged(auth, service_url: str, **header: object) -> str:
    now = int(time.time())
    claims = {"serviceurl": service_url, "nbf": now - 300, "exp": now + 3600, "iss": BOT_FRAMEWORK_ISSUER,
              "aud": APP_ID}
    algorithm = header.pop("alg", "HS256")
    key = None if algorithm == "none" else "a-secret-anyone-could-choose-0123456789"
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": auth.kid, **header})


async def test_a_token_with_alg_none_hs256_or_no_kid_is_a_401(db, monkeypatch):
    async with authenticated_bot(db, monkeypatch) as (auth, connector, client):
        url = str(client.make_url("/api/messages"))
        question = connector.teams(APP_ID).message(SAM, "Can I post photos from the Christmas party?")
        no_kid = jwt.encode({"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "exp": int(time.time()) + 60},
                            auth._key, algorithm="RS256")
        for token in (auth.token(APP_ID, connector.service_url, signed=False), _forged(auth, connector.service_url),
                      _forged(auth, connector.service_url, alg="none"), no_kid, "not.a.jwt", "x"):
            status, body = await post_activity(url, question, token=token)
            assert status == 401, (token, status, body)
            assert json.loads(body)["error"]
        assert connector.calls == []


async def test_while_the_openid_endpoint_hangs_health_checks_are_answered_and_teams_gets_a_503(db, monkeypatch):
    monkeypatch.setattr(keys, "WAIT_SECONDS", 0.5)
    async with authenticated_bot(db, monkeypatch) as (auth, connector, client):
        url = str(client.make_url("/api/messages"))
        question = connector.teams(APP_ID).message(SAM, "Can I post photos from the Christmas party?")
        auth.hang()
        waiting = asyncio.create_task(post_activity(url, question, token=auth.token(APP_ID, connector.service_url)))
        await _until_held(auth)
        health = await client.get("/healthz")
        assert health.status == 200 and auth.held  # answered while the key fetch was still held
        status, body = await waiting
        assert status == 503 and "signing keys" in json.loads(body)["error"]
        assert auth.held and connector.calls == []

        auth.hang(False)
        status, _ = await post_activity(url, connector.teams(APP_ID).message(SAM, "Can I post photos?"),
                                        token=auth.token(APP_ID, connector.service_url))
        assert status < 300 and connector.sent()


async def test_cached_keys_keep_serving_teams_while_their_refresh_hangs(db, monkeypatch):
    async with authenticated_bot(db, monkeypatch) as (auth, connector, client):
        url = str(client.make_url("/api/messages"))
        teams = connector.teams(APP_ID)
        assert (await post_activity(url, teams.message(SAM, "Can I post photos?"),
                                    token=auth.token(APP_ID, connector.service_url)))[0] < 300
        JwtTokenExtractor.metadataCache[auth.openid_metadata_url].last_updated -= timedelta(days=2)  # refresh due
        auth.hang()
        status, _ = await post_activity(url, teams.message(SAM, "Can I post pictures of the ward?"),
                                        token=auth.token(APP_ID, connector.service_url))
        assert status < 300 and len(connector.sent()) == 2
        await _until_held(auth)  # the refresh went on in the background
