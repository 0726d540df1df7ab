"""Conversation turns in a worker process give the same replies as in the server's own process."""

from __future__ import annotations

from bot.conversation import Message
from bot.conversation.pool import ConversationPool, Turns


async def test_a_worker_process_answers_as_the_server_would(conversation):
    pool = ConversationPool(1)
    try:
        await pool.warm()
        for text in ("Can I post photos from the Christmas party?", "check: Bed 4's patient John Smith was rude"):
            assert await pool.handle(Message(text)) == conversation.handle(Message(text))
    finally:
        pool.close()


async def test_without_workers_turns_run_in_a_thread(conversation):
    turns = Turns(lambda: conversation)
    await turns.start(0)
    reply = await turns.handle(Message("Can I post photos from the Christmas party?"))
    assert reply.kind == "answer" and reply.citations[0].clause == "5.1.4"
