"""Teams over HTTP, on SQLite and PostgreSQL: activities in as Teams sends them, replies and
proactive messages out through a loopback Bot Framework connector."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.directory.addresses import PlatformAddress
from bot.ticket.models import Ticket
from tests.adapters.teams.conftest import EVE, HANA, MO, SAM, Tenant, words

QUESTION = "Can I post photos from the Christmas party on Facebook?"
WHAT = "A colleague posted a photo of the ward whiteboard with patients' names on it"


def report_value(**changes) -> dict:
    return {"snp": "report", "who": "", "where": "Facebook", "what": WHAT, "when": "2026-11-27",
            "evidence": "https://facebook.com/p/1", **changes}


async def _count(tenant: Tenant, model) -> int:
    async with tenant.core.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_installing_the_app_stores_the_way_back_to_the_person(tenant: Tenant):
    status, _ = await tenant.post(tenant.teams.installation_update(SAM))
    assert status < 300
    async with tenant.core.db.session() as session:
        [address] = list(await session.scalars(select(PlatformAddress)))
    assert address.platform == "teams" and address.email == "sam@trust.nhs.uk"
    assert address.address["reference"]["conversation"]["id"] == tenant.teams.conversation_id(SAM)


async def test_a_personal_chat_question_is_answered_with_the_clause(tenant: Tenant):
    status, _ = await tenant.post(tenant.teams.message(SAM, QUESTION))
    assert status < 300
    [card] = tenant.cards_to(SAM)
    assert "5.1.4" in words(card) and "Final v1.0" in words(card)


async def test_a_draft_with_a_patients_details_is_a_breach_risk(tenant: Tenant):
    await tenant.post(tenant.teams.message(SAM, "check Bed 4's patient John Smith, NHS number 943 476 5919, was rude"))
    [card] = tenant.cards_to(SAM)
    assert "943 476 5919" in words(card) and "6.2" in words(card) and "breach" in words(card).lower()


async def test_a_group_chat_gets_only_a_pointer_to_personal_chat(tenant: Tenant):
    await tenant.post(tenant.teams.message(SAM, "report", conversation_type="groupChat"))
    [sent] = [s for s in tenant.connector.sent()]
    assert "personal chat" in sent.text and not sent.cards


async def _report(tenant: Tenant, **changes) -> str:
    await tenant.post(tenant.teams.message(SAM, "report"))
    [form] = tenant.cards_to(SAM)
    assert {"where", "what", "when"} <= {e.get("id") for e in _inputs(form)}
    await tenant.post(tenant.teams.submit(SAM, {**_submit_data(form), **report_value(**changes)}))
    await tenant.until(lambda: _told(tenant), "the reporter's confirmation, through the outbox")
    told = _told(tenant)[-1]
    return told[told.index("SNP-"):told.index("SNP-") + 13]


def _told(tenant: Tenant) -> list[str]:
    """What the reporter has read that names a reference, in messages or cards."""
    return [t for t in tenant.texts_to(SAM) + [words(c) for c in tenant.cards_to(SAM)] if "SNP-" in t]


def _submit_data(card: dict) -> dict:
    """The data of the card's Action.Submit, which Teams sends back with the inputs merged in."""
    [submit] = _find(card, lambda node: node.get("type") == "Action.Submit")
    return dict(submit["data"])


def _find(card: dict, wanted) -> list[dict]:
    """Every element of a card (at any depth) that `wanted` accepts."""
    found, stack = [], [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found += [node] if wanted(node) else []
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return found


def _inputs(card: dict) -> list[dict]:
    return _find(card, lambda node: str(node.get("type", "")).startswith("Input."))


def _execute_data(card: dict, step: str) -> dict:
    steps = _find(card, lambda node: node.get("type") == "Action.Execute" and (node.get("data") or {}).get("step") == step)
    return steps[0]["data"]


async def test_a_report_reaches_the_line_manager_proactively_who_acknowledges_it(tenant: Tenant):
    reference = await _report(tenant)

    def manager_cards() -> list[dict]:
        return [c for s in tenant.connector.sent() if s.conversation_id.startswith("a:new") for c in s.cards]

    await tenant.until(manager_cards, "the card in a new 1:1 conversation with the line manager")
    [created] = tenant.connector.created()
    assert MO.aad_object_id in words(created.body)
    manager_card = manager_cards()[0]
    assert WHAT in words(manager_card) and reference in words(manager_card)
    data = _execute_data(manager_card, "acknowledge")

    status, body = await tenant.post(tenant.teams.invoke_action(EVE, "snp_ticket", data))
    assert status == 200 and "Nothing has changed" in body and "activity.message" in body

    status, body = await tenant.post(tenant.teams.invoke_action(MO, "snp_ticket", data))
    assert status == 200 and f"{reference} is now acknowledged" in body and "card.adaptive" in body
    await tenant.until(lambda: any("now acknowledged" in t for t in tenant.texts_to(SAM) + [
        words(c) for c in tenant.cards_to(SAM)]), "the reporter told")


async def test_a_report_about_the_reporters_own_manager_goes_to_people_services(tenant: Tenant):
    await _report(tenant, who="my manager")
    await tenant.until(lambda: len(tenant.connector.created()) == 1, "People Services' conversation")
    assert HANA.aad_object_id in words(tenant.connector.created()[0].body)
    assert MO.aad_object_id not in words(tenant.connector.created()[0].body)


async def test_an_activity_delivered_twice_makes_one_ticket(tenant: Tenant):
    await tenant.post(tenant.teams.message(SAM, "report"))
    submit = tenant.teams.submit(SAM, report_value())
    await tenant.post(submit)
    await tenant.post(submit)
    assert await _count(tenant, Ticket) == 1


async def test_a_missing_field_comes_back_on_the_form_with_the_message(tenant: Tenant):
    await tenant.post(tenant.teams.submit(SAM, report_value(what="")))
    [form] = tenant.cards_to(SAM)
    assert "This one is needed" in words(form) and "Facebook" in words(form)
    assert await _count(tenant, Ticket) == 0


async def test_the_connector_failing_three_times_delays_the_notification_but_delivers_it_once(tenant: Tenant):
    tenant.connector.fail("create", 3, status=503)
    await _report(tenant)
    await tenant.until(lambda: any(c.ok for c in tenant.connector.created()), "the manager's card after the failures",
                       seconds=30)
    assert [c.status for c in tenant.connector.calls_of("create")] == [503, 503, 503, 201]


async def test_malformed_activities_never_get_a_5xx(tenant: Tenant):
    url = "/api/messages"
    for body, content_type in [("{", "application/json"), ("[]", "application/json"), ('{"type": 5}', "application/json"),
                               ("hello", "text/plain"), ("", "application/json"), ('{"type": "message"}', "application/json"),
                               ('{"type": "message", "conversation": 7}', "application/json"),
                               ('{"type": "invoke", "name": "adaptiveCard/action", "value": "x"}', "application/json")]:
        response = await tenant.client.post(url, data=body, headers={"Content-Type": content_type})
        assert response.status < 500, (body, response.status)
    activity = tenant.teams.submit(SAM, {"snp": "ticket", "step": "explode", "ticket": "nope"})
    assert (await tenant.post(activity))[0] < 500


async def test_a_shared_image_gets_the_photo_consent_reminder(tenant: Tenant):
    image = {"contentType": "image/png", "contentUrl": "https://teams.example/team.png", "name": "team.png"}
    await tenant.post(tenant.teams.message(SAM, "check Great team day out!", attachments=[image]))
    [card] = tenant.cards_to(SAM)
    assert "5.1.4" in words(card)
