"""The PostgreSQL proxy the fault suite restarts and freezes, against a loopback echo server."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.proxy import PostgresProxy


@pytest.fixture
async def echo():
    """A loopback server that sends back what it gets, and keeps what it got."""
    received = bytearray()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1024):
            received.extend(data)
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], received
    server.close()


async def _say(port: int, text: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(text)
    answer = await reader.readexactly(len(text))
    writer.close()
    return answer


async def test_bytes_go_both_ways(echo):
    port, _ = echo
    async with PostgresProxy(port) as proxy:
        assert await _say(proxy.port, b"SELECT 1") == b"SELECT 1"


async def test_a_restart_closes_every_connection_refuses_new_ones_then_accepts_again(echo):
    port, _ = echo
    async with PostgresProxy(port) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"ping")
        assert await reader.readexactly(4) == b"ping"
        restarting = asyncio.create_task(proxy.restart(0.5))
        assert await reader.read(4) == b""  # the open connection is closed
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", proxy.port)
        await restarting
        assert await _say(proxy.port, b"again") == b"again"


async def test_a_freeze_forwards_nothing_until_thawed(echo):
    port, received = echo
    async with PostgresProxy(port) as proxy:
        proxy.freeze()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)  # still accepted
        writer.write(b"held")
        await asyncio.sleep(0.3)
        assert received == b""
        proxy.thaw()
        assert await reader.readexactly(4) == b"held"
        writer.close()
