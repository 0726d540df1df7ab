"""Teams while the database is away (a restart, a refused connection): a question in personal
chat is answered, once; the de-duplication row and the conversation reference are bookkeeping."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams.app import mount
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.policy import load_policy
from bot.server import create_app
from tests.adapters.teams.conftest import SAM, USERS, Tenant, words
from tests.bot.conversation.test_events import closed_port
from tests.fakes.botframework import FakeConnector


@pytest.fixture
async def tenant():
    async with FakeConnector({u.id: u for u in USERS}) as connector:
        settings = Settings(snp_database_url=f"postgresql+asyncpg://127.0.0.1:{closed_port()}/gone",
                            snp_encryption_key=new_key(), snp_timer_seconds=3600, snp_conversation_processes=0,
                            snp_teams_unauthenticated=True)
        core = Core(settings, load_policy(), ManualClock())
        async with TestClient(TestServer(create_app(core, platforms=[mount]))) as client:
            yield Tenant(connector, connector.teams("00000000-0000-0000-0000-000000000000"), client, core)


async def test_a_question_is_answered_once_while_the_database_is_away(tenant: Tenant):
    question = tenant.teams.message(SAM, "Can I post photos from the Christmas party on Facebook?")
    status, _ = await tenant.post(question)
    assert status < 300
    [card] = tenant.cards_to(SAM)
    assert "5.1.4" in words(card)
    assert (await tenant.post(question))[0] < 300  # Teams' retry of the same activity
    assert len(tenant.cards_to(SAM)) == 1


async def test_a_handlers_card_action_while_the_database_is_away_says_nothing_changed(tenant: Tenant):
    data = {"snp": "ticket", "ticket": "44PkyUv7p5M-UWMJAb7GTA", "step": "acknowledge"}
    status, body = await tenant.post(tenant.teams.invoke_action(SAM, "snp_ticket", data))
    assert status == 200
    assert json.loads(body) == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                                "value": tenant.core.ticket_content.say("chat_db_error")}
