"""A platform's retry of an event is recognised, across database connections (and so processes),
and within a process while the database is away."""

from __future__ import annotations

import socket
from datetime import timedelta

from bot.conversation.events import RecentlySeen, first_sighting, forget_before
from bot.db import Database


async def test_an_event_id_is_new_once_per_platform(db, clock):
    assert await first_sighting(db, "slack", "Ev01", clock.now()) is True
    assert await first_sighting(db, "slack", "Ev01", clock.now()) is False
    assert await first_sighting(db, "teams", "Ev01", clock.now()) is True


async def test_a_second_connection_pool_sees_the_same_event_as_a_repeat(db, clock):
    other = Database(db.url)
    try:
        assert await first_sighting(db, "slack", "Ev02", clock.now()) is True
        assert await first_sighting(other, "slack", "Ev02", clock.now()) is False
    finally:
        await other.dispose()


async def test_old_ids_are_forgotten(db, clock):
    await first_sighting(db, "slack", "old", clock.now())
    clock.advance(days=2)
    await first_sighting(db, "slack", "new", clock.now())
    assert await forget_before(db, clock.now() - timedelta(days=1)) == 1
    assert await first_sighting(db, "slack", "old", clock.now()) is True
    assert await first_sighting(db, "slack", "new", clock.now()) is False


def closed_port() -> int:
    """A port on this machine where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_while_the_database_is_away_each_event_is_new_once_in_this_process(clock):
    away = Database(f"postgresql+asyncpg://127.0.0.1:{closed_port()}/gone")
    try:
        assert await first_sighting(away, "slack", "Ev03", clock.now()) is True
        assert await first_sighting(away, "slack", "Ev03", clock.now()) is False
        assert await first_sighting(away, "teams", "Ev03", clock.now()) is True
    finally:
        await away.dispose()


def test_the_memory_of_one_process_is_bounded_and_forgets_by_age():
    recent = RecentlySeen(seconds=60, capacity=3)
    assert [recent.first_time(key, 0) for key in "abcd"] == [True] * 4
    assert len(recent) == 3 and recent.first_time("a", 1) is True  # the oldest went to make room
    assert recent.first_time("d", 30) is False
    assert recent.first_time("d", 61) is True and len(recent) == 1
