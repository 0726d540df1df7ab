"""Reading a ticket: the reporter sees the report and its states; the handler and People Services
also see the notes; anyone else, and the person reported, is told there is no such ticket."""

from __future__ import annotations

import pytest

from bot.ticket.service import Submitted, TicketError, TicketService
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, CARL, MARK, PRIYA, QUINN, SAM, WHAT, not_found, report

NOTE = "Spoke to Carl; photo removed the same day"


@pytest.fixture
async def worked(service: TicketService, ticket: Submitted) -> Submitted:
    """Ann's ticket about Carl, acknowledged by Mark, with a note."""
    await service.act(ticket.reference, MARK, Action.ACKNOWLEDGE)
    await service.act(ticket.reference, MARK, Action.ADD_NOTE, note=NOTE)
    return ticket


async def test_the_reporter_sees_the_report_and_states_but_no_notes(service: TicketService, worked: Submitted) -> None:
    view = await service.view(worked.reference, ANN)

    assert view.viewer_role == "reporter"
    assert view.report == report()
    assert view.state_label == "acknowledged"
    assert [e.action for e in view.events] == ["submitted", "acknowledge"]
    assert all(e.note is None for e in view.events)
    assert view.handler == ""


@pytest.mark.parametrize(("reader", "role"), [(MARK, "handler"), (PRIYA, "people_services")])
async def test_the_handler_and_people_services_see_the_notes(service: TicketService, worked: Submitted, reader: str,
                                                             role: str) -> None:
    view = await service.view(worked.public_id, reader)

    assert view.viewer_role == role
    assert view.report is not None and view.report.what == WHAT
    assert [(e.action, e.note) for e in view.events] == [("submitted", None), ("acknowledge", None),
                                                         ("add_note", NOTE)]
    assert view.handler == MARK


@pytest.mark.parametrize("reader", [SAM, CARL, "visitor@elsewhere.org"], ids=["unrelated", "reported", "outsider"])
async def test_others_are_told_there_is_no_such_ticket(service: TicketService, worked: Submitted, reader: str) -> None:
    with pytest.raises(TicketError) as refused:
        await service.view(worked.reference, reader)

    assert str(refused.value) == not_found(worked.reference)


async def test_people_services_who_are_reported_cannot_read(service: TicketService) -> None:
    about_quinn = await service.submit(ANN, report("Quinn posted a patient's photo", who="quinn.jones@trust.nhs.uk"))

    with pytest.raises(TicketError) as refused:
        await service.view(about_quinn.reference, QUINN)

    assert str(refused.value) == not_found(about_quinn.reference)
    assert (await service.view(about_quinn.reference, PRIYA)).viewer_role == "people_services"


async def test_a_ticket_that_does_not_exist_gets_the_same_answer(service: TicketService, worked: Submitted) -> None:
    with pytest.raises(TicketError) as missing:
        await service.view("SNP-2026-0999", MARK)
    with pytest.raises(TicketError) as hidden:
        await service.view("SNP-2026-0001", SAM)

    assert str(missing.value) == not_found("SNP-2026-0999")
    assert str(hidden.value) == not_found("SNP-2026-0001")
    assert str(hidden.value).replace("0001", "0999") == str(missing.value)
