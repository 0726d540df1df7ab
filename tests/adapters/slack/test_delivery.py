"""The outbox on Slack, against the loopback Web API: a DM whose answer was lost (the worker died
after chat.postMessage) is found in the DM's history by its metadata and never posted twice; a
handler reassigned away sees their DM rewritten in place without the report or its buttons."""

from __future__ import annotations

import asyncio
import json

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.channel import SlackChannel
from adapters.slack.people import SlackPeople
from bot.clock import ManualClock
from bot.confidential import new_key
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.notify.channel import Delivery
from bot.notify.models import Notification, Status
from bot.notify.worker import DeliveryWorker
from bot.policy import load_policy
from bot.ticket.messages import NotificationRenderer
from bot.ticket.report import Report
from bot.ticket.workflow import Action
from tests.adapters.slack.conftest import MO, TOKEN, USERS, Workspace, seed, text_of
from tests.bot.ticket.conftest import notifications
from tests.fakes.slack import FakeSlackAPI

WHAT = "A colleague posted a photo of the ward whiteboard with patients' names on it"
REPORT = Report(what=WHAT, where="Facebook", when="2026-11-27")
MO_EMAIL = "mo@trust.nhs.uk"


class DiesAfterPosting:
    """The real Slack channel, in a worker whose process is killed once chat.postMessage has been
    sent, before the row can be marked."""

    name = "slack"

    def __init__(self, channel: SlackChannel) -> None:
        self.channel = channel

    def reaches(self, recipient) -> bool:  # noqa: ANN001
        return True

    async def send(self, delivery: Delivery) -> dict | None:
        await self.channel.send(delivery)
        raise asyncio.CancelledError


@pytest.fixture
async def slack(db: Database):
    async with FakeSlackAPI(TOKEN, USERS) as api:
        settings = Settings(snp_database_url=db.url, snp_encryption_key=new_key(), slack_bot_token=TOKEN,
                            slack_api_url=api.base_url)
        core = Core(settings, load_policy(), ManualClock())
        await seed(db, core.clock.now())
        client = AsyncWebClient(token=TOKEN, base_url=api.base_url)
        yield api, core, SlackChannel(client, SlackPeople(core.db, client), core.ticket_content)
        await core.db.dispose()


def dms(api: FakeSlackAPI, channel: str) -> list[dict]:
    return [c.params for c in api.calls_to("chat.postMessage") if c.status == 200 and c.params.get("channel") == channel]


async def test_a_dm_posted_before_the_worker_died_is_found_in_the_history_and_not_posted_again(slack) -> None:
    api, core, channel = slack
    submitted = await core.tickets.submit("sam@trust.nhs.uk", REPORT)
    render = NotificationRenderer(core.tickets, 48)
    doomed = DeliveryWorker(core.db, [DiesAfterPosting(channel)], render, core.clock, recipient=MO_EMAIL)
    with pytest.raises(asyncio.CancelledError):
        await doomed.run_once()
    assert len(dms(api, "D" + MO)) == 1
    core.clock.advance(seconds=61)  # the dead worker's lease runs out

    survivor = DeliveryWorker(core.db, [channel], render, core.clock, recipient=MO_EMAIL)
    assert await survivor.run_once() == 1

    [posted] = dms(api, "D" + MO)  # still the one message Mo sees
    assert submitted.reference in text_of(posted)
    [history] = api.calls_to("conversations.history")
    assert history.params["channel"] == "D" + MO and history.params["include_all_metadata"] in ("1", "true")
    [row] = [r for r in await notifications(core.db) if r.recipient_email == MO_EMAIL]
    [message] = api.history["D" + MO]
    assert (row.status, row.platform_ref) == (Status.SENT, {"channel": "D" + MO, "ts": message["ts"]})
    assert message["metadata"]["event_payload"]["key"] == row.key


async def test_a_dm_that_never_landed_is_posted_once_after_the_history_is_checked(slack) -> None:
    api, core, channel = slack
    await core.tickets.submit("sam@trust.nhs.uk", REPORT)
    render = NotificationRenderer(core.tickets, 48)
    api.fail("chat.postMessage", 1, status=503, channel="D" + MO)
    api.history.setdefault("D" + MO, []).extend(  # Mo's DM already holds other messages from the bot
        {"type": "message", "user": "UBOT", "text": f"older {n}", "ts": f"1600000000.{n:06d}",
         "metadata": {"event_type": "snp_notification", "event_payload": {"key": f"e0:old:{n}"}}} for n in range(250))

    class TimesOut(SlackChannel):
        async def send(self, delivery: Delivery) -> dict | None:
            try:
                await super().send(delivery)
            except Exception as exc:  # noqa: BLE001 - the answer is lost: the outcome is unknown
                raise TimeoutError from exc
            return None

    await DeliveryWorker(core.db, [TimesOut(channel.client, channel.people, core.ticket_content)], render, core.clock,
                         recipient=MO_EMAIL).run_once()
    [row] = [r for r in await notifications(core.db) if r.recipient_email == MO_EMAIL]
    assert (row.status, row.last_error) == (Status.PENDING, "TimeoutError") and row.sending_at is not None
    core.clock.advance(seconds=5)

    await DeliveryWorker(core.db, [channel], render, core.clock, recipient=MO_EMAIL).run_once()

    assert len(api.calls_to("conversations.history")) == 3  # three pages looked through, then it is sent
    assert len(dms(api, "D" + MO)) == 1
    [row] = await _rows(core.db, MO_EMAIL)
    assert row.status == Status.SENT


async def _rows(db: Database, email: str) -> list[Notification]:
    return [r for r in await notifications(db) if r.recipient_email == email]


async def test_a_handler_reassigned_away_sees_their_dm_rewritten_without_the_report(workspace: Workspace) -> None:
    core, api = workspace.core, workspace.api
    submitted = await core.tickets.submit("sam@trust.nhs.uk", REPORT)
    await workspace.until(lambda: workspace.posted_to("D" + MO), "the line manager's DM")
    [row] = await _until_sent(core.db, MO_EMAIL)

    await core.tickets.act(submitted.reference, MO_EMAIL, Action.REASSIGN, assignee="eve@trust.nhs.uk")
    await workspace.until(lambda: api.calls_to("chat.update"), "the DM rewritten")

    [update] = api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("D" + MO, row.platform_ref["ts"])
    words = text_of(update.params)
    assert f"Report {submitted.reference} has moved to another handler" in words
    assert "whiteboard" not in words and not [b for b in update.params["blocks"] if b["type"] == "actions"]
    [seen] = [m for m in api.history["D" + MO] if m["ts"] == row.platform_ref["ts"]]  # what Mo now sees
    assert "whiteboard" not in json.dumps(seen) and "moved to another handler" in seen["text"]
    await workspace.until(lambda: workspace.posted_to("DUEVE"), "the new handler's DM")
    assert "whiteboard" in text_of(workspace.posted_to("DUEVE")[0])


async def _until_sent(db: Database, email: str) -> list[Notification]:
    for _ in range(500):
        rows = [r for r in await _rows(db, email) if r.status == Status.SENT]
        if rows:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"no notification to {email} was marked sent")
