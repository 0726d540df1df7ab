"""Slack's work after the acknowledgement: queued as the few values it needs, done by a few workers
in the order it came.

bolt acknowledges a request, then runs its listener, and keeps the whole request (the decoded
body, bolt's context with its Web API client) until the listener returns. A listener that waited
there for its turn (for a conversation worker, for the database's connection, which also costs an
SQLAlchemy pool waiter and a greenlet) held about 50 KiB for as long as it waited, and when
requests came faster than they were answered, thousands waited: the server's RSS grew with the
backlog and stayed grown when idle (issue 10; benchmarks/slack_memory.py). So a listener takes
from the request what its work needs, puts it here and returns, and a waiting request is a tuple
of a few strings. A few workers do the work, so that one slow reply does not hold up the rest.

Like the waiting listeners before it, the queue is this process's memory: Slack has had its
acknowledgement and will not send the request again. A stopping server finishes what is queued,
for a few seconds, before it stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

log = structlog.get_logger(__name__)
#: Workers per conversation worker process: the work is mostly waiting (the database, Slack's Web
#: API), and only one turn at a time runs in each conversation worker anyway.
WORKERS_PER_PROCESS = 4

Work = Callable[..., Awaitable[None]]


class Backlog:
    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._queue: asyncio.Queue[tuple[Work, tuple[Any, ...]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.busy = 0  # pieces of work being done now
        self.closing = False

    def put(self, work: Work, *args: Any) -> None:
        """Queue `work(*args)`. The arguments are values taken from the request (ids, the text),
        never bolt's request, body or context: those are what the queue is there not to keep."""
        self._queue.put_nowait((work, args))
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._work(), name=f"slack-backlog-{n}") for n in range(self.workers)]

    def __len__(self) -> int:
        """Pieces of work waiting for a worker."""
        return self._queue.qsize()

    async def _work(self) -> None:
        while True:
            work, args = await self._queue.get()
            self.busy += 1
            try:
                await work(*args)
            except Exception as error:  # noqa: BLE001 - one failed piece of work must not stop the others
                log.error("slack_listener_failed", error=type(error).__name__)
            finally:
                self.busy -= 1
                self._queue.task_done()
            del work, args  # not kept while the worker waits for the next

    async def close(self, grace: float) -> None:
        """Finish what is queued, for at most `grace` seconds, then stop the workers."""
        self.closing = True
        if not self._tasks:
            return
        try:
            await asyncio.wait_for(self._queue.join(), grace)
        except TimeoutError:
            log.warning("slack_backlog_left", requests=self._queue.qsize())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
