"""The HTTP server's health, readiness and metrics routes, over real HTTP (aiohttp test server)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.conversation import Message
from bot.core import Core
from bot.server import create_app


@pytest.fixture
async def client():
    core = Core.from_settings()
    async with TestClient(TestServer(create_app(core))) as client:
        client.core = core
        yield client


async def test_healthz_and_readyz_answer_200(client):
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["policy"] == "SOCIAL001"


async def test_metrics_count_questions_by_outcome(client):
    client.core.conversation.handle(Message("Can I post photos from the team away day?"))
    text = await (await client.get("/metrics")).text()
    assert 'snp_questions_total{outcome="answer"}' in text


async def test_unknown_route_is_404(client):
    assert (await client.get("/nope")).status == 404
