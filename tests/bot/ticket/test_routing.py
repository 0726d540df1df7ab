"""Who a report goes to (sections 7.1 and 7.2) and which other routes of section 7 the reporter is
pointed to (7.4, 7.5, 7.6)."""

from __future__ import annotations

import pytest

from bot.ticket.service import TicketError, TicketService
from tests.bot.ticket.conftest import (
    ANN,
    CARL,
    DANA,
    MARK,
    NINA,
    OUTSIDER,
    PEOPLE_SERVICES,
    PRIYA,
    PS_INBOX,
    QUINN,
    Inbox,
    not_found,
    notifications,
    report,
)

TO_MANAGER = "It has gone to your line manager."
ABOUT_MANAGER = "It has gone to People Services, because the report is about your line manager."
SELF_MANAGED = "It has gone to People Services, because you have no line manager above you on file."
NO_MANAGER = "It has gone to People Services, because there is no line manager on file for you."


def new_ticket_recipients(delivered: list) -> list[str]:
    return sorted(d.recipient.email for d in delivered if d.kind == "new_ticket")


async def test_a_report_goes_to_the_reporters_line_manager(service: TicketService, inbox: Inbox) -> None:
    submitted = await service.submit(ANN, report())

    assert f"Your report is {submitted.reference}. {TO_MANAGER}" in submitted.text
    delivered = await inbox.deliver()
    assert new_ticket_recipients(delivered) == [MARK]
    assert "You are asked to handle it as the line manager." in inbox.texts(MARK)[0]
    assert (await service.view(submitted.reference, MARK)).viewer_role == "handler"


#: The ways a reporter may name her line manager: an email, his name as in the directory, "my manager".
ABOUT_MARK = [MARK, "Mark.Manager@Trust.NHS.uk.", "Mark Manager", "mark manager", "my manager",
              "My line manager, on the team's Facebook page"]


async def test_a_report_about_the_line_manager_goes_to_people_services(service: TicketService, inbox: Inbox) -> None:
    submitted = {who: await service.submit(ANN, report("My manager posted a patient's name on Facebook", who=who))
                 for who in ABOUT_MARK}

    assert {who: ABOUT_MANAGER in s.text for who, s in submitted.items()} == dict.fromkeys(ABOUT_MARK, True)
    delivered = await inbox.deliver()
    assert new_ticket_recipients(delivered) == sorted(PEOPLE_SERVICES * len(ABOUT_MARK))
    assert inbox.texts(MARK) == []
    assert "You are asked to handle it as People Services." in inbox.texts(PRIYA)[0]
    for s in submitted.values():
        with pytest.raises(TicketError) as refused:
            await service.view(s.reference, MARK)
        assert str(refused.value) == not_found(s.reference)


async def test_a_report_naming_the_line_manager_among_others_goes_to_people_services(
        service: TicketService, inbox: Inbox) -> None:
    ways = ["Carl Colleague and Mark Manager", f"{CARL}, {MARK}", f"Mark Manager (my line manager) and {CARL}",
            f"{CARL} and my manager"]
    submitted = {who: await service.submit(ANN, report("They both shared a patient's photo", who=who)) for who in ways}

    assert {who: ABOUT_MANAGER in s.text for who, s in submitted.items()} == dict.fromkeys(ways, True)
    await inbox.deliver()
    assert inbox.texts(MARK) == []
    assert inbox.kinds(PRIYA) == ["new_ticket"] * len(ways)
    for s in submitted.values():
        with pytest.raises(TicketError):
            await service.view(s.reference, MARK)


async def test_a_self_managed_reporter_goes_to_people_services(service: TicketService, inbox: Inbox) -> None:
    submitted = await service.submit(DANA, report())

    assert SELF_MANAGED in submitted.text
    assert new_ticket_recipients(await inbox.deliver()) == sorted(PEOPLE_SERVICES)


async def test_a_reporter_with_no_manager_on_file_goes_to_people_services(service: TicketService, inbox: Inbox) -> None:
    submitted = await service.submit(NINA, report())

    assert NO_MANAGER in submitted.text
    assert new_ticket_recipients(await inbox.deliver()) == sorted(PEOPLE_SERVICES)


async def test_a_reporter_not_in_the_directory_goes_to_people_services(service: TicketService, inbox: Inbox) -> None:
    submitted = await service.submit(OUTSIDER, report())

    assert NO_MANAGER in submitted.text
    assert new_ticket_recipients(await inbox.deliver()) == sorted(PEOPLE_SERVICES)
    assert (await service.view(submitted.reference, OUTSIDER)).viewer_role == "reporter"


async def test_people_services_who_are_reported_are_not_told(service: TicketService, inbox: Inbox) -> None:
    submitted = await service.submit(NINA, report("Quinn posted a patient's photo", who=QUINN))

    assert new_ticket_recipients(await inbox.deliver()) == sorted([PS_INBOX, PRIYA])
    assert inbox.texts(QUINN) == []
    assert QUINN not in [row.recipient_email for row in await notifications(service.db)]  # not even queued
    with pytest.raises(TicketError):
        await service.view(submitted.reference, QUINN)


async def test_people_services_reported_by_name_are_not_told(service: TicketService, inbox: Inbox) -> None:
    await service.submit(DANA, report("Quinn posted a patient's photo", who="Quinn Jones"))

    assert new_ticket_recipients(await inbox.deliver()) == sorted([PS_INBOX, PRIYA])


async def test_a_plain_report_has_no_signposts(service: TicketService) -> None:
    submitted = await service.submit(ANN, report())

    assert submitted.signposts == []
    assert "Section 7." not in submitted.text


@pytest.mark.parametrize(("what", "clause", "named"), [
    ("Carl keeps harassing me in the comments on my Facebook posts", "7.4", "Dignity at Work Policy"),
    ("Carl posted about covering up a fraud in the ward's petty cash", "7.5", "whistleblowing"),
    ("I have a grievance: Carl's posts about the rota say I was treated unfairly", "7.6", "Grievance Policy"),
], ids=["7.4-harassment", "7.5-malpractice", "7.6-grievance"])
async def test_a_report_is_signposted_and_still_opens(service: TicketService, inbox: Inbox, what: str, clause: str,
                                                       named: str) -> None:
    submitted = await service.submit(ANN, report(what))

    assert submitted.signposts == [clause]
    assert f"Section {clause} of the policy also applies" in submitted.text
    assert named in submitted.text
    assert submitted.reference.startswith("SNP-")
    assert new_ticket_recipients(await inbox.deliver()) == [MARK]
    assert (await service.view(submitted.reference, MARK)).state == "open"


async def test_harassment_of_the_reporter_points_to_dignity_at_work(service: TicketService) -> None:
    submitted = await service.submit(ANN, report("People are trolling me about my shifts on X", who=CARL))

    assert "7.4" in submitted.signposts
    assert "Dignity at Work Policy" in submitted.text


async def test_a_name_in_who_is_read_as_letters_not_as_a_pattern(db, service: TicketService, inbox: Inbox,
                                                                 clock) -> None:
    from bot.directory.models import Person

    async with db.session() as session, session.begin():
        session.add(Person(email="jo.b@trust.nhs.uk", name="Jo_ Bloggs", manager_email=MARK, role="staff",
                           updated_at=clock.now()))
    submitted = await service.submit(ANN, report(who="Jon Bloggs"))
    row = await service.view(submitted.reference, MARK)
    assert row.viewer_role == "handler"
    with pytest.raises(TicketError):  # Jon is not Jo_: had he matched, he would still be a stranger here
        await service.view(submitted.reference, "jo.b@trust.nhs.uk")
