"""A Slack workspace in a box: the real bolt app inside `snp-bot serve`'s aiohttp application, on
SQLite and PostgreSQL, talking to a loopback stand-in for the Slack Web API."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import mount
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.directory.models import Person
from bot.policy import load_policy
from bot.server import create_app
from tests.fakes.slack import FORM, JSON, FakeSlackAPI, SlackClient

TOKEN, SECRET = "xoxb-test-token", "test-signing-secret"
#: Slack users: Sam reports, Mo is Sam's line manager, Hana is People Services, Eve is unrelated,
#: Olly is in Slack but not in the staff directory. Mo's Slack id is in the directory; the others
#: are matched by the email Slack gives.
SAM, MO, HANA, EVE, OLLY = "USAM", "UMO", "UHANA", "UEVE", "UOLLY"
USERS = {SAM: "sam@trust.nhs.uk", MO: "mo@trust.nhs.uk", HANA: "hana@trust.nhs.uk", EVE: "eve@trust.nhs.uk",
         OLLY: "olly@elsewhere.org"}


@dataclass
class Workspace:
    api: FakeSlackAPI
    client: TestClient
    core: Core

    async def send(self, body: str, content_type: str = FORM, **options) -> tuple[int, str]:
        return await SlackClient.post(str(self.client.make_url("/slack/events")), "", body=body,
                                      content_type=content_type, secret=SECRET, **options)

    async def event(self, body: str, **options) -> tuple[int, str]:
        return await self.send(body, JSON, **options)

    def posted_to(self, channel: str) -> list[dict]:
        return [c.params for c in self.api.calls_to("chat.postMessage") if c.status == 200
                and c.params.get("channel") == channel]

    async def until(self, condition, what: str, seconds: float = 15) -> None:
        """Wait for the bot's work after its acknowledgement; fail, naming it, if it never comes."""
        for _ in range(int(seconds / 0.05)):
            if condition():
                return
            if isinstance(self.core.clock, ManualClock):
                self.core.clock.advance(seconds=5)  # lets retried notifications come due
            await asyncio.sleep(0.05)
        raise AssertionError(f"never saw {what}; calls: {[c.method for c in self.api.calls]}")


def text_of(params: dict) -> str:
    """Everything a Slack user would read in a posted message."""
    return json.dumps([params.get("text"), params.get("blocks")], ensure_ascii=False)


async def seed(db: Database, now) -> None:
    async with db.session() as session, session.begin():
        session.add_all([
            Person(email="mo@trust.nhs.uk", name="Mo Manager", role="manager", slack_user_id=MO, updated_at=now),
            Person(email="sam@trust.nhs.uk", name="Sam Staff", manager_email="mo@trust.nhs.uk", role="staff",
                   updated_at=now),
            Person(email="hana@trust.nhs.uk", name="Hana Ross", role="people_services", updated_at=now),
            Person(email="eve@trust.nhs.uk", name="Eve Else", manager_email="mo@trust.nhs.uk", role="staff",
                   updated_at=now)])


@pytest.fixture
async def workspace(db: Database):
    async with FakeSlackAPI(TOKEN, USERS) as api:
        settings = Settings(snp_database_url=db.url, snp_encryption_key=new_key(), slack_bot_token=TOKEN,
                            slack_signing_secret=SECRET, slack_api_url=api.base_url, snp_timer_seconds=3600,
                            snp_conversation_processes=0)
        core = Core(settings, load_policy(), ManualClock())
        await seed(db, core.clock.now())
        async with TestClient(TestServer(create_app(core, platforms=[mount]))) as client:
            yield Workspace(api, client, core)
