"""Starting and stopping the processes a benchmark measures (servers, stand-ins), shared by the
Slack and Teams benchmarks."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

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
