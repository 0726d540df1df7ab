"""Bad input on Teams, shaped as Teams sends it: every activity gets a clear 4xx or an answer the
person can see, never a 5xx and never silence."""

from __future__ import annotations

from sqlalchemy import select

from bot.ticket.models import Ticket
from tests.adapters.teams.conftest import SAM, Tenant, words
from tests.adapters.teams.test_app import report_value

HALF_AN_EMOJI = "\ud83d"


async def test_a_question_with_half_an_emoji_gets_its_answer(tenant: Tenant):
    status, _ = await tenant.post(tenant.teams.message(SAM, f"Can I post photos from the Christmas party? {HALF_AN_EMOJI}"))
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
