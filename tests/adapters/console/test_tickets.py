"""Working a ticket in `snp-bot chat --as HANDLER`: waiting notifications, `/snp-tickets`,
`/snp-ticket REF [ACTION [TEXT]]`, and the reporter hearing of it in their next chat."""

from __future__ import annotations

import pytest

from adapters.console.chat import parse_action
from bot.ticket.content import load_ticket_content
from bot.ticket.workflow import Action
from tests.adapters.console.conftest import COLLEAGUE, MANAGER, REPORT, WHAT

REF = "SNP-2026-0001"


@pytest.fixture
def reported(chat, directory) -> None:
    assert REF in chat(REPORT)


def test_the_manager_acknowledges_and_the_reporter_hears_of_it(chat, reported, clock, notifications):
    clock.advance(hours=2)
    out = chat(f"/snp-tickets\n/snp-ticket {REF} acknowledge\n", as_email=MANAGER)
    assert out.startswith(f"snp-bot> New report {REF} under the Social Networking Policy (section 7).")
    assert WHAT in out  # the handler may read the report
    assert f"→ /snp-ticket {REF} acknowledge | ask_people_services | resolve_informally | refer_disciplinary | close" in out
    assert f"{REF}  open, waiting for the handler  (opened 2026-01-05)" in out
    assert f"{REF} is now acknowledged." in out
    # The notification is shown once: a second chat as the manager does not repeat it.
    assert "New report" not in chat("/snp-tickets\n", as_email=MANAGER)
    reporter = chat("hello\n")
    assert reporter.startswith(f"snp-bot> Your report {REF} is now acknowledged.")
    assert "Your report" not in chat("hello\n")
    assert all(n.status == "sent" and n.channel == "console" for n in notifications())


def test_the_manager_reads_the_ticket_with_its_history_and_notes(chat, reported, clock):
    clock.advance(minutes=30)
    out = chat(f"/snp-ticket {REF} Add note Spoke to them; the post is down\n/snp-ticket {REF.lower()}\n",
               as_email=MANAGER)
    assert f"Note added to {REF}." in out
    assert f"{REF}, opened 2026-01-05: open, waiting for the handler." in out
    assert f"Handled by {MANAGER}." in out and f"What happened? {WHAT}" in out
    assert "2026-01-05 09:00 UTC  Reported (reporter)" in out
    assert "2026-01-05 09:30 UTC  Add note (handler)" in out
    assert "Note: Spoke to them; the post is down" in out


def test_the_reporter_sees_their_ticket_without_the_notes(chat, reported):
    chat(f"/snp-ticket {REF} add_note Private handler note\n", as_email=MANAGER)
    out = chat(f"/snp-ticket {REF}\n/snp-tickets\n")
    assert f"What happened? {WHAT}" in out and f"{REF}  open" in out
    assert "Private handler note" not in out and "Handled by" not in out


def test_button_labels_work_as_actions(chat, reported):
    out = chat(f"/snp-ticket {REF} Ask People Services\n", as_email=MANAGER)
    assert f"{REF} is now with People Services for advice." in out


def test_a_step_not_allowed_now_is_refused_with_the_reason(chat, reported):
    out = chat(f"/snp-ticket {REF} close\n/snp-ticket {REF} acknowledge\n", as_email=MANAGER)
    assert f"{REF} is now closed." in out
    assert f"{REF} is closed, so it can't be acknowledged now. Nothing has changed." in out


def test_reassigning_takes_an_email(chat, reported):
    out = chat(f"/snp-ticket {REF} reassign {COLLEAGUE}\n/snp-ticket {REF} reassign nobody@trust.nhs.uk\n",
               as_email=MANAGER)
    assert f"{REF} is now with Olu Other." in out
    assert f"There is no ticket {REF} that you can see." in out  # the manager no longer has it
    colleague = chat("/snp-tickets\n", as_email=COLLEAGUE)
    assert f"Report {REF} has been passed to you to handle." in colleague and WHAT in colleague
    assert chat("hello\n").startswith(f"snp-bot> Your report {REF} is now with a different handler.")


def test_a_colleague_who_is_not_the_handler_is_refused(chat, reported, tickets):
    out = chat(f"/snp-tickets\n/snp-ticket {REF}\n/snp-ticket {REF} acknowledge\n", as_email=COLLEAGUE)
    assert "There are no reports you can see." in out
    assert out.count(f"There is no ticket {REF} that you can see.") == 2
    assert WHAT not in out
    assert tickets()[0].state == "open"


def test_the_reporter_cannot_act_on_their_own_report(chat, reported, tickets):
    out = chat(f"/snp-ticket {REF} close\n")
    assert f"Only the handler of {REF} or People Services can do that. Nothing has changed." in out
    assert tickets()[0].state == "open"


def test_an_unknown_action_lists_the_valid_ones(chat, reported):
    out = chat(f"/snp-ticket {REF} frobnicate now\n", as_email=MANAGER)
    assert 'I don\'t know the action "frobnicate". Use one of: acknowledge, ask_people_services, ' in out
    assert "add_note, close." in out


def test_the_command_alone_explains_itself(chat, directory):
    out = chat("/snp-ticket\n")
    assert "Use /snp-tickets to list the reports you can see" in out


def test_an_empty_note_is_refused(chat, reported):
    assert "Write the note after the command." in chat(f"/snp-ticket {REF} add_note\n", as_email=MANAGER)


@pytest.mark.parametrize(("text", "expected"), [
    ("acknowledge", (Action.ACKNOWLEDGE, "")),
    ("ACKNOWLEDGE", (Action.ACKNOWLEDGE, "")),
    ("ask-people-services", (Action.ASK_PEOPLE_SERVICES, "")),
    ("ask people services", (Action.ASK_PEOPLE_SERVICES, "")),
    ("Refer under Disciplinary Policy", (Action.REFER_DISCIPLINARY, "")),
    ("add_note  two  spaces kept", (Action.ADD_NOTE, "two  spaces kept")),
    ("Add   note it's done", (Action.ADD_NOTE, "it's done")),
    ("reassign olu@trust.nhs.uk", (Action.REASSIGN, "olu@trust.nhs.uk")),
    ("closed", None),
    ("ask", None),
])
def test_parse_action(text, expected):
    assert parse_action(text, load_ticket_content()) == expected
