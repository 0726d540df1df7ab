"""The Slack fake answers a real slack-sdk client as Slack does, and signs as Slack signs."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import (
    FakeSlackAPI,
    SlackClient,
    block_actions_body,
    dm_message,
    event_body,
    sign,
    slash_command_body,
    url_verification_body,
    view_submission_body,
)

TOKEN = "xoxb-test-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USERS = {"U1": "alice.smith@nhs.net", "U2": "bob.jones@nhs.net"}


@pytest.fixture
async def api():
    async with FakeSlackAPI(bot_token=TOKEN, users=USERS) as fake:
        yield fake


@pytest.fixture
async def client(api: FakeSlackAPI):
    web_client = AsyncWebClient(token=TOKEN, base_url=api.base_url)
    yield web_client
    if web_client.session:
        await web_client.session.close()


async def test_auth_test(client: AsyncWebClient, api: FakeSlackAPI):
    response = await client.auth_test()
    assert response["ok"] and response["user_id"] == "UBOT" and response["bot_id"] == "BBOT"
    assert response["team_id"] == "T0001" and response["url"].startswith("https://")
    assert [call.method for call in api.calls] == ["auth.test"]


async def test_users_info_and_lookup(client: AsyncWebClient, api: FakeSlackAPI):
    user = (await client.users_info(user="U1"))["user"]
    assert user["id"] == "U1" and user["is_bot"] is False
    assert user["profile"]["email"] == "alice.smith@nhs.net" and user["profile"]["display_name"]
    assert api.calls_to("users.info")[0].verb == "GET"  # slack-sdk sends it as a query string
    assert (await client.users_lookupByEmail(email="BOB.jones@nhs.net"))["user"]["id"] == "U2"
    with pytest.raises(SlackApiError) as missing:
        await client.users_info(user="U404")
    assert missing.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as nobody:
        await client.users_lookupByEmail(email="nobody@nhs.net")
    assert nobody.value.response["error"] == "users_not_found"


async def test_open_and_post_records_blocks_as_objects(client: AsyncWebClient, api: FakeSlackAPI):
    channel = (await client.conversations_open(users="U1"))["channel"]["id"]
    assert channel == "DU1"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]
    first = await client.chat_postMessage(channel=channel, text="Hello", blocks=blocks)
    second = await client.chat_postMessage(channel=channel, text="Again")
    assert first["channel"] == channel and first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    posted = await api.wait_for("chat.postMessage", count=2)
    assert posted[0].params["blocks"] == blocks and posted[0].content_type == "application/json"
    # The same blocks sent as a form are recorded as objects too.
    await client.api_call("chat.postMessage", data={"channel": channel, "blocks": json.dumps(blocks)})
    assert api.calls_to("chat.postMessage")[2].params["blocks"] == blocks
    assert (await client.chat_postEphemeral(channel=channel, user="U1", text="psst"))["message_ts"]
    assert (await client.chat_update(channel=channel, ts=first["ts"], text="Edited"))["ts"] == first["ts"]


async def test_views(client: AsyncWebClient, api: FakeSlackAPI):
    view = {"type": "modal", "callback_id": "report", "title": {"type": "plain_text", "text": "Report"},
            "blocks": []}
    opened = (await client.views_open(trigger_id="T.1", view=view))["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "report"
    updated = (await client.views_update(view_id=opened["id"], view=view))["view"]
    assert updated["id"] == opened["id"]
    assert (await client.views_push(trigger_id="T.2", view=view))["view"]["id"] != opened["id"]
    assert api.calls_to("views.open")[0].params["view"] == view
    assert (await client.api_call("reactions.add", json={"name": "x"}))["ok"]


async def test_scripted_429_then_success(client: AsyncWebClient, api: FakeSlackAPI):
    api.fail("chat.postMessage", times=1, status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="DU1", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"
    assert (await client.chat_postMessage(channel="DU1", text="hi"))["ok"]
    assert [call.status for call in api.calls_to("chat.postMessage")] == [429, 200]


async def test_scripted_server_error(client: AsyncWebClient, api: FakeSlackAPI):
    api.fail("users.info", times=2, status=503)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            await client.users_info(user="U1")
        assert failed.value.response.status_code == 503
    assert (await client.users_info(user="U1"))["ok"]


async def test_wrong_token_is_invalid_auth(api: FakeSlackAPI):
    intruder = AsyncWebClient(token="xoxb-wrong", base_url=api.base_url)
    with pytest.raises(SlackApiError) as rejected:
        await intruder.auth_test()
    assert rejected.value.response["error"] == "invalid_auth"


async def test_response_url_and_wait_for(api: FakeSlackAPI):
    async with aiohttp.ClientSession() as session, session.post(api.response_url("cmd-1"),
                                                                json={"text": "Reviewed"}) as response:
        assert response.status == 200
    [call] = await api.wait_for("response_url")
    assert call.target == "cmd-1" and call.params == {"text": "Reviewed"}
    with pytest.raises(AssertionError, match="response_url"):
        await api.wait_for("chat.postMessage", timeout=0.05)


def test_sign_agrees_with_slack_sdk():
    body = slash_command_body("/snp-check", "Lovely day on ward 7", user_id="U1", response_url="http://x/r")
    headers = sign(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid(body + "x", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier(SECRET).is_valid_request(body, sign(SECRET, body, timestamp=1_000_000))


def test_builders_have_slack_shapes():
    form = parse_qs(slash_command_body("/snp-check", "a draft", user_id="U1", response_url="http://x/r"))
    assert form["command"] == ["/snp-check"] and form["text"] == ["a draft"] and form["trigger_id"][0] != parse_qs(
        slash_command_body("/snp-check", "a draft", user_id="U1", response_url="http://x/r"))["trigger_id"][0]
    envelope = json.loads(event_body(dm_message("U1", "hello"), event_id="Ev1"))
    assert envelope["type"] == "event_callback" and envelope["event"]["channel_type"] == "im"
    assert envelope["event"]["blocks"][0]["type"] == "rich_text" and "client_msg_id" in envelope["event"]
    shared = dm_message("U1", "look", files=[{"name": "a.png"}])
    assert shared["subtype"] == "file_share" and shared["files"][0]["mimetype"] == "image/png"
    assert dm_message("UBOT", "me", bot_id="BBOT")["subtype"] == "bot_message"
    action = json.loads(parse_qs(block_actions_body("U1", "ack", "42"))["payload"][0])
    assert action["type"] == "block_actions" and action["actions"][0]["value"] == "42"
    assert action["container"]["message_ts"] == action["message"]["ts"]
    values = {"b": {"a": {"type": "plain_text_input", "value": "text"}}}
    view = json.loads(parse_qs(view_submission_body("U1", "report", values))["payload"][0])["view"]
    assert view["callback_id"] == "report" and view["state"]["values"] == values
    assert json.loads(url_verification_body("c"))["challenge"] == "c"


async def test_slack_client_signs_and_marks_retries():
    seen = {}

    async def events(request: web.Request) -> web.Response:
        seen.update(request.headers)
        ok = SignatureVerifier(SECRET).is_valid_request(await request.text(), dict(request.headers))
        return web.Response(status=200 if ok else 401, text="")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    try:
        status, _ = await SlackClient.post(base, body=url_verification_body("c"), secret=SECRET, retry_num=1)
        assert status == 200 and seen["X-Slack-Retry-Num"] == "1"
        async with aiohttp.ClientSession(base_url=base) as session:
            status, _ = await SlackClient.post(session, body="{}", secret="wrong-secret")
        assert status == 401
    finally:
        await runner.cleanup()


async def test_an_outage_fails_every_call_until_restored(client: AsyncWebClient, api: FakeSlackAPI):
    api.outage(status=503)
    for call in (client.auth_test(), client.chat_postMessage(channel="U1", text="hello")):
        with pytest.raises(SlackApiError) as down:
            await call
        assert down.value.response.status_code == 503
    api.restore()
    assert (await client.chat_postMessage(channel="U1", text="hello"))["ok"]
    assert [(c.status, c.landed) for c in api.calls_to("chat.postMessage")] == [(503, False), (200, True)]


async def test_a_hung_call_is_never_answered_and_may_still_land(api: FakeSlackAPI):
    quick = AsyncWebClient(token=TOKEN, base_url=api.base_url, timeout=1, retry_handlers=[])
    api.hang(methods=["chat.postMessage"], channel="DU2", landed=True)
    assert (await quick.chat_postMessage(channel="U1", text="not hung"))["ok"]  # another channel
    with pytest.raises(TimeoutError):
        await quick.chat_postMessage(channel="U2", text="hung")
    assert [m["text"] for m in api.history["DU2"]] == ["hung"]  # Slack posted it; the answer never came
    api.restore()
    assert (await quick.chat_postMessage(channel="U2", text="after"))["ok"]
    if quick.session:
        await quick.session.close()


async def test_restore_drops_a_held_call_and_the_switches_answer_over_http(api: FakeSlackAPI):
    control = api.base_url.removesuffix("api/") + "control"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{control}/hang", json={"methods": ["auth.test"]}) as response:
            assert response.status == 200
        held = asyncio.create_task(session.post(api.base_url + "auth.test", headers={"Authorization": f"Bearer {TOKEN}"}))
        for _ in range(100):
            if api.held:
                break
            await asyncio.sleep(0.01)
        async with session.post(f"{control}/restore") as response:
            assert (await response.json())["held"] == 1
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await held
        async with session.get(f"{control}/calls", params={"method": "auth.test"}) as response:
            seen = await response.json()
    assert [(c["method"], c["status"]) for c in seen["calls"]] == [("auth.test", 0)] and seen["held"] == 0


async def test_reset_forgets_every_call_and_message(client: AsyncWebClient, api: FakeSlackAPI):
    await client.chat_postMessage(channel="U1", text="from an earlier test")
    api.outage(status=503)
    api.reset()
    assert api.calls == [] and api.history == {}
    assert (await client.auth_test())["ok"]  # the outage is over too
