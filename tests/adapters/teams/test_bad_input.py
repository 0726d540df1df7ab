"""Bad input on Teams, shaped as Teams sends it: every activity gets a clear 4xx or an answer the
person can see, never a 5xx and never silence."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.ticket.models import Ticket
from tests.adapters.teams.conftest import SAM, Tenant, words
from tests.adapters.teams.test_app import report_value

HALF_AN_EMOJI = "\ud83d"


async def test_a_question_with_half_an_emoji_gets_its_answer(tenant: Tenant):
    question = f"Can I post photos from the Christmas party? {HALF_AN_EMOJI}"
    status, _ = await tenant.post(tenant.teams.message(SAM, question))
    assert status < 300
    [card] = tenant.cards_to(SAM)
    assert "5.1.4" in words(card)


async def test_a_report_with_half_an_emoji_is_stored_and_the_reporter_told(tenant: Tenant):
    what = f"A colleague posted a photo of the ward whiteboard with patients' names on it {HALF_AN_EMOJI}"
    status, _ = await tenant.post(tenant.teams.submit(SAM, report_value(what=what)))
    assert status < 300
    async with tenant.core.db.session() as session:
        [ticket] = list(await session.scalars(select(Ticket)))
    await tenant.until(lambda: ticket.reference in words(tenant.texts_to(SAM) + tenant.cards_to(SAM)),
                       "the reporter's reference")
    view = await tenant.core.tickets.view(ticket.public_id, "sam@trust.nhs.uk")
    assert "patients' names on it \ufffd" in view.report.what


# --- Invokes: a clear answer for each, never a 501 ------------------------------------------------

def _invoke(tenant: Tenant, name: str, value: object) -> dict:
    activity = tenant.teams.invoke_action(SAM, "snp_ticket")
    activity.update(name=name, value=value)
    return activity


@pytest.mark.parametrize("name", ["composeExtension/query", "task/fetch", "signin/verifyState", "made/up"])
async def test_an_invoke_that_is_not_ours_is_a_4xx_with_a_json_error(tenant: Tenant, name: str):
    status, body = await tenant.post(_invoke(tenant, name, {"commandId": "x"}))
    assert 400 <= status < 500, (status, body)
    assert json.loads(body)["error"]


@pytest.mark.parametrize("value", ["x", {"action": "x"}, {"action": {"type": "Action.Execute", "data": "x"}},
                                   {"action": {"type": "Action.Execute", "data": {"snp": "ticket", "ticket": 5,
                                                                                   "step": ["acknowledge"]}}},
                                   {"action": {"type": "Action.Execute", "data": {"snp": "ticket", "ticket": "nope",
                                                                                   "step": "explode"}}}],
                         ids=["a string", "action a string", "data a string", "numbers and lists", "unknown ticket"])
async def test_an_action_execute_with_a_bad_payload_gets_a_message(tenant: Tenant, value: object):
    status, body = await tenant.post(_invoke(tenant, "adaptiveCard/action", value))
    assert status == 200
    answer = json.loads(body)
    assert answer["type"] == "application/vnd.microsoft.activity.message" and answer["value"]


async def test_a_repeated_action_execute_is_answered_that_it_was_already_done(tenant: Tenant):
    activity = _invoke(tenant, "adaptiveCard/action", {"action": {"type": "Action.Execute", "data": {
        "snp": "ticket", "ticket": "nope", "step": "acknowledge"}}})
    first_status, _ = await tenant.post(activity)
    status, body = await tenant.post(activity)  # Teams retried it: the same activity id
    assert (first_status, status) == (200, 200)
    answer = json.loads(body)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert answer["value"] == tenant.core.ticket_content.say("teams_already_done")
