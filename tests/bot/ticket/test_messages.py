"""What people are told: the reporter learns each change in words naming only the reference and
the new state; the handler gets the report and the buttons to act on it."""

from __future__ import annotations

from bot.ticket.service import Submitted, TicketService
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, MARK, OPEN_BUTTONS, TOM, WHAT, Inbox, report

NOTE = "Carl says his sister took the photo; asked him to delete it"


async def test_the_reporter_is_told_each_change_and_nothing_else(service: TicketService, inbox: Inbox,
                                                                 ticket: Submitted) -> None:
    ref = ticket.reference
    await service.act(ref, MARK, Action.ACKNOWLEDGE)
    await service.act(ref, MARK, Action.ADD_NOTE, note=NOTE)
    await service.act(ref, MARK, Action.ASK_PEOPLE_SERVICES)
    await service.act(ref, MARK, Action.RESOLVE_INFORMALLY)
    await service.act(ref, MARK, Action.REFER_DISCIPLINARY)
    await service.act(ref, MARK, Action.CLOSE)

    await inbox.deliver()
    assert inbox.texts(ANN) == [
        ticket.text,  # the confirmation, from the outbox like every other message
        f"Your report {ref} is now acknowledged.",
        f"Your report {ref} is now with People Services for advice.",
        f"Your report {ref} is now resolved informally.",
        f"Your report {ref} is now referred under the Disciplinary Policy.",
        f"Your report {ref} is now closed.",
    ]


async def test_the_reporters_messages_hold_no_report_words_notes_or_buttons(service: TicketService, inbox: Inbox,
                                                                           ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.ADD_NOTE, note=NOTE)
    await service.act(ticket.reference, MARK, Action.RESOLVE_INFORMALLY)
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)

    await inbox.deliver()
    to_ann = inbox.channel.to(ANN)
    assert [d.kind for d in to_ann] == ["received", "state_changed", "reassigned_reporter"]
    for delivery in to_ann:
        for words in (WHAT, NOTE, "Carl", "Facebook", "Tom Other", TOM):
            assert words not in delivery.text
        assert delivery.buttons == ()
        assert not delivery.confidential


async def test_the_handler_gets_the_report_and_the_buttons(service: TicketService, inbox: Inbox,
                                                          ticket: Submitted) -> None:
    await inbox.deliver()

    (to_mark,) = inbox.channel.to(MARK)
    assert to_mark.kind == "new_ticket"
    assert to_mark.reference == ticket.reference
    assert to_mark.text.startswith(f"New report {ticket.reference} under the Social Networking Policy (section 7).")
    for line in ("Who is it about? Carl Colleague", "Where? Facebook", f"What happened? {WHAT}",
                 "When? yesterday evening", "Evidence links (not given)"):
        assert line in to_mark.text.splitlines()
    assert [b.label for b in to_mark.buttons] == OPEN_BUTTONS
    assert [b.action for b in to_mark.buttons] == ["acknowledge", "ask_people_services", "resolve_informally",
                                                  "refer_disciplinary", "close"]
    assert {b.ticket for b in to_mark.buttons} == {ticket.public_id}
    assert to_mark.confidential
    assert to_mark.recipient.name == "Mark Manager"


async def test_the_buttons_offered_follow_the_state(service: TicketService, inbox: Inbox, ticket: Submitted) -> None:
    await service.act(ticket.reference, MARK, Action.ASK_PEOPLE_SERVICES)
    await service.act(ticket.reference, MARK, Action.REASSIGN, assignee=TOM)

    await inbox.deliver()
    (to_tom,) = inbox.channel.to(TOM)
    assert [b.label for b in to_tom.buttons] == ["Resolve informally", "Refer under Disciplinary Policy", "Close"]


async def test_the_actor_is_not_told_of_their_own_change(service: TicketService, inbox: Inbox) -> None:
    """An acknowledgement tells the reporter, and only the reporter: not the handler who took it."""
    submitted = await service.submit(ANN, report())
    await inbox.deliver()

    await service.act(submitted.reference, MARK, Action.ACKNOWLEDGE)

    delivered = await inbox.deliver()
    assert [(d.recipient.email, d.kind) for d in delivered] == [(ANN, "state_changed")]
