"""The Bot Framework fakes answer botbuilder's own clients as the real services do: the connector
answers a real ConnectorClient, tokens from the fake issuer pass (and fail) botbuilder's own
validation, a CloudAdapter's outgoing credentials get their token from the fake AAD endpoint, and
the activity builders are routed by botbuilder as Teams activities are."""

from __future__ import annotations

import time
from types import SimpleNamespace

import jwt
import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams.teams_activity_extensions import teams_get_channel_data
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    AdaptiveCardInvokeResponse,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ErrorResponseException,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConfiguration,
    AuthenticationConstants,
    ChannelValidation,
    JwtTokenValidation,
    MicrosoftAppCredentials,
    SimpleCredentialProvider,
)

from tests.fakes.botframework import (
    BOT_FRAMEWORK_ISSUER,
    FakeBotFrameworkAuth,
    FakeConnector,
    TeamsChannel,
    TeamsUser,
    adaptive_card_attachment,
    bot_framework_auth,
    post_activity,
)

APP_ID = "7c0f5d5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
PASSWORD = "bot-password-for-tests"
ALICE = TeamsUser.create("Alice Smith")
BOB = TeamsUser.create("Bob Jones")
CARD = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Is this allowed?"}],
        "actions": [{"type": "Action.Submit", "title": "Yes", "data": {"answer": "yes"}}]}


@pytest.fixture
async def connector():
    async with FakeConnector(members={ALICE.id: ALICE.member(), BOB.id: {"name": "Bob Jones",
                                                                          "aadObjectId": BOB.aad_object_id,
                                                                          "email": BOB.email,
                                                                          "userPrincipalName": BOB.upn}}) as fake:
        yield fake


@pytest.fixture
def client(connector: FakeConnector) -> ConnectorClient:
    return ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.service_url)


def _activity(text: str, **extra) -> Activity:
    return Activity(type="message", text=text, from_property=ChannelAccount(id=f"28:{APP_ID}", name="SNP Bot"), **extra)


# -- the connector ------------------------------------------------------------------------------------

async def test_sends_replies_and_updates(connector: FakeConnector, client: ConnectorClient):
    assert connector.service_url.startswith("http://127.0.0.1:") and connector.service_url.endswith("/emea/")
    sent = await client.conversations.send_to_conversation("a:1abc", _activity("Hello"))
    card = Attachment(content_type="application/vnd.microsoft.card.adaptive", content=CARD)
    reply = await client.conversations.reply_to_activity(
        "19:xyz@thread.tacv2;messageid=1700", "1700", _activity("A card", attachments=[card], reply_to_id="1700"))
    updated = await client.conversations.update_activity("a:1abc", sent.id, _activity("Hello again", id=sent.id))
    assert sent.id and reply.id and sent.id != reply.id and updated.id == sent.id

    first, second = connector.sent()
    assert (first.conversation_id, first.text, first.reply_to_id, first.type) == ("a:1abc", "Hello", None, "message")
    assert second.conversation_id == "19:xyz@thread.tacv2;messageid=1700" and second.reply_to_id == "1700"
    assert second.cards == [CARD] and second.attachments[0]["contentType"].endswith("card.adaptive")
    assert [s.text for s in connector.sent("a:1abc")] == ["Hello"]
    (update,) = connector.updates()
    assert (update.conversation_id, update.id, update.text) == ("a:1abc", sent.id, "Hello again")
    call = connector.calls[1]
    assert (call.verb, call.kind, call.activity_id, call.status) == ("POST", "send", "1700", 200)
    assert call.path == "v3/conversations/19:xyz@thread.tacv2;messageid=1700/activities/1700" and call.prefix == "emea"
    assert call.authorization is None  # anonymous credentials send no token


async def test_create_conversation(connector: FakeConnector, client: ConnectorClient):
    params = ConversationParameters(is_group=False, bot=ChannelAccount(id=f"28:{APP_ID}"),
                                    members=[ChannelAccount(id=ALICE.id)], tenant_id=connector.tenant_id,
                                    channel_data={"tenant": {"id": connector.tenant_id}},
                                    activity=_activity("Your report was received"))
    created = await client.conversations.create_conversation(params)
    assert created.id == "a:new-1" and created.service_url == connector.service_url and created.activity_id
    (call,) = connector.created()
    assert call.body["members"] == [{"id": ALICE.id}] and call.body["tenantID"] == connector.tenant_id  # sic: botbuilder sends "tenantID"
    assert [(s.conversation_id, s.text) for s in connector.sent()] == [("a:new-1", "Your report was received")]
    bare = await client.conversations.create_conversation(
        ConversationParameters(bot=ChannelAccount(id=f"28:{APP_ID}"), members=[ChannelAccount(id=BOB.id)]))
    assert bare.id == "a:new-2" and bare.activity_id is None


async def test_members(connector: FakeConnector, client: ConnectorClient):
    member = await client.conversations.get_conversation_member("a:1abc", ALICE.id)
    extra = member.additional_properties
    assert (member.id, member.name, member.aad_object_id) == (ALICE.id, "Alice Smith", ALICE.aad_object_id)
    assert extra["email"] == ALICE.email and extra["userPrincipalName"] == ALICE.upn
    assert extra["tenantId"] == connector.tenant_id and extra["userRole"] == "user"
    by_aad = await client.conversations.get_conversation_member("a:1abc", BOB.aad_object_id)
    assert by_aad.id == BOB.id and by_aad.additional_properties["tenantId"] == connector.tenant_id
    members = await client.conversations.get_conversation_members("a:1abc")
    assert {m.id for m in members} == {ALICE.id, BOB.id}
    paged = await client.conversations.get_teams_conversation_paged_members("a:1abc", page_size=50)
    assert {m.email for m in paged.members} == {ALICE.email, BOB.email}
    with pytest.raises(ErrorResponseException) as missing:
        await client.conversations.get_conversation_member("a:1abc", "29:nobody")
    assert "MemberNotFoundInConversation" in str(missing.value)
    assert [c.kind for c in connector.calls] == ["members"] * 5
    assert connector.calls[3].query == {"pageSize": "50"} and connector.calls[4].status == 404


async def test_anything_else_answers_empty(connector: FakeConnector, client: ConnectorClient):
    await client.conversations.get_conversations()
    await client.conversations.delete_activity("a:1abc", "17")
    assert [(c.kind, c.status, c.response) for c in connector.calls] == [("other", 200, {}), ("delete", 200, {})]


async def test_scripted_failures_and_how_botbuilder_retries(connector: FakeConnector, client: ConnectorClient):
    """botbuilder's ConnectorClient sends with `requests` under msrest's urllib3 Retry: POSTs (sends,
    replies, create conversation) are never retried, so a 429 or 5xx reaches the bot as
    ErrorResponseException; PUTs and GETs are retried, honouring Retry-After on a 429."""
    connector.fail("send", 1, 429, retry_after=1)
    with pytest.raises(ErrorResponseException) as limited:
        await client.conversations.send_to_conversation("a:1abc", _activity("Hello"))
    assert "TooManyRequests" in str(limited.value)
    assert [(c.kind, c.status) for c in connector.calls] == [("send", 429)] and connector.sent() == []
    await client.conversations.send_to_conversation("a:1abc", _activity("Hello"))  # the next one goes through

    connector.fail("update", 1, 429, retry_after=1)
    start = time.monotonic()
    await client.conversations.update_activity("a:1abc", "17", _activity("Edited", id="17"))
    assert time.monotonic() - start >= 0.9  # it waited for Retry-After
    assert [(c.kind, c.status) for c in connector.calls[-2:]] == [("update", 429), ("update", 200)]

    connector.fail("create", 1, 503)
    with pytest.raises(ErrorResponseException):
        await client.conversations.create_conversation(
            ConversationParameters(bot=ChannelAccount(id=f"28:{APP_ID}"), members=[ChannelAccount(id=ALICE.id)]))
    connector.fail("members", 1, 500)
    assert (await client.conversations.get_conversation_member("a:1abc", ALICE.id)).id == ALICE.id
    assert [(c.kind, c.status) for c in connector.calls[-3:]] == [("create", 503), ("members", 500), ("members", 200)]
    with pytest.raises(ValueError):
        connector.fail("typo", 1)


async def test_wait_for(connector: FakeConnector, client: ConnectorClient):
    await client.conversations.send_to_conversation("a:1abc", _activity("Hello"))
    assert len(await connector.wait_for("send")) == 1
    assert await connector.wait_for(lambda call: call.ok and call.body.get("text") == "Hello")
    with pytest.raises(AssertionError, match=r"(?s)expected 2 'send'.*v3/conversations/a:1abc/activities \[200\]"):
        await connector.wait_for("send", count=2, timeout=0.1)


async def test_require_auth(client: ConnectorClient):
    async with FakeConnector(require_auth="secret-token") as guarded:
        anonymous = ConnectorClient(MicrosoftAppCredentials.empty(), base_url=guarded.service_url)
        with pytest.raises(ErrorResponseException):
            await anonymous.conversations.send_to_conversation("a:1", _activity("Hello"))
        assert guarded.calls[0].status == 401 and guarded.sent() == []


# -- inbound tokens -----------------------------------------------------------------------------------

@pytest.fixture
async def auth(monkeypatch: pytest.MonkeyPatch):
    async with bot_framework_auth(monkeypatch) as fake:
        yield fake


async def _authenticate(activity: dict, token: str, channel_service: str = "", **config) -> object:
    return await JwtTokenValidation.authenticate_request(
        Activity().deserialize(activity), f"Bearer {token}", SimpleCredentialProvider(APP_ID, PASSWORD),
        channel_service, AuthenticationConfiguration(**config))


async def test_token_passes_botbuilder_validation(auth: FakeBotFrameworkAuth, connector: FakeConnector):
    assert ChannelValidation.open_id_metadata_endpoint == auth.openid_metadata_url
    activity = connector.teams(APP_ID).message(ALICE, "Can I post a photo of the ward?")
    identity = await _authenticate(activity, auth.token(APP_ID, connector.service_url))
    assert identity.is_authenticated
    assert identity.claims["aud"] == APP_ID and identity.claims["iss"] == BOT_FRAMEWORK_ISSUER
    assert identity.claims["serviceurl"] == connector.service_url
    assert ("GET", "/.well-known/openidconfiguration") in auth.requests and ("GET", "/keys") in auth.requests
    key = auth.jwks()["keys"][0]
    assert key["endorsements"] == ["msteams"] and key["kid"] == jwt.get_unverified_header(auth.token(APP_ID, "x"))["kid"]


@pytest.mark.parametrize(("token_options", "error"), [
    ({"audience": "another-bot"}, PermissionError),
    ({"expired": True}, jwt.ExpiredSignatureError),
    ({"signed": False}, Exception),  # "Token signing algorithm not in allowed list"
    ({"forged": True}, jwt.InvalidSignatureError),
    ({"issuer": "https://login.microsoftonline.com/common/v2.0"}, PermissionError),
])
async def test_bad_tokens_are_rejected(auth: FakeBotFrameworkAuth, connector: FakeConnector, token_options, error):
    activity = connector.teams(APP_ID).message(ALICE, "Hello")
    with pytest.raises(error):
        await _authenticate(activity, auth.token(APP_ID, connector.service_url, **token_options))


async def test_service_url_and_endorsements_are_checked(auth: FakeBotFrameworkAuth, connector: FakeConnector):
    activity = connector.teams(APP_ID).message(ALICE, "Hello")
    with pytest.raises(PermissionError, match="service_url"):
        await _authenticate(activity, auth.token(APP_ID, "https://smba.trafficmanager.net/emea/"))
    token = auth.token(APP_ID, connector.service_url)
    with pytest.raises(Exception, match="endorsement"):
        await _authenticate({**activity, "channelId": "slack"}, token)  # the key is endorsed for msteams only
    with pytest.raises(Exception, match="endorsement"):
        await _authenticate(activity, token, required_endorsements=["skype"])
    with pytest.raises(PermissionError):  # no token at all, with an app id configured
        await JwtTokenValidation.authenticate_request(Activity().deserialize(activity), "",
                                                      SimpleCredentialProvider(APP_ID, PASSWORD), "")


async def test_patches_are_restored(monkeypatch: pytest.MonkeyPatch):
    from botframework.connector.auth import microsoft_app_credentials

    before = (ChannelValidation.open_id_metadata_endpoint, microsoft_app_credentials.ConfidentialClientApplication)
    async with bot_framework_auth(monkeypatch) as fake:
        assert ChannelValidation.open_id_metadata_endpoint == fake.openid_metadata_url
        credentials = MicrosoftAppCredentials(APP_ID, PASSWORD)
        assert credentials.oauth_endpoint == "https://login.microsoftonline.com/botframework.com"  # unchanged…
        assert fake.check_access_token(f"Bearer {credentials.get_access_token()}")  # …but msal asks the fake
    assert (ChannelValidation.open_id_metadata_endpoint, microsoft_app_credentials.ConfidentialClientApplication) == before
    assert AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX == "https://login.microsoftonline.com/"


async def test_outbound_credentials_get_a_token_from_the_fake(auth: FakeBotFrameworkAuth):
    token = MicrosoftAppCredentials(APP_ID, PASSWORD).get_access_token()
    assert auth.check_access_token(f"Bearer {token}", APP_ID) and auth.issued == [token]
    (request,) = auth.token_requests
    assert request["grant_type"] == "client_credentials" and request["tenant"] == "botframework.com"
    assert (request["client_id"], request["client_secret"]) == (APP_ID, PASSWORD)
    assert request["scope"] == "https://api.botframework.com/.default"


async def test_token_endpoint_checks_secrets(monkeypatch: pytest.MonkeyPatch):
    async with bot_framework_auth(monkeypatch, apps={APP_ID: PASSWORD}):
        with pytest.raises(PermissionError, match="invalid_client"):
            MicrosoftAppCredentials(APP_ID, "wrong password").get_access_token()


# -- a CloudAdapter, end to end -----------------------------------------------------------------------

class EchoBot(ActivityHandler):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Activity]] = []

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        self.seen.append(("message", activity))
        await turn_context.send_activity(f"echo: {activity.text}" if activity.text else "submitted")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        # Not on_adaptive_card_invoke: see test_on_adaptive_card_invoke_fails_under_cloud_adapter.
        self.seen.append(("adaptive_card_invoke", turn_context.activity))
        verb = turn_context.activity.value["action"]["verb"]
        done = {**CARD, "body": [{"type": "TextBlock", "text": f"did {verb}"}], "actions": []}
        return InvokeResponse(status=200, body=AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=done))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        self.seen.append(("installation_update_add", turn_context.activity))

    async def on_members_added_activity(self, members_added, turn_context: TurnContext) -> None:
        self.seen.append(("members_added", turn_context.activity))
        await turn_context.send_activity(MessageFactory.attachment(adaptive_card_attachment(CARD)))


async def _serve(adapter: CloudAdapter, bot: ActivityHandler):
    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]


async def test_cloud_adapter_with_the_fakes(auth: FakeBotFrameworkAuth):
    async with FakeConnector(require_auth=lambda header: auth.check_access_token(header, APP_ID)) as connector:
        adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(
            SimpleNamespace(APP_ID=APP_ID, APP_PASSWORD=PASSWORD)))
        bot = EchoBot()
        runner, base = await _serve(adapter, bot)
        try:
            teams = connector.teams(APP_ID)
            message = teams.message(ALICE, "Can I post a photo of the ward?")
            status, _ = await post_activity(base, message, token=auth.token(APP_ID, connector.service_url))
            assert status == 201  # CloudAdapter answers a message turn with 201 and no body
            (reply,) = connector.sent(message["conversation"]["id"])
            assert reply.text == "echo: Can I post a photo of the ward?" and reply.reply_to_id == message["id"]
            assert reply.body["recipient"]["id"] == ALICE.id and reply.body["from"]["id"] == f"28:{APP_ID}"
            assert connector.calls[0].authorization == f"Bearer {auth.issued[0]}"

            # Bad requests, as CloudAdapter answers them: only PermissionError becomes 401; a token it
            # cannot decode, or one that is expired or badly signed, raises through to aiohttp's 500.
            for token, expected in [(None, 401), (auth.token("another-bot", connector.service_url), 401),
                                    (auth.token(APP_ID, "https://elsewhere.example/"), 401),
                                    (auth.token(APP_ID, connector.service_url, expired=True), 500),
                                    (auth.token(APP_ID, connector.service_url, forged=True), 500),
                                    ("not-a-jwt", 500)]:
                assert (await post_activity(base, teams.message(ALICE, "hi"), token=token))[0] == expected, token
            assert (await post_activity(base, {"text": "no type"}, token=auth.token(APP_ID, "x")))[0] == 400
            assert len(connector.sent()) == 1

            # The turn fails with a 500 when the connector answers 429: no retry for a POST.
            connector.fail("send", 1, 429)
            status, _ = await post_activity(base, teams.message(ALICE, "again"), token=auth.token(APP_ID, connector.service_url))
            assert status == 500 and len(connector.sent()) == 1
            # Each turn builds new credentials, so msal asks the token endpoint again every turn.
            assert len(auth.token_requests) == 2
        finally:
            await runner.cleanup()


async def test_configuration_points_the_inbound_half_without_patches(auth: FakeBotFrameworkAuth,
                                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", "http://127.0.0.1:9/unused")
    async with FakeConnector() as connector:
        adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(auth.configuration(APP_ID, PASSWORD)))
        runner, base = await _serve(adapter, EchoBot())
        try:
            message = connector.teams(APP_ID).message(ALICE, "hello")
            assert (await post_activity(base, message, token=auth.token(APP_ID, connector.service_url)))[0] == 201
            assert connector.sent()[0].text == "echo: hello" and auth.check_access_token(connector.calls[0].authorization)
            wrong = auth.token(APP_ID, connector.service_url, audience="another-bot")
            assert (await post_activity(base, message, token=wrong))[0] == 401
        finally:
            await runner.cleanup()


async def test_an_adapter_built_before_the_patch_still_reaches_the_fakes(monkeypatch: pytest.MonkeyPatch):
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace(APP_ID=APP_ID, APP_PASSWORD=PASSWORD)))
    async with bot_framework_auth(monkeypatch) as fake, FakeConnector() as connector:
        runner, base = await _serve(adapter, EchoBot())
        try:
            message = connector.teams(APP_ID).message(ALICE, "hello")
            assert (await post_activity(base, message, token=fake.token(APP_ID, connector.service_url)))[0] == 201
            assert len(fake.token_requests) == 1 and connector.sent()[0].text == "echo: hello"
        finally:
            await runner.cleanup()


async def test_single_tenant_credentials_ask_their_tenant(auth: FakeBotFrameworkAuth):
    tenant = "6a7b8c9d-0000-4e5f-a1b2-c3d4e5f6a7b8"
    configuration = SimpleNamespace(APP_ID=APP_ID, APP_PASSWORD=PASSWORD, APP_TYPE="SingleTenant", APP_TENANTID=tenant)
    async with FakeConnector() as connector:
        runner, base = await _serve(CloudAdapter(ConfigurationBotFrameworkAuthentication(configuration)), EchoBot())
        try:
            message = connector.teams(APP_ID).message(ALICE, "hello")
            assert (await post_activity(base, message, token=auth.token(APP_ID, connector.service_url)))[0] == 201
            assert [r["tenant"] for r in auth.token_requests] == [tenant] and len(connector.sent()) == 1
        finally:
            await runner.cleanup()


# -- activities ---------------------------------------------------------------------------------------

def test_teams_users():
    assert ALICE == TeamsUser.create("Alice Smith") and ALICE.id.startswith("29:1") and ALICE.id != BOB.id
    assert ALICE.email == ALICE.upn == "alice.smith@nhs.net" and len(ALICE.aad_object_id) == 36
    assert ALICE.account() == {"id": ALICE.id, "name": "Alice Smith", "aadObjectId": ALICE.aad_object_id}


def test_message_shapes():
    teams = TeamsChannel(service_url="https://smba.trafficmanager.net/emea/", app_id=APP_ID)
    personal = teams.message(ALICE, "Can I share a patient's thank-you card?")
    assert personal["type"] == "message" and personal["channelId"] == "msteams" and personal["textFormat"] == "plain"
    assert personal["text"] == "Can I share a patient's thank-you card?" and personal["id"].isdigit()
    assert personal["serviceUrl"] == "https://smba.trafficmanager.net/emea/"
    assert personal["from"] == ALICE.account() and personal["recipient"] == {"id": f"28:{APP_ID}", "name": "SNP Bot"}
    conversation = personal["conversation"]
    assert conversation["conversationType"] == "personal" and conversation["id"].startswith("a:1")
    assert conversation["tenantId"] == personal["channelData"]["tenant"]["id"] and "isGroup" not in conversation
    assert personal["entities"][0]["type"] == "clientInfo" and personal["locale"] == "en-GB"
    assert personal["timestamp"].endswith("Z") and personal["localTimestamp"]
    assert personal["attachments"][0]["contentType"] == "text/html"
    assert teams.message(ALICE, "again")["conversation"]["id"] == conversation["id"]  # one chat per user
    assert teams.message(BOB, "hi")["conversation"]["id"] != conversation["id"]

    group = teams.message(ALICE, "hello", conversation_type="groupChat", html=False)
    assert group["conversation"]["isGroup"] is True and group["conversation"]["conversationType"] == "groupChat"
    assert group["text"] == "<at>SNP Bot</at> hello" and group["entities"][0]["type"] == "mention"
    assert "attachments" not in group
    channel = teams.message(ALICE, "hello", conversation_type="channel")
    assert channel["conversation"]["id"].endswith(f";messageid={channel['id']}")
    assert channel["channelData"]["team"]["id"] == teams.team_id and channel["channelData"]["channel"]["id"]
    card = adaptive_card_attachment(CARD)
    assert teams.message(ALICE, "x", attachments=[card], id="42", html=False)["attachments"] == [card]

    data = teams_get_channel_data(Activity().deserialize(channel))
    assert data.tenant.id == teams.tenant_id and data.team.id == teams.team_id


def test_other_activity_shapes():
    teams = TeamsChannel(service_url="https://smba.trafficmanager.net/emea/", app_id=APP_ID)
    submit = teams.submit(ALICE, {"answer": "yes"}, reply_to_id="1700000000001")
    assert submit["type"] == "message" and "text" not in submit and submit["value"] == {"answer": "yes"}
    assert submit["replyToId"] == "1700000000001" and submit["channelData"]["source"] == {"name": "message"}
    invoke = teams.invoke_action(ALICE, "acknowledge", {"ticket": "T-1"})
    assert invoke["type"] == "invoke" and invoke["name"] == "adaptiveCard/action" and invoke["id"].startswith("f:")
    assert invoke["value"]["action"]["type"] == "Action.Execute" and invoke["value"]["trigger"] == "manual"
    assert (invoke["value"]["action"]["verb"], invoke["value"]["action"]["data"]) == ("acknowledge", {"ticket": "T-1"})
    install = teams.installation_update(ALICE)
    assert install["type"] == "installationUpdate" and install["action"] == "add"
    update = teams.conversation_update_members_added(ALICE)
    assert update["type"] == "conversationUpdate" and update["membersAdded"] == [{"id": f"28:{APP_ID}"}]
    assert teams.conversation_update_members_added(ALICE, members=[ALICE.account()])["membersAdded"][0]["id"] == ALICE.id


async def test_botbuilder_routes_the_activities(connector: FakeConnector):
    """Unauthenticated (no app id), as `snp-bot serve` with SNP_TEAMS_UNAUTHENTICATED=1."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace()))
    bot = EchoBot()
    runner, base = await _serve(adapter, bot)
    try:
        teams = connector.teams(APP_ID)
        assert (await post_activity(base, teams.message(ALICE, "hello")))[0] == 201
        assert (await post_activity(base + "/api/messages", teams.submit(ALICE, {"answer": "yes"})))[0] == 201
        status, body = await post_activity(base, teams.invoke_action(ALICE, "acknowledge", {"ticket": "T-1"}))
        assert status == 200 and "did acknowledge" in body  # an invoke is answered in the HTTP response
        assert (await post_activity(base, teams.installation_update(ALICE)))[0] == 201
        assert (await post_activity(base, teams.conversation_update_members_added(ALICE)))[0] == 201
        assert [kind for kind, _ in bot.seen] == ["message", "message", "adaptive_card_invoke",
                                                  "installation_update_add", "members_added"]
        assert bot.seen[1][1].value == {"answer": "yes"} and bot.seen[1][1].text is None
        assert [s.text for s in connector.sent()] == ["echo: hello", "submitted", None]
        assert connector.sent()[2].cards == [CARD] and all(c.authorization is None for c in connector.calls)
    finally:
        await runner.cleanup()


async def test_on_adaptive_card_invoke_fails_under_cloud_adapter(connector: FakeConnector):
    """A botbuilder 4.17.1 quirk the fake makes visible: ActivityHandler serializes what
    on_adaptive_card_invoke returns to a dict, and CloudAdapter.process serializes the body again,
    which fails on a dict, so Teams gets a 500. A bot answers Action.Execute from on_invoke_activity
    with `InvokeResponse(body=<a model>)` instead (EchoBot above)."""

    class CardBot(ActivityHandler):
        async def on_adaptive_card_invoke(self, turn_context, invoke_value) -> AdaptiveCardInvokeResponse:
            return AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.card.adaptive",
                                              value=CARD)

    runner, base = await _serve(CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace())), CardBot())
    try:
        status, _ = await post_activity(base, connector.teams(APP_ID).invoke_action(ALICE, "acknowledge"))
        assert status == 500
    finally:
        await runner.cleanup()
