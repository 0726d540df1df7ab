"""Conversation turns in worker processes, so a server's event loop only acknowledges and routes.

Reviewing a long draft is CPU work; run in the server's own process it holds the interpreter
lock and holds up every other request's acknowledgement, which Slack wants within 3 seconds.
Workers are started with "spawn" (forking a process that runs an event loop and threads is
unsafe) and each loads the policy once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from bot.conversation.models import Message, Reply

if TYPE_CHECKING:
    from bot.conversation.service import Conversation

_conversation = None


def _start_worker() -> None:
    global _conversation
    from bot.core import Core

    core = Core.from_settings()
    _conversation = core.conversation
    _conversation.handle(Message("hello"))  # build the answerer and reviewer before the first turn
    _conversation.handle(Message("check: warming up"))


def _handle(message: Message) -> Reply:
    assert _conversation is not None
    return _conversation.handle(message)


class ConversationPool:
    def __init__(self, processes: int) -> None:
        self._executor = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker)

    async def handle(self, message: Message) -> Reply:
        return await asyncio.get_running_loop().run_in_executor(self._executor, _handle, message)

    async def warm(self) -> None:
        """Start the workers now, not on the first person's message."""
        await self.handle(Message("hello"))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Turns:
    """Where a platform's conversation turns run: in worker processes once `start` has been
    called (by `snp-bot serve`), otherwise in a thread of this process."""

    def __init__(self, conversation: Callable[[], Conversation]) -> None:
        self._conversation = conversation
        self._pool: ConversationPool | None = None

    async def start(self, processes: int) -> None:
        if processes > 0 and self._pool is None:
            self._pool = ConversationPool(processes)
            await self._pool.warm()

    async def handle(self, message: Message) -> Reply:
        if self._pool is not None:
            return await self._pool.handle(message)
        return await asyncio.to_thread(self._conversation().handle, message)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
