"""The outbox on Teams, against the loopback connector: a handler's card is rewritten in place
(update activity, through the stored conversation reference) when the case moves to someone else,
and every card that carried a report when the retention period removes it."""

from __future__ import annotations

import asyncio
import json

from bot.notify.models import Status
from bot.ticket.report import Report
from bot.ticket.timers import run_timers
from bot.ticket.workflow import Action
from tests.adapters.teams.conftest import MO, SAM, Tenant, words
from tests.bot.ticket.conftest import notifications

WHAT = "A colleague posted a photo of the ward whiteboard with patients' names on it"
REPORT = Report(what=WHAT, where="Facebook", when="2026-11-27")
MO_EMAIL = "mo@trust.nhs.uk"


def actions(card: dict) -> list[str]:
    return [node["type"] for node in _walk(card) if str(node.get("type", "")).startswith("Action.")]


def _walk(node):  # noqa: ANN001, ANN202
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


async def _card_to_mo(tenant: Tenant) -> tuple[str, str]:
    """Sam's report reaches Mo; (conversation id, activity id) of the card, once its row is marked."""
    await tenant.until(lambda: [s for s in tenant.connector.sent() if WHAT in words(s.cards)],
                       "the manager's card")
    [sent] = [s for s in tenant.connector.sent() if WHAT in words(s.cards)]

    async def marked() -> bool:
        return any(r.recipient_email == MO_EMAIL and r.status == Status.SENT for r in await notifications(tenant.core.db))

    for _ in range(200):
        if await marked():
            break
        await asyncio.sleep(0.02)
    return sent.conversation_id, sent.id


async def test_a_handler_reassigned_away_has_the_card_rewritten_in_their_chat(tenant: Tenant) -> None:
    await tenant.post(tenant.teams.installation_update(MO))  # Mo's chat with the bot is known
    submitted = await tenant.core.tickets.submit("sam@trust.nhs.uk", REPORT)
    conversation, activity = await _card_to_mo(tenant)
    assert conversation == tenant.teams.conversation_id(MO)

    await tenant.core.tickets.act(submitted.reference, MO_EMAIL, Action.REASSIGN, assignee="eve@trust.nhs.uk")
    await tenant.until(lambda: tenant.connector.updates(), "the card updated")

    [update] = tenant.connector.updates()
    assert (update.conversation_id, update.id) == (conversation, activity)
    [card] = update.cards
    assert f"Report {submitted.reference} has moved to another handler" in words(card)
    assert WHAT not in json.dumps(update.body) and actions(card) == []
    assert update.body.get("summary") != WHAT


async def test_the_retention_purge_rewrites_the_card_in_a_conversation_the_bot_started(tenant: Tenant) -> None:
    await tenant.post(tenant.teams.installation_update(SAM))  # the bot learns the tenant's service URL
    submitted = await tenant.core.tickets.submit("sam@trust.nhs.uk", REPORT)
    conversation, activity = await _card_to_mo(tenant)
    assert conversation.startswith("a:new")  # Mo never wrote to the bot: it opened the chat itself
    await tenant.core.tickets.act(submitted.reference, MO_EMAIL, Action.CLOSE)

    tenant.core.clock.advance(days=2190)
    assert (await run_timers(tenant.core.tickets, 48, 2190)).purged == 1
    await tenant.until(lambda: tenant.connector.updates(), "the card updated")

    [update] = tenant.connector.updates()
    assert (update.conversation_id, update.id) == (conversation, activity)
    assert f"Report {submitted.reference} is closed and its details have been removed" in words(update.cards)
    assert WHAT not in json.dumps(update.body) and actions(update.cards) == []
