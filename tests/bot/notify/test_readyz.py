"""`/readyz` while PostgreSQL is frozen: a server that takes the connection and never answers
(as a stalled PostgreSQL or a black-holed network does) is a 503 with its reason, not a probe that
hangs; and ready again once the database answers. PostgreSQL only: SQLite cannot freeze."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.policy import Policy
from bot.server import create_app
from tests.faults.proxy import PostgresProxy


@pytest.fixture
async def frozen_database(postgres_url: str, policy: Policy) -> AsyncIterator[tuple[PostgresProxy, TestClient]]:
    url = make_url(postgres_url)
    async with PostgresProxy(url.port or 5432, target_host=url.host or "127.0.0.1") as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        core = Core(Settings(snp_database_url=proxied, snp_encryption_key=new_key()), policy)
        async with TestClient(TestServer(create_app(core, background=False))) as client:
            yield proxy, client
            proxy.thaw()


async def readyz(client: TestClient) -> tuple[int, dict]:
    # The guard only stops a hanging probe from hanging the test suite; the probe bounds itself.
    response = await asyncio.wait_for(client.get("/readyz"), timeout=30)
    return response.status, await response.json()


async def test_readyz_is_503_in_time_while_the_database_is_frozen_and_200_once_it_answers(
        frozen_database: tuple[PostgresProxy, TestClient]) -> None:
    proxy, client = frozen_database
    status, body = await readyz(client)
    assert status == 200 and set(body["outbox"]) == {"pending", "dead"}

    proxy.freeze()
    for _ in range(2):  # a pooled connection, then a new one: neither is waited for
        assert await readyz(client) == (503, {"status": "unavailable",
                                              "reason": "the database does not answer in time"})

    proxy.thaw()
    for _ in range(50):
        status, body = await readyz(client)
        if status == 200:
            break
    assert status == 200 and body["status"] == "ready"
