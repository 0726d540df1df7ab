"""A Teams tenant in a box: the real botbuilder pipeline inside `snp-bot serve`'s aiohttp
application, on SQLite and PostgreSQL, talking to a loopback Bot Framework connector."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams.app import mount
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.directory.models import Person
from bot.policy import load_policy
from bot.server import create_app
from tests.fakes.botframework import FakeConnector, TeamsChannel, TeamsUser, post_activity

SAM = TeamsUser.create("Sam Staff", email="sam@trust.nhs.uk")
MO = TeamsUser.create("Mo Manager", email="mo@trust.nhs.uk")
HANA = TeamsUser.create("Hana Ross", email="hana@trust.nhs.uk")
EVE = TeamsUser.create("Eve Else", email="eve@trust.nhs.uk")
USERS = (SAM, MO, HANA, EVE)


@dataclass
class Tenant:
    connector: FakeConnector
    teams: TeamsChannel
    client: TestClient
    core: Core

    async def post(self, activity: dict, **options) -> tuple[int, str]:
        return await post_activity(str(self.client.make_url("/api/messages")), activity, **options)

    def cards_to(self, user: TeamsUser) -> list[dict]:
        """The Adaptive Cards sent into the user's 1:1 chat with the bot."""
        conversation = self.teams.conversation_id(user)
        mine = [s for s in self.connector.sent() if s.conversation_id == conversation]
        created = [s for s in self.connector.sent() if s.conversation_id.startswith("a:new")
                   and user.id in json.dumps(_created_for(self.connector, s.conversation_id))]
        return [card for s in mine + created for card in s.cards]

    def texts_to(self, user: TeamsUser) -> list[str]:
        conversation = self.teams.conversation_id(user)
        return [s.text for s in self.connector.sent() if s.conversation_id == conversation and s.text]

    async def until(self, condition, what: str, seconds: float = 15) -> None:
        for _ in range(int(seconds / 0.05)):
            if condition():
                return
            self.core.clock.advance(seconds=5)  # lets retried notifications come due
            await asyncio.sleep(0.05)
        raise AssertionError(f"never saw {what}; calls: {[(c.kind, c.status) for c in self.connector.calls]}")


def _created_for(connector: FakeConnector, conversation_id: str) -> list:
    return [c.body for c in connector.created() if (c.response or {}).get("id") == conversation_id]


def words(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def seed(db: Database, now) -> None:
    async with db.session() as session, session.begin():
        session.add_all([
            Person(email="mo@trust.nhs.uk", name="Mo Manager", role="manager", teams_user_id=MO.aad_object_id,
                   updated_at=now),
            Person(email="sam@trust.nhs.uk", name="Sam Staff", manager_email="mo@trust.nhs.uk", role="staff",
                   updated_at=now),
            Person(email="hana@trust.nhs.uk", name="Hana Ross", role="people_services",
                   teams_user_id=HANA.aad_object_id, updated_at=now),
            Person(email="eve@trust.nhs.uk", name="Eve Else", manager_email="mo@trust.nhs.uk", role="staff",
                   updated_at=now)])


def settings_for(db: Database, **extra) -> Settings:
    return Settings(snp_database_url=db.url, snp_encryption_key=new_key(), snp_timer_seconds=3600,
                    snp_conversation_processes=0, **({"snp_teams_unauthenticated": True} | extra))


@pytest.fixture
async def tenant(db: Database):
    async with FakeConnector({u.id: u for u in USERS}) as connector:
        core = Core(settings_for(db), load_policy(), ManualClock())
        await seed(db, core.clock.now())
        async with TestClient(TestServer(create_app(core, platforms=[mount]))) as client:
            yield Tenant(connector, connector.teams("00000000-0000-0000-0000-000000000000"), client, core)
