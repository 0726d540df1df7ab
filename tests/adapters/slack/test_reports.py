"""/snp-report on Slack, over HTTP: a report is answered "received" only once it is committed,
a report the database cannot take keeps the form open with the reason, and one form is one
ticket however often it is sent."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from bot.db import Database
from bot.directory.addresses import remember
from bot.ticket.models import Ticket
from tests.adapters.slack.conftest import MO, SAM, Workspace, text_of
from tests.adapters.slack.test_app import WHAT, report_values
from tests.fakes.slack import slash_command_body, view_submission_body

#: Nothing listens here: a database that is down.
DOWN = "postgresql+asyncpg://127.0.0.1:9/nowhere"


async def _form_token(workspace: Workspace) -> str:
    await workspace.send(slash_command_body("/snp-report", "", user_id=SAM, response_url=workspace.api.response_url("r")))
    [opened] = await workspace.api.wait_for("views.open")
    return opened.params["view"]["private_metadata"]


async def _submit(workspace: Workspace, token: str, view_id: str = "V1") -> dict:
    status, text = await workspace.send(view_submission_body(SAM, "snp_report", report_values(WHAT),
                                                             private_metadata=token, view_id=view_id))
    assert status == 200
    return json.loads(text)


async def _references(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(Ticket.reference).order_by(Ticket.id)))


async def test_a_report_is_answered_with_its_reference_only_once_it_is_committed(workspace: Workspace):
    answer = await _submit(workspace, await _form_token(workspace))

    assert answer["response_action"] == "update"
    shown = text_of(answer["view"])
    assert answer["view"]["title"]["text"] == "Report received"
    assert "SNP-2026-0001" in shown and "your line manager" in shown
    # The answer came after the commit: the ticket is there the moment Slack has its answer.
    assert await _references(workspace.core.db) == ["SNP-2026-0001"]
    await workspace.until(lambda: workspace.posted_to("D" + SAM), "the reporter's DM, from the outbox")
    assert "SNP-2026-0001" in text_of(workspace.posted_to("D" + SAM)[0])
    await workspace.until(lambda: workspace.posted_to("D" + MO), "the line manager's DM")


async def test_a_report_the_database_cannot_take_keeps_the_form_open_and_sending_again_works(workspace: Workspace):
    token = await _form_token(workspace)
    working = workspace.core.tickets.db
    workspace.core.tickets.db = Database(DOWN)
    try:
        answer = await _submit(workspace, token)
    finally:
        await workspace.core.tickets.db.dispose()
        workspace.core.tickets.db = working

    assert answer["response_action"] == "errors"
    assert "could not be saved" in answer["errors"]["what"] and "press Send again" in answer["errors"]["what"]
    assert await _references(working) == []
    await asyncio.sleep(0.3)
    assert not workspace.posted_to("D" + SAM)  # nobody was told of a report that does not exist

    again = await _submit(workspace, token)
    assert again["response_action"] == "update" and "SNP-2026-0001" in text_of(again["view"])
    assert await _references(working) == ["SNP-2026-0001"]


async def test_the_same_form_sent_twice_opens_one_ticket_and_both_answers_name_it(workspace: Workspace):
    token = await _form_token(workspace)
    first, second = await asyncio.gather(_submit(workspace, token), _submit(workspace, token))

    assert await _references(workspace.core.db) == ["SNP-2026-0001"]
    assert "SNP-2026-0001" in text_of(first["view"]) and "SNP-2026-0001" in text_of(second["view"])
    await workspace.until(lambda: workspace.posted_to("D" + MO), "the line manager's DM")
    await asyncio.sleep(0.3)
    assert len(workspace.posted_to("D" + MO)) == 1 and len(workspace.posted_to("D" + SAM)) == 1


async def test_two_forms_are_two_reports(workspace: Workspace):
    await _submit(workspace, await _form_token(workspace), view_id="V1")
    workspace.api.calls.clear()
    await _submit(workspace, await _form_token(workspace), view_id="V2")
    assert await _references(workspace.core.db) == ["SNP-2026-0001", "SNP-2026-0002"]


async def test_a_report_is_taken_while_slacks_web_api_is_down_and_the_reporter_told_when_it_is_back(
        workspace: Workspace):
    """Reports need only the database: a server whose first request comes during an outage (bolt
    would ask auth.test first) takes the report, and the outbox tells people once Slack is back."""
    token = "form-during-outage"
    # Sam has used the bot before, so his email is remembered with his Slack id.
    await remember(workspace.core.db, "slack", SAM, "sam@trust.nhs.uk", {"user_id": SAM}, workspace.core.clock.now())
    workspace.api.outage(503)
    try:
        answer = await _submit(workspace, token)
        assert answer["response_action"] == "update" and "SNP-2026-0001" in text_of(answer["view"])
        assert await _references(workspace.core.db) == ["SNP-2026-0001"]
    finally:
        workspace.api.restore()
    await workspace.until(lambda: workspace.posted_to("D" + SAM) and workspace.posted_to("D" + MO),
                          "the reporter's and the line manager's DMs after the outage", seconds=30)


async def test_a_burst_beyond_what_can_be_saved_in_time_is_asked_to_send_again_and_loses_nothing(
        workspace: Workspace, monkeypatch):
    from adapters.slack import reports

    token = await _form_token(workspace)
    monkeypatch.setattr(reports, "SUBMITTING_AT_MOST", 0)
    busy = await _submit(workspace, token)
    assert busy["response_action"] == "errors" and "press Send again" in busy["errors"]["what"]
    assert await _references(workspace.core.db) == []

    monkeypatch.setattr(reports, "SUBMITTING_AT_MOST", 32)
    again = await _submit(workspace, token)
    assert again["response_action"] == "update" and await _references(workspace.core.db) == ["SNP-2026-0001"]
