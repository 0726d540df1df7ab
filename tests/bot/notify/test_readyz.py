"""`/readyz` while PostgreSQL is frozen: a server that takes the connection and never answers
(as a stalled PostgreSQL or a black-holed network does) is a 503 with its reason, not a probe that
hangs; and ready again once the database answers. PostgreSQL only: SQLite cannot freeze."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.policy import Policy
from bot.server import create_app


class FreezableProxy:
    """A TCP proxy on 127.0.0.1 in front of the database. `freeze()` stops passing bytes either way
    and holds new connections open without answering; `thaw()` lets everything through again."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._tasks: set[asyncio.Task] = set()
        self._server: asyncio.Server | None = None

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def __aenter__(self) -> FreezableProxy:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        await self._flowing.wait()
        server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        pipes = [asyncio.create_task(self._pipe(client_reader, server_writer)),
                 asyncio.create_task(self._pipe(server_reader, client_writer))]
        self._tasks.update(pipes)
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
        for writer in (client_writer, server_writer):
            writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()


@pytest.fixture
async def frozen_database(postgres_url: str, policy: Policy) -> AsyncIterator[tuple[FreezableProxy, TestClient]]:
    url = make_url(postgres_url)
    async with FreezableProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
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
        frozen_database: tuple[FreezableProxy, TestClient]) -> None:
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
