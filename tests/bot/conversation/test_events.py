"""A platform's retry of an event is recognised, across database connections (and so processes)."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation.events import first_sighting, forget_before
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
