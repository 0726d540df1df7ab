"""Who may take each step of a case, and in which order the steps may come.

The handler and People Services may act; the reporter, anyone else, and the person reported (even
when they are People Services) may not. A refusal says why and changes nothing: not the ticket,
not its event log, not the outbox.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.db import Database
from bot.ticket.service import Submitted, TicketError, TicketService
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import (
    ANN,
    CARL,
    MARK,
    NINA,
    PRIYA,
    PS_INBOX,
    QUINN,
    SAM,
    STATE_WORDS,
    TOM,
    WHAT,
    Inbox,
    events,
    not_found,
    report,
    snapshot,
)

#: Each action, what it needs, and the state it leaves a new ticket in.
ACTIONS: dict[Action, tuple[dict[str, str], str]] = {
    Action.ACKNOWLEDGE: ({}, "acknowledged"),
    Action.ASK_PEOPLE_SERVICES: ({}, "advice_sought"),
    Action.RESOLVE_INFORMALLY: ({}, "resolved_informally"),
    Action.REFER_DISCIPLINARY: ({}, "referred_disciplinary"),
    Action.REASSIGN: ({"assignee": TOM}, "open"),
    Action.ADD_NOTE: ({"note": "Phoned Carl; he has taken the photo down"}, "open"),
    Action.CLOSE: ({}, "closed"),
}
#: The past participle in "can't be … now".
VERBS = {Action.ACKNOWLEDGE: "acknowledged", Action.ASK_PEOPLE_SERVICES: "sent to People Services",
         Action.RESOLVE_INFORMALLY: "resolved informally", Action.REFER_DISCIPLINARY: "referred",
         Action.REASSIGN: "reassigned", Action.ADD_NOTE: "given a note", Action.CLOSE: "closed"}


def answer_for(action: Action, reference: str) -> str:
    if action is Action.ADD_NOTE:
        return f"Note added to {reference}."
    if action is Action.REASSIGN:
        return f"{reference} is now with Tom Other."
    return f"{reference} is now {STATE_WORDS[ACTIONS[action][1]]}."


def test_the_table_covers_every_action() -> None:
    assert set(ACTIONS) == set(Action)


async def refused(service: TicketService, db: Database, reference: str, actor: str, action: Action | str,
                  **kwargs: str) -> str:
    """The refusal's words, after checking that nothing changed."""
    before = await snapshot(db, reference)
    try:
        await service.act(reference, actor, action, **kwargs)
    except TicketError as refusal:
        words = str(refusal)
    else:
        pytest.fail(f"{actor} was allowed to {action} {reference}")
    assert await snapshot(db, reference) == before, f"{action} refused but changed {reference}"
    return words


async def refusals(service: TicketService, db: Database, reference: str, actor: str,
                   actions: list[Action] | None = None) -> dict[str, str]:
    """What `actor` is told on trying each action in turn (each checked to change nothing)."""
    return {str(action): await refused(service, db, reference, actor, action, **ACTIONS[action][0])
            for action in actions or ACTIONS}


def every(words: str) -> dict[str, str]:
    """The same answer to every action."""
    return dict.fromkeys(map(str, ACTIONS), words)


# --- who may act --------------------------------------------------------------------------------


async def steps_taken(service: TicketService, db: Database, actor: str, role: str) -> dict[str, tuple[str, str]]:
    """Each action taken by `actor` on a new ticket of its own: the answer, and the state the event
    log then records (the last line of which must be the action, by the actor in their role)."""
    taken = {}
    for action, (kwargs, _state) in ACTIONS.items():
        submitted = await service.submit(ANN, report())
        words = await service.act(submitted.public_id, actor, action, **kwargs)
        last = (await events(db, submitted.reference))[-1]
        assert last[:3] == (str(action), actor, role)
        taken[str(action)] = (words.replace(submitted.reference, "REF"), last[4])
    return taken


EXPECTED = {str(action): (answer_for(action, "REF"), state) for action, (_kwargs, state) in ACTIONS.items()}


async def test_the_handler_may_take_every_step(service: TicketService, db: Database) -> None:
    assert await steps_taken(service, db, MARK, "handler") == EXPECTED


async def test_people_services_may_take_every_step(service: TicketService, db: Database) -> None:
    assert await steps_taken(service, db, PRIYA, "people_services") == EXPECTED


async def test_the_reporter_may_take_no_step(service: TicketService, db: Database, ticket: Submitted) -> None:
    told = await refusals(service, db, ticket.reference, ANN)

    assert told == every(f"Only the handler of {ticket.reference} or People Services can do that. Nothing has changed.")


async def test_unrelated_staff_may_take_no_step(service: TicketService, db: Database, ticket: Submitted) -> None:
    assert await refusals(service, db, ticket.reference, SAM) == every(not_found(ticket.reference))


async def test_the_person_reported_may_take_no_step(service: TicketService, db: Database, ticket: Submitted) -> None:
    assert await refusals(service, db, ticket.reference, CARL) == every(not_found(ticket.reference))


async def test_the_person_reported_may_take_no_step_even_as_people_services(service: TicketService,
                                                                            db: Database) -> None:
    about_quinn = await service.submit(ANN, report("Quinn posted a patient's photo", who=QUINN))

    assert await refusals(service, db, about_quinn.reference, QUINN) == every(not_found(about_quinn.reference))


async def test_a_line_manager_who_is_reported_may_take_no_step(service: TicketService, db: Database) -> None:
    about_mark = await service.submit(ANN, report("My manager posted a patient's photo", who="my manager"))

    assert await refusals(service, db, about_mark.reference, MARK) == every(not_found(about_mark.reference))


async def test_acting_on_a_ticket_that_does_not_exist_is_refused(service: TicketService) -> None:
    with pytest.raises(TicketError) as refusal:
        await service.act("SNP-2026-0999", MARK, Action.ACKNOWLEDGE)

    assert str(refusal.value) == not_found("SNP-2026-0999")


# --- the order of steps -------------------------------------------------------------------------


async def test_acknowledging_twice_is_refused(service: TicketService, db: Database, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.ACKNOWLEDGE)

    words = await refused(service, db, ticket.reference, MARK, Action.ACKNOWLEDGE)

    assert words == f"{ticket.reference} is acknowledged, so it can't be acknowledged now. Nothing has changed."


async def test_two_people_acknowledging_at_once_take_one_step(service: TicketService, db: Database,
                                                             ticket: Submitted) -> None:
    answers = await asyncio.gather(service.act(ticket.reference, MARK, Action.ACKNOWLEDGE),
                                   service.act(ticket.reference, PRIYA, Action.ACKNOWLEDGE), return_exceptions=True)

    assert sorted(map(str, answers)) == [
        f"{ticket.reference} is acknowledged, so it can't be acknowledged now. Nothing has changed.",
        f"{ticket.reference} is now acknowledged."]
    assert [e[0] for e in await events(db, ticket.reference)] == ["submitted", "acknowledge"]


async def test_nothing_but_a_note_is_possible_on_a_closed_ticket(service: TicketService, db: Database,
                                                                 ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.CLOSE)
    steps = [action for action in ACTIONS if action is not Action.ADD_NOTE]

    told = await refusals(service, db, ticket.reference, MARK, steps)

    assert told == {str(action): f"{ticket.reference} is closed, so it can't be {VERBS[action]} now. Nothing has changed."
                    for action in steps}


async def test_a_note_can_be_added_to_a_closed_ticket(service: TicketService, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.CLOSE)

    await service.act(ticket.reference, PRIYA, Action.ADD_NOTE, note="Closed after advice")

    view = await service.view(ticket.reference, MARK)
    assert view.state == "closed"
    assert [e.note for e in view.events if e.action == "add_note"] == ["Closed after advice"]


async def test_an_empty_note_is_refused(service: TicketService, db: Database, ticket: Submitted) -> None:
    words = await refused(service, db, ticket.reference, MARK, Action.ADD_NOTE, note="   ")

    assert words == "Write the note after the command. Nothing has changed."


@pytest.mark.parametrize("action", [Action.ASK_PEOPLE_SERVICES, Action.RESOLVE_INFORMALLY,
                                    Action.REFER_DISCIPLINARY, Action.CLOSE], ids=str)
async def test_a_step_on_an_open_ticket_acknowledges_it_on_the_way(service: TicketService, db: Database,
                                                                   inbox: Inbox, ticket: Submitted,
                                                                   action: Action) -> None:
    await service.act(ticket.reference, MARK, action)

    log = [(a, role, before, after) for a, _actor, role, before, after in await events(db, ticket.reference)]
    target = ACTIONS[action][1]
    assert log == [("submitted", "reporter", None, "open"),
                   ("acknowledge", "handler", "open", "acknowledged"),
                   (str(action), "handler", "acknowledged", target)]
    await inbox.deliver()
    assert inbox.texts(ANN) == [ticket.text, f"Your report {ticket.reference} is now {STATE_WORDS[target]}."]


async def test_a_case_resolved_informally_can_still_be_referred(service: TicketService, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.RESOLVE_INFORMALLY)

    await service.act(ticket.reference, MARK, Action.REFER_DISCIPLINARY)

    assert (await service.view(ticket.reference, MARK)).state == "referred_disciplinary"


async def test_a_referred_case_cannot_be_resolved_informally(service: TicketService, db: Database,
                                                             ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.REFER_DISCIPLINARY)

    words = await refused(service, db, ticket.reference, MARK, Action.RESOLVE_INFORMALLY)

    assert words == (f"{ticket.reference} is referred under the Disciplinary Policy, so it can't be resolved "
                     "informally now. Nothing has changed.")


# --- asking People Services ---------------------------------------------------------------------


async def test_asking_people_services_tells_every_member(service: TicketService, inbox: Inbox,
                                                        ticket: Submitted) -> None:
    await inbox.deliver()

    await service.act(ticket.reference, MARK, Action.ASK_PEOPLE_SERVICES)

    delivered = await inbox.deliver()
    asked = sorted(d.recipient.email for d in delivered if d.kind == "advice_requested")
    assert asked == sorted([PS_INBOX, PRIYA, QUINN])
    for delivery in delivered:
        if delivery.kind == "advice_requested":
            assert f"The handler of report {ticket.reference} asks People Services for advice" in delivery.text
            assert WHAT in delivery.text


async def test_asking_people_services_leaves_out_the_person_reported(service: TicketService, inbox: Inbox) -> None:
    about_quinn = await service.submit(ANN, report("Quinn posted a patient's photo", who="Quinn Jones"))

    await service.act(about_quinn.reference, MARK, Action.ASK_PEOPLE_SERVICES)

    asked = sorted(d.recipient.email for d in await inbox.deliver() if d.kind == "advice_requested")
    assert asked == sorted([PS_INBOX, PRIYA])


async def test_asking_people_services_twice_is_refused(service: TicketService, db: Database,
                                                      ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.ASK_PEOPLE_SERVICES)

    words = await refused(service, db, ticket.reference, MARK, Action.ASK_PEOPLE_SERVICES)

    assert words == (f"{ticket.reference} is with People Services for advice, so it can't be sent to People "
                     "Services now. Nothing has changed.")


async def test_asking_people_services_about_a_case_they_hold_is_refused(service: TicketService, db: Database) -> None:
    held = await service.submit(NINA, report())

    words = await refused(service, db, held.reference, PRIYA, Action.ASK_PEOPLE_SERVICES)

    assert words == f"People Services already has {held.reference}. Nothing has changed."


# --- reassigning --------------------------------------------------------------------------------


async def test_reassigning_passes_the_case_on_and_tells_the_new_handler_and_the_reporter(
        service: TicketService, inbox: Inbox, ticket: Submitted) -> None:
    await inbox.deliver()

    assert await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM) == \
        f"{ticket.reference} is now with Tom Other."

    await inbox.deliver()
    (to_tom,) = inbox.channel.to(TOM)
    assert to_tom.text.startswith(f"Report {ticket.reference} has been passed to you to handle.")
    assert WHAT in to_tom.text
    assert [b.ticket for b in to_tom.buttons] == [ticket.public_id] * 5
    assert inbox.texts(ANN) == [ticket.text, f"Your report {ticket.reference} is now with a different handler."]


async def test_after_reassigning_the_new_handler_acts_and_the_old_one_cannot(service: TicketService, db: Database,
                                                                            ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)

    assert await service.act(ticket.reference, TOM, Action.ACKNOWLEDGE) == f"{ticket.reference} is now acknowledged."
    assert await refused(service, db, ticket.reference, MARK, Action.CLOSE) == not_found(ticket.reference)


@pytest.mark.parametrize(("assignee", "reason"), [
    (CARL, "they are involved in the report, so they can't handle it."),
    (ANN, "they are involved in the report, so they can't handle it."),
    ("nobody@trust.nhs.uk", "they are not in the staff directory."),
    (MARK, "they already have it."),
], ids=["person-reported", "reporter", "unknown", "same-handler"])
async def test_reassigning_is_refused_with_the_reason(service: TicketService, db: Database, ticket: Submitted,
                                                      assignee: str, reason: str) -> None:
    words = await refused(service, db, ticket.reference, MARK, Action.REASSIGN, assignee=assignee)

    assert words == f"{assignee} can't take {ticket.reference}: {reason} Nothing has changed."


async def test_an_unknown_action_is_refused_with_the_actions_there_are(service: TicketService, db: Database,
                                                                       ticket: Submitted) -> None:
    before = await snapshot(db, ticket.reference)
    with pytest.raises(TicketError, match='I don\'t know the action "delete". Use one of: acknowledge,'):
        await service.act(ticket.public_id, MARK, "delete")
    assert await snapshot(db, ticket.reference) == before
