"""The Teams report card, over HTTP: one card is one ticket however often it is sent, and a
report the database cannot take comes back as the card with what was typed and the reason."""

from __future__ import annotations

import asyncio

from bot.db import Database
from bot.ticket.models import Ticket
from tests.adapters.teams.conftest import SAM, Tenant, words
from tests.adapters.teams.test_app import WHAT, _count, _find, _submit_data, _told, report_value

DOWN = "postgresql+asyncpg://127.0.0.1:9/nowhere"


async def _form(tenant: Tenant) -> dict:
    await tenant.post(tenant.teams.message(SAM, "report"))
    return tenant.cards_to(SAM)[-1]


async def test_a_card_sent_twice_with_two_activity_ids_opens_one_ticket(tenant: Tenant):
    data = {**_submit_data(await _form(tenant)), **report_value()}
    assert data.get("form_token")

    # A double click: the same card's data twice, as two activities with ids of their own.
    await asyncio.gather(tenant.post(tenant.teams.submit(SAM, data)), tenant.post(tenant.teams.submit(SAM, data)))

    assert await _count(tenant, Ticket) == 1
    await tenant.until(lambda: _told(tenant), "the reporter's confirmation")
    await asyncio.sleep(0.3)
    assert len(_told(tenant)) == 1


async def test_two_cards_are_two_reports(tenant: Tenant):
    first = {**_submit_data(await _form(tenant)), **report_value()}
    second = {**_submit_data(await _form(tenant)), **report_value()}
    assert first["form_token"] != second["form_token"]
    await tenant.post(tenant.teams.submit(SAM, first))
    await tenant.post(tenant.teams.submit(SAM, second))
    assert await _count(tenant, Ticket) == 2


async def test_a_report_the_database_cannot_take_comes_back_on_the_card_and_sending_again_works(tenant: Tenant):
    data = {**_submit_data(await _form(tenant)), **report_value()}
    working = tenant.core.tickets.db
    tenant.core.tickets.db = Database(DOWN)
    try:
        status, _ = await tenant.post(tenant.teams.submit(SAM, data))
    finally:
        await tenant.core.tickets.db.dispose()
        tenant.core.tickets.db = working

    assert status < 300
    again = tenant.cards_to(SAM)[-1]
    assert "could not be saved" in words(again) and WHAT in words(again)
    assert await _count(tenant, Ticket) == 0
    resend = _find(again, lambda node: node.get("type") == "Action.Submit")[0]["data"]
    assert resend["form_token"] == data["form_token"]  # the same form: never a second ticket

    await tenant.post(tenant.teams.submit(SAM, {**resend, **report_value()}))
    assert await _count(tenant, Ticket) == 1
    await tenant.until(lambda: _told(tenant), "the reporter's confirmation")
    await tenant.until(lambda: any("a:new" in s.conversation_id for s in tenant.connector.sent()),
                       "the line manager's card")
