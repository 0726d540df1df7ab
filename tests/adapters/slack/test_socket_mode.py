"""Socket Mode: the same bolt app, connected out to Slack over a websocket instead of serving
/slack/events, for organisations without a public URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from adapters import configured_platforms
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.policy import load_policy
from bot.server import create_app
from tests.adapters.slack.conftest import SAM, TOKEN, USERS, seed, text_of
from tests.fakes.slack import FakeSlackAPI, dm_message, event_body


async def test_a_dm_over_socket_mode_is_acknowledged_and_answered(db):
    async with FakeSlackAPI(TOKEN, USERS) as api:
        settings = Settings(snp_database_url=db.url, snp_encryption_key=new_key(), slack_bot_token=TOKEN,
                            slack_app_token=api.app_token, slack_api_url=api.base_url, snp_timer_seconds=3600,
                            snp_conversation_processes=0)
        core = Core(settings, load_policy(), ManualClock())
        await seed(db, core.clock.now())
        app = create_app(core, platforms=configured_platforms(settings, socket_mode=True))
        async with TestClient(TestServer(app)) as client:
            assert (await client.post("/slack/events", data="{}")).status in (404, 405)  # not served over HTTP
            envelope = await api.socket_send("events_api", json.loads(event_body(
                dm_message(SAM, "Can I post photos from the Christmas party?"), event_id="EvS1")))
            [answer] = await api.wait_for("chat.postMessage")
            assert "5.1.4" in text_of(answer.params)
            assert envelope in api.acks


def test_socket_mode_without_an_app_token_is_refused_before_starting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNP_", "SLACK_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-x", SNP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    proc = subprocess.run([str(Path(sys.executable).with_name("snp-bot")), "serve", "--socket-mode", "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "SLACK_APP_TOKEN" in proc.stderr
