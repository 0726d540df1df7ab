"""Slack while the database is away (a restart, a refused connection): every acknowledged DM is
answered, once. Answering a question or reviewing a draft needs no database; the de-duplication
row and the person's address are bookkeeping that waits."""

from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import mount
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.policy import load_policy
from bot.server import create_app
from tests.adapters.slack.conftest import MO, SAM, SECRET, TOKEN, USERS, Workspace, text_of
from tests.bot.conversation.test_events import closed_port
from tests.fakes.slack import FakeSlackAPI, block_actions_body, dm_message, event_body


@pytest.fixture
async def workspace():
    async with FakeSlackAPI(TOKEN, USERS) as api:
        settings = Settings(snp_database_url=f"postgresql+asyncpg://127.0.0.1:{closed_port()}/gone",
                            snp_encryption_key=new_key(), slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                            slack_api_url=api.base_url, snp_timer_seconds=3600, snp_conversation_processes=0)
        core = Core(settings, load_policy(), ManualClock())
        async with TestClient(TestServer(create_app(core, platforms=[mount]))) as client:
            yield Workspace(api, client, core)


async def test_a_question_is_answered_while_the_database_is_away(workspace: Workspace):
    status, _ = await workspace.event(event_body(dm_message(SAM, "Can I post photos from the Christmas party?"),
                                                 event_id="EvAway1"))
    assert status == 200
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer")
    assert "5.1.4" in text_of(workspace.posted_to("D" + SAM)[0])


async def test_a_draft_is_reviewed_and_slacks_retry_answered_once_while_the_database_is_away(workspace: Workspace):
    body = event_body(dm_message(SAM, "check: Bed 4's patient John Smith was so rude today"), event_id="EvAway2")
    assert (await workspace.event(body))[0] == 200
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the review")
    assert (await workspace.event(body, retry_num=1, timestamp=int(time.time()) + 1))[0] == 200  # signed afresh
    await workspace.event(event_body(dm_message(SAM, "Can I post photos?"), event_id="EvAway3"))
    await workspace.until(lambda: len(workspace.posted_to("D" + SAM)) == 2, "the second answer")
    replies = [text_of(posted) for posted in workspace.posted_to("D" + SAM)]
    assert "[patient]" in replies[0] and "5.1.4" in replies[1]


async def test_a_handlers_button_while_the_database_is_away_says_nothing_changed(workspace: Workspace):
    status, _ = await workspace.send(block_actions_body(MO, "snp_ticket:acknowledge", "44PkyUv7p5M-UWMJAb7GTA",
                                                        channel="D" + MO))
    assert status == 200
    [told] = await workspace.api.wait_for("chat.postEphemeral")
    assert told.params["user"] == MO
    assert told.params["text"] == workspace.core.ticket_content.say("chat_db_error")
