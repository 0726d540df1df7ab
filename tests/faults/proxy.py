"""A TCP proxy between `snp-bot serve` and PostgreSQL that fails on demand, as a database server
and its network do.

- `restart(seconds)`: every connection is closed and new ones are refused for `seconds`, then
  accepted again: what a PostgreSQL restart (or a fail-over) looks like to its clients.
- `freeze()` / `thaw()`: connections are accepted and nothing is forwarded either way, as when the
  server or the network stalls without closing anything.

Only loopback addresses: the proxy listens on 127.0.0.1 and forwards to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Self

CHUNK = 64 * 1024


class PostgresProxy:
    def __init__(self, target_port: int = 5432, *, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.accepted = 0  # connections accepted so far
        self.refusing = False
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._open: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task] = set()

    async def start(self) -> int:
        """Listen (on the same port as before, after a restart); returns the port."""
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self.refusing = False
        return self.port

    async def stop(self) -> None:
        self._close_listener()
        self._drop_all()
        self._flowing.set()
        for task in list(self._pumps):
            task.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url_host(self) -> str:
        """`host:port` to put in a database URL instead of PostgreSQL's."""
        return f"127.0.0.1:{self.port}"

    async def restart(self, seconds: float) -> None:
        """Close every connection, refuse new ones for `seconds`, then accept again."""
        self._close_listener()
        self.refusing = True
        self._drop_all()
        await asyncio.sleep(seconds)
        await self.start()

    def freeze(self) -> None:
        """Hold every byte, both ways, on every connection (new ones too) until `thaw()`."""
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _drop_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _connected(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._open.add(client_writer)
        try:
            await self._flowing.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._forget(client_writer)
            return
        if client_writer not in self._open:  # dropped by a restart while connecting
            upstream_writer.transport.abort()
            return
        self._open.add(upstream_writer)
        pumps = [asyncio.create_task(self._pump(client_reader, upstream_writer)),
                 asyncio.create_task(self._pump(upstream_reader, client_writer))]
        self._pumps.update(pumps)
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for writer in (client_writer, upstream_writer):
            self._forget(writer)
        for task in pumps:
            task.cancel()
            self._pumps.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(CHUNK):
                await self._flowing.wait()
                if writer.transport.is_closing():
                    return
                writer.write(data)
                await writer.drain()

    def _forget(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)
        writer.transport.abort()
