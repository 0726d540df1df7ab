"""The webhook channel against a loopback receiver, as an integration would receive it."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.notify.channel import Button, Delivery, Recipient
from bot.notify.channels import WebhookChannel

DELIVERY = Delivery("e7:new_ticket:abc", Recipient("mo@trust.nhs.uk", "Mo"), "new_ticket", "SNP-2026-0001",
                    "New report SNP-2026-0001", (Button("acknowledge", "Acknowledge", "tid"),), confidential=True)


@pytest.fixture
async def receiver():
    received: list[tuple[str, dict]] = []
    status = {"code": 200}

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers["Idempotency-Key"], await request.json()))
        return web.json_response({}, status=status["code"])

    app = web.Application()
    app.router.add_post("/hook", hook)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server, received, status


async def test_a_delivery_is_posted_as_json_with_its_idempotency_key(receiver):
    server, received, _ = receiver
    async with aiohttp.ClientSession() as session:
        await WebhookChannel(str(server.make_url("/hook")), session).send(DELIVERY)
    [(key, body)] = received
    assert key == "e7:new_ticket:abc"
    assert body["reference"] == "SNP-2026-0001" and body["recipient"]["email"] == "mo@trust.nhs.uk"
    assert body["buttons"] == [{"action": "acknowledge", "label": "Acknowledge", "ticket": "tid"}]


async def test_an_error_status_is_a_failed_attempt(receiver):
    server, _, status = receiver
    status["code"] = 503
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ConnectionError, match="503"):
            await WebhookChannel(str(server.make_url("/hook")), session).send(DELIVERY)


async def test_plain_http_to_another_machine_is_refused():
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ValueError, match="https"):
            WebhookChannel("http://hooks.example.org/x", session)
        assert WebhookChannel("https://hooks.example.org/x", session).reaches(DELIVERY.recipient)
