"""Who a Slack user is: profile answers are cached, and the cache is bounded whatever the workspace."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack.people as people_module
from adapters.slack.people import SlackPeople
from bot.db import Database
from tests.adapters.slack.conftest import TOKEN
from tests.fakes.slack import FakeSlackAPI

USERS = {f"U{n:03d}": f"person{n}@trust.nhs.uk" for n in range(12)}


@pytest.fixture
async def slack(db: Database, monkeypatch):
    """A Slack workspace of twelve people, and the bot's view of them with room for five."""
    monkeypatch.setattr(people_module, "CACHE_SIZE", 5)
    async with FakeSlackAPI(TOKEN, USERS) as api:
        yield api, SlackPeople(db, AsyncWebClient(token=TOKEN, base_url=api.base_url))


async def test_the_profile_cache_keeps_the_most_recent_people_up_to_its_size(slack):
    api, people = slack
    for user, email in USERS.items():
        assert await people.email_of(user) == email
    assert len(people._emails) == 5
    asked = len(api.calls_to("users.info"))
    assert asked == len(USERS)

    assert await people.email_of("U011") == USERS["U011"]  # among the last five: Slack is not asked
    assert len(api.calls_to("users.info")) == asked
    assert await people.email_of("U000") == USERS["U000"]  # forgotten: Slack is asked again
    assert len(api.calls_to("users.info")) == asked + 1
    assert len(people._emails) == 5


async def test_noting_who_is_active_is_bounded_too(slack):
    api, people = slack
    for user, email in USERS.items():
        assert await people.active(user) == email
    assert len(people._noted) == 5
