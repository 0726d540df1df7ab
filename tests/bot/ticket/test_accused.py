"""A report never reaches the person it accuses, however loosely the reporter names them.

Ann's line manager is Mark Manager, whose own manager is Dana Director. Every way of naming
either of them below must send the report to People Services, keep it from both, and keep them
from being given it later; a report about someone outside the chain still goes to Mark.
"""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.directory.models import Person, Role
from bot.ticket.service import TicketError, TicketService
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, CARL, DANA, MARK, PEOPLE_SERVICES, PRIYA, Inbox, report

#: Phrasings that named Mark loosely and once reached him, then more of the same kinds.
LOOSELY_MARK = [
    "Mark", "mark", "Mark M", "M. Manager", "Manager, Mark", "Mark Manager's", "my team leader", "my mgr",
    "M\u0430rk Manager",  # a Cyrillic "а"
    MARK, "Mark.Manager@Trust.NHS.uk", "Mark Manager", "MARK MANAGER", "my manager", "my line manager",
    "my boss", "my supervisor", "the head of team", "Mark Manager and Carl Colleague", "Mark’s post",
    "M Manager", "Manager M", "Mrak Manager", "Mark Manger", "\uff2d\uff41\uff52\uff4b",  # fullwidth letters
    "Ma\u200brk", "our team lead", "my ward manager", "mark.manager", "the manager", "Mr Manager",
]
#: Phrasings that may name Dana, the manager above Ann's line manager.
LOOSELY_DANA = ["Dana", "D. Director", "Director, Dana", "Dana Director's", "my manager's boss", "dana.director",
                "head of department"]
#: Reports about someone outside Ann's chain, which still go to her line manager.
NOT_THE_CHAIN = ["Carl Colleague", "Carl", CARL, "a patient's relative", "someone from another trust",
                 "a locum on the ward", ""]


def _may_be_named(who: str) -> tuple[str, ...]:
    """Whom the phrasing may be about: a role word may mean anyone up the chain."""
    if any(word in who.lower() for word in ("my ", "our ", "head of", "the manager")):
        return (MARK, DANA)
    return (DANA,) if who in LOOSELY_DANA else (MARK,)


def about(who: str):
    return report("They posted a photo of the ward whiteboard", who=who)


@pytest.mark.parametrize("who", LOOSELY_MARK + LOOSELY_DANA)
async def test_a_report_that_may_name_the_chain_goes_to_people_services_and_stays_away_from_it(
        service: TicketService, inbox: Inbox, who: str) -> None:
    submitted = await service.submit(ANN, about(who))

    assert "It has gone to People Services, because the report" in submitted.text
    await inbox.deliver()
    assert inbox.kinds(MARK) == [] and inbox.kinds(DANA) == []
    assert inbox.kinds(PRIYA) == ["new_ticket"]
    for manager in _may_be_named(who):
        with pytest.raises(TicketError):
            await service.view(submitted.reference, manager)
        with pytest.raises(TicketError):
            await service.act(submitted.reference, PRIYA, Action.REASSIGN, assignee=manager)


@pytest.mark.parametrize("who", NOT_THE_CHAIN)
async def test_a_report_about_someone_outside_the_chain_goes_to_the_line_manager(
        service: TicketService, inbox: Inbox, who: str) -> None:
    submitted = await service.submit(ANN, about(who))

    assert "It has gone to your line manager." in submitted.text
    await inbox.deliver()
    assert inbox.kinds(MARK) == ["new_ticket"]


@pytest.fixture
async def robert_and_liz(db: Database, clock: ManualClock, directory: list[str]) -> str:
    """Rita's line manager is Robert Hughes; his manager is Elizabeth Grant. Returns Rita's email."""
    async with db.session() as session, session.begin():
        session.add_all([
            Person(email="elizabeth.grant@trust.nhs.uk", name="Elizabeth Grant", role=Role.MANAGER,
                   updated_at=clock.now()),
            Person(email="robert.hughes@trust.nhs.uk", name="Robert Hughes", role=Role.MANAGER,
                   manager_email="elizabeth.grant@trust.nhs.uk", updated_at=clock.now()),
            Person(email="rita.reporter@trust.nhs.uk", name="Rita Reporter", role=Role.STAFF,
                   manager_email="robert.hughes@trust.nhs.uk", updated_at=clock.now())])
    return "rita.reporter@trust.nhs.uk"


@pytest.mark.parametrize("who", ["Bob", "Rob H", "bobby hughes", "Liz", "Beth Grant", "Hughes", "E. Grant"])
async def test_a_nickname_or_a_surname_of_someone_in_the_chain_is_enough(
        service: TicketService, inbox: Inbox, robert_and_liz: str, who: str) -> None:
    submitted = await service.submit(robert_and_liz, about(who))

    assert "It has gone to People Services" in submitted.text
    await inbox.deliver()
    assert inbox.kinds("robert.hughes@trust.nhs.uk") == [] and inbox.kinds("elizabeth.grant@trust.nhs.uk") == []


async def test_the_handler_sees_who_reported_and_whom_it_is_about(service: TicketService, inbox: Inbox) -> None:
    await service.submit(ANN, about("Carl Colleague"))
    await service.submit(ANN, about("my manager"))
    await service.submit(ANN, about("someone in the car park"))

    await inbox.deliver()
    [to_mark] = inbox.texts(MARK)
    assert "Reported by: Ann Reporter (ann.reporter@trust.nhs.uk)" in to_mark
    assert "About: Carl Colleague (carl.colleague@trust.nhs.uk)" in to_mark
    about_manager, unresolved = inbox.texts(PRIYA)
    assert "About: Mark Manager (mark.manager@trust.nhs.uk)" in about_manager
    assert "About: someone in the car park (not matched to anyone in the staff directory)" in unresolved


async def test_the_reporters_confirmation_never_names_the_person_reported(service: TicketService,
                                                                         inbox: Inbox) -> None:
    await service.submit(ANN, about("Carl Colleague"))
    await inbox.deliver()
    [told] = inbox.texts(ANN)
    assert "Carl" not in told and "Reported by" not in told


async def test_people_services_named_in_a_report_do_not_get_it(service: TicketService, inbox: Inbox) -> None:
    await service.submit(ANN, about("Mark Manager and Priya Patel"))
    await inbox.deliver()
    assert inbox.kinds(PRIYA) == []
    assert sorted(r for r in PEOPLE_SERVICES if inbox.kinds(r)) == sorted(set(PEOPLE_SERVICES) - {PRIYA})


async def test_the_handlers_view_names_who_reported_and_the_reporters_does_not(service: TicketService) -> None:
    submitted = await service.submit(ANN, about("Carl Colleague"))

    handler_view = await service.view(submitted.reference, MARK)
    assert "Reported by: Ann Reporter" in handler_view.involved and "About: Carl Colleague" in handler_view.involved
    assert (await service.view(submitted.reference, ANN)).involved == ""
