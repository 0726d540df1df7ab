"""Slack and Teams in one server: a reporter on Slack whose line manager is only on Teams gets
their case to the manager in Teams; a person on both hears on the one they used last."""

from __future__ import annotations

import asyncio
import json

from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import mount as mount_slack
from adapters.teams.app import mount as mount_teams
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.directory.models import Person
from bot.policy import load_policy
from bot.server import create_app
from tests.fakes.botframework import FakeConnector, TeamsUser, post_activity
from tests.fakes.slack import FORM, FakeSlackAPI, SlackClient, slash_command_body, view_submission_body

SECRET, TOKEN = "slack-secret", "xoxb-both"
MO = TeamsUser.create("Mo Manager", email="mo@trust.nhs.uk")
WHAT = "A colleague posted a photo of the ward whiteboard with patients' names on it"


async def _until(condition, clock: ManualClock, what: str) -> None:
    for _ in range(300):
        if condition():
            return
        clock.advance(seconds=5)
        await asyncio.sleep(0.05)
    raise AssertionError(f"never saw {what}")


async def test_a_slack_reporters_manager_who_is_only_on_teams_is_told_in_teams(db):
    async with FakeSlackAPI(TOKEN, {"USAM": "sam@trust.nhs.uk"}) as slack, FakeConnector({MO.id: MO}) as connector:
        settings = Settings(snp_database_url=db.url, snp_encryption_key=new_key(), slack_bot_token=TOKEN,
                            slack_signing_secret=SECRET, slack_api_url=slack.base_url, snp_teams_unauthenticated=True,
                            snp_timer_seconds=3600, snp_conversation_processes=0)
        core = Core(settings, load_policy(), ManualClock())
        async with core.db.session() as session, session.begin():
            now = core.clock.now()
            session.add_all([Person(email="mo@trust.nhs.uk", name="Mo Manager", role="manager", updated_at=now),
                             Person(email="sam@trust.nhs.uk", name="Sam Staff", manager_email="mo@trust.nhs.uk",
                                    role="staff", updated_at=now)])
        teams = connector.teams("00000000-0000-0000-0000-000000000000")
        async with TestClient(TestServer(create_app(core, platforms=[mount_slack, mount_teams]))) as client:
            assert (await post_activity(str(client.make_url("/api/messages")), teams.installation_update(MO)))[0] < 300
            events = str(client.make_url("/slack/events"))
            await SlackClient.post(events, "", body=slash_command_body("/snp-report", "", user_id="USAM",
                                   response_url=slack.response_url("r")), content_type=FORM, secret=SECRET)
            values = {"where": {"where": {"type": "plain_text_input", "value": "Facebook"}},
                      "what": {"what": {"type": "plain_text_input", "value": WHAT}},
                      "when": {"when": {"type": "datepicker", "selected_date": "2026-11-27"}}}
            await SlackClient.post(events, "", body=view_submission_body("USAM", "snp_report", values),
                                   content_type=FORM, secret=SECRET)

            def to_mo() -> list:
                return [s for s in connector.sent(teams.conversation_id(MO)) if s.cards]

            await _until(to_mo, core.clock, "the manager's card in Teams")
            assert WHAT in json.dumps(to_mo()[0].cards)
            # The reporter hears on Slack, where they reported (from the outbox too); the manager nowhere else.
            await _until(lambda: slack.calls_to("chat.postMessage"), core.clock, "the reporter's DM in Slack")
            assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["DUSAM"]
