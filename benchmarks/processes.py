"""Starting and stopping the processes a benchmark measures (servers, stand-ins), shared by the
Slack and Teams benchmarks."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"



async def start(*command: str, log: Path, env: dict[str, str], cwd: Path,
                stdout_pipe: bool = False) -> asyncio.subprocess.Process:
    with log.open("w") as out:
        return await asyncio.create_subprocess_exec(
            *command, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE if stdout_pipe else out,
            stderr=out if stdout_pipe else asyncio.subprocess.STDOUT)



async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=20)
    except TimeoutError:
        process.kill()
        await process.wait()


async def serve_counts(counts: Callable[[web.Request], Awaitable[web.Response]], announce: dict) -> None:
    """Serve `GET /counts` (what a stand-in has seen) until SIGTERM, after printing `announce`
    with the counts URL as one JSON line for the parent process to read."""
    stats = web.Application()
    stats.router.add_get("/counts", counts)
    runner = web.AppRunner(stats, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(json.dumps({**announce, "counts": f"http://127.0.0.1:{port}/counts"}), flush=True)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await stopping.wait()
    await runner.cleanup()


async def not_ready(url: str, process: asyncio.subprocess.Process, log: Path, name: str, timeout: float = 90,
                    ready: Callable[[int], bool] = lambda status: status == 200) -> str | None:
    """None once `url` answers as `ready` wants, or why not (the process died, or time ran out)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                return f"{name} exited with {process.returncode} before it was ready:\n{tail(log)}"
            try:
                async with session.get(url) as response:
                    if ready(response.status):
                        return None
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    return f"{name} was not ready at {url} after {timeout:.0f} s:\n{tail(log)}"


async def admin(url: str, sql: str) -> None:
    """One statement on a PostgreSQL server (CREATE or DROP DATABASE), outside any transaction."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
