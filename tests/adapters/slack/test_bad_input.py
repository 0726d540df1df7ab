"""Bad input on Slack, signed as Slack signs it: every request gets a clear 4xx with a short JSON
error, or its answer, never a 5xx and never silence."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from tests.adapters.slack.conftest import SAM, SECRET, Workspace, text_of
from tests.fakes.slack import FORM, JSON, SlackClient, dm_message, event_body, slash_command_body

HALF_AN_EMOJI = "\ud83d"


async def test_a_dm_with_half_an_emoji_gets_its_answer(workspace: Workspace):
    question = f"Can I post photos from the Christmas party? {HALF_AN_EMOJI}"
    status, _ = await workspace.event(event_body(dm_message(SAM, question), event_id="EvHalf"))
    assert status == 200
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer")
    assert "5.1.4" in text_of(workspace.posted_to("D" + SAM)[0])


async def test_a_draft_with_half_an_emoji_is_reviewed(workspace: Workspace):
    draft = f"check: Bed 4's patient John Smith was so rude today {HALF_AN_EMOJI}"
    await workspace.event(event_body(dm_message(SAM, draft), event_id="EvHalf2"))
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the review")
    assert "[patient]" in text_of(workspace.posted_to("D" + SAM)[0])


# --- Headers: a missing or malformed timestamp or signature is a 401 before bolt sees it ---------

CHECK = "Lovely walk along the canal this morning with the dog"


def _acted(workspace: Workspace) -> list[str]:
    """The Web API calls the bot made on a request's behalf (bolt's own auth.test aside)."""
    return [call.method for call in workspace.api.calls if call.method != "auth.test"]


@pytest.mark.parametrize("headers", [
    {"X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Request-Timestamp": "1.7e9", "X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
    {"X-Slack-Request-Timestamp": str(int(time.time()))},
    {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "junk"},
], ids=["no timestamp", "words", "a float", "both empty", "no signature", "junk signature"])
async def test_a_missing_or_malformed_timestamp_or_signature_is_a_401(workspace: Workspace, headers: dict):
    body = slash_command_body("/snp-check", CHECK, user_id=SAM, response_url=workspace.api.response_url("h"))
    response = await workspace.client.post("/slack/events", data=body, headers={"Content-Type": FORM, **headers})
    assert response.status == 401
    assert (await response.json())["error"]
    assert workspace.api.calls == []


# --- Signed, but not shaped as Slack sends: a 400 with a short JSON error, at once ----------------

def _payload(data: object) -> str:
    return urlencode({"payload": json.dumps(data)})


def _event(event: object, **envelope: object) -> str:
    return json.dumps({"type": "event_callback", "event_id": "EvBad", "team_id": "T0001", "api_app_id": "A0001",
                       **envelope, **({"event": event} if event is not None else {})})


ME = {"id": SAM, "username": "usam", "team_id": "T0001"}
OFFER = {"action_id": "snp_offer_ask", "value": "Can I post photos?"}
STEP = {"action_id": "snp_ticket:acknowledge", "value": "1"}
DM = {"type": "message", "channel_type": "im", "user": SAM, "channel": "D" + SAM, "text": "Can I post photos?"}
MALFORMED = {
    # gave a 500
    "actions a string": (_payload({"type": "block_actions", "user": ME, "actions": "snp_offer_ask"}), FORM),
    "actions a list of strings": (_payload({"type": "block_actions", "user": ME, "actions": ["snp_offer_ask"]}), FORM),
    "an action without action_id": (_payload({"type": "block_actions", "user": ME, "actions": [{}]}), FORM),
    "a numeric action_id": (_payload({"type": "block_actions", "user": ME, "actions": [{"action_id": 5}]}), FORM),
    "a view that is a string": (_payload({"type": "view_submission", "user": ME, "view": "snp_report"}), FORM),
    "an event that is a string": (_event("message"), JSON),
    "an event that is a list": (_event([DM]), JSON),
    # a 404 after bolt's three seconds, or a 200 and then silence
    "a payload that is not JSON": (urlencode({"payload": "{not json"}), FORM),
    "a payload with no type": (_payload({"user": ME, "actions": [OFFER]}), FORM),
    "block_actions without actions": (_payload({"type": "block_actions", "user": ME}), FORM),
    "block_actions without user": (_payload({"type": "block_actions", "actions": [OFFER]}), FORM),
    "a ticket button without user": (_payload({"type": "block_actions", "actions": [STEP]}), FORM),
    "a button value that is a number": (_payload({"type": "block_actions", "user": ME, "channel": {"id": "D1"},
                                                  "actions": [{**STEP, "value": 5}]}), FORM),
    "view_submission without view": (_payload({"type": "view_submission", "user": ME}), FORM),
    "view_submission without state": (_payload({"type": "view_submission", "user": ME,
                                                "view": {"id": "V1", "callback_id": "snp_check"}}), FORM),
    "view_submission without user": (_payload({"type": "view_submission", "view": {
        "id": "V1", "callback_id": "snp_check", "state": {"values": {}}}}), FORM),
    "a draft that is a number": (_payload({"type": "view_submission", "user": ME, "view": {
        "id": "V1", "callback_id": "snp_check",
        "state": {"values": {"draft": {"draft": {"type": "plain_text_input", "value": 5}}}}}}), FORM),
    "a slash command without trigger_id": (urlencode({"command": "/snp-report", "user_id": SAM, "text": "",
                                                      "response_url": "https://hooks.slack.com/x"}), FORM),
    "a slash command without user_id": (urlencode({"command": "/snp-check", "text": CHECK, "trigger_id": "T.1",
                                                   "response_url": "https://hooks.slack.com/x"}), FORM),
    "event_callback without event": (_event(None), JSON),
    "event_callback without event_id": (json.dumps({"type": "event_callback", "event": DM}), JSON),
    "a DM without channel": (_event({k: v for k, v in DM.items() if k != "channel"}), JSON),
    "a DM whose text is a number": (_event({**DM, "text": 5}), JSON),
    "a DM whose files are a string": (_event({**DM, "files": "photo.jpg"}), JSON),
    "a DM from a user that is an object": (_event({**DM, "user": {"id": SAM}}), JSON),
    "an event without type": (_event({"channel_type": "im", "user": SAM}), JSON),
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_a_signed_malformed_request_is_a_400_with_a_json_error(workspace: Workspace, name: str):
    body, content_type = MALFORMED[name]
    status, text = await workspace.send(body, content_type)
    assert status == 400, (status, text)
    assert json.loads(text)["error"]
    assert _acted(workspace) == []


# --- Replay: a signature already accepted is refused for as long as it could be valid ----------

async def test_a_replayed_snp_check_is_answered_once(workspace: Workspace):
    url = str(workspace.client.make_url("/slack/events"))
    body = slash_command_body("/snp-check", CHECK, user_id=SAM, response_url=workspace.api.response_url("replay"))
    signed_at = int(time.time())
    statuses = [(await SlackClient.post(url, "", body=body, content_type=FORM, secret=SECRET, timestamp=signed_at))[0]
                for _ in range(5)]
    assert statuses == [200, 409, 409, 409, 409]
    await workspace.api.wait_for("response_url")
    fresh = slash_command_body("/snp-check", CHECK + " again", user_id=SAM,
                               response_url=workspace.api.response_url("fresh"))
    assert (await workspace.send(fresh))[0] == 200
    answers = await workspace.api.wait_for("response_url", 2)
    assert [answer.target for answer in answers] == ["replay", "fresh"]


async def test_a_replayed_event_is_refused_and_slacks_own_retry_is_not(workspace: Workspace):
    body = event_body(dm_message(SAM, "Can I post photos from the Christmas party?"), event_id="EvReplay")
    signed_at = int(time.time())
    assert (await workspace.event(body, timestamp=signed_at))[0] == 200
    assert (await workspace.event(body, timestamp=signed_at))[0] == 409
    # Slack's retry is signed afresh: accepted, and answered by the event id's de-duplication
    assert (await workspace.event(body, timestamp=signed_at + 1, retry_num=1))[0] == 200
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the answer")
    assert len(workspace.posted_to("D" + SAM)) == 1
