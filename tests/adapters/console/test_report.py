"""`/snp-report` in `snp-bot chat`: the form one field a line, confirmation, and who sees what."""

from __future__ import annotations

from tests.adapters.console.conftest import MANAGER, PEOPLE_SERVICES, REPORT, REPORTER, WHAT

QUESTION = "Can I post photos from the office party?\n"


def test_a_report_typed_line_by_line_goes_to_the_line_manager(chat, directory, tickets, notifications, capfd):
    out = chat(REPORT)
    assert "Report a breach of the Social Networking Policy (section 7.1)" in out
    assert "Please check your report:" in out and f"What happened? {WHAT}" in out
    assert "Your report is SNP-2026-0001. It has gone to your line manager." in out
    [ticket] = tickets()
    assert (ticket.reference, ticket.reporter_email, ticket.handler_email) == ("SNP-2026-0001", REPORTER, MANAGER)
    # The manager's message is for the manager: not shown here, and left in the outbox untouched.
    assert "New report" not in out and "→ /snp-ticket" not in out
    [told, waiting] = sorted(notifications(), key=lambda row: row.recipient_email != REPORTER)
    assert (told.recipient_email, told.kind, told.status) == (REPORTER, "received", "sent")  # shown above
    assert (waiting.recipient_email, waiting.status, waiting.attempts) == (MANAGER, "pending", 0)
    assert waiting.next_attempt_at == ticket.created_at
    # Nothing the reporter wrote went anywhere but the chat (no log line, no stray print).
    captured = capfd.readouterr()
    assert WHAT not in captured.out + captured.err


def test_each_prompt_is_asked_in_order(chat, directory):
    out = chat(REPORT)
    prompts = ["Who posted it", "Where did it happen?", "What happened?", "When did it happen", "Links to the post"]
    positions = [out.index(prompt) for prompt in prompts]
    assert positions == sorted(positions)


def test_cancel_at_a_prompt_stores_nothing_and_the_chat_goes_on(chat, directory, tickets):
    out = chat("/snp-report\n\nCANCEL\n" + QUESTION)
    assert "Cancelled. Nothing was sent or kept." in out
    assert "What happened?" not in out
    assert "(5.1.4)" in out
    assert tickets() == []


def test_no_at_the_confirmation_stores_nothing(chat, directory, tickets):
    out = chat(REPORT.replace("\nyes\n", "\nno\n") + QUESTION)
    assert "Please check your report:" in out and "Cancelled. Nothing was sent or kept." in out
    assert "(5.1.4)" in out
    assert tickets() == []


def test_the_confirmation_asks_again_until_yes_or_no(chat, directory, tickets):
    out = chat(REPORT.replace("\nyes\n", "\nmaybe\n\nY\n"))
    assert out.count("Please answer yes or no") == 2
    assert len(tickets()) == 1


def test_an_invalid_evidence_link_is_asked_again(chat, directory, tickets):
    out = chat(REPORT.replace("https://facebook.com/p/1", "my-screenshot.png\nhttps://facebook.com/p/1"))
    assert "These don't look like links: my-screenshot.png." in out
    assert "Evidence links https://facebook.com/p/1" in out
    assert len(tickets()) == 1


def test_a_required_field_left_blank_is_asked_again(chat, directory, tickets):
    out = chat(REPORT.replace("\nFacebook", "\n\n   \nFacebook"))
    assert out.count("This one is needed. Where did it happen?") == 2
    assert "Where? Facebook, the ward's group" in out
    assert len(tickets()) == 1


def test_a_field_that_is_too_long_is_asked_again(chat, directory, tickets):
    out = chat(REPORT.replace("yesterday evening", "x" * 201 + "\nyesterday evening"))
    assert "That's 201 characters; please keep it under 200." in out
    assert len(tickets()) == 1


def test_the_end_of_the_input_in_the_form_ends_the_chat_without_a_ticket(chat, directory, tickets):
    out = chat("/snp-report\n\nFacebook\n")
    assert "What happened?" in out and "Thank you" not in out
    assert tickets() == []
    out = chat(REPORT.replace("yes\n", ""))
    assert "Please check your report:" in out and "Thank you" not in out
    assert tickets() == []


def test_quit_in_the_form_cancels_and_ends_the_chat(chat, directory, tickets):
    out = chat("/snp-report\nquit\n" + QUESTION)
    assert "Cancelled. Nothing was sent or kept." in out and "(5.1.4)" not in out
    assert tickets() == []


def test_an_empty_directory_points_to_the_import(chat, chat_url):
    out = chat("/snp-report\n/snp-tickets\n/snp-ticket SNP-2026-0001\n")
    assert out.count("Run `snp-bot directory import FILE.csv` first.") == 3
    assert "Report a breach" not in out


def test_someone_not_in_the_directory_reports_to_people_services(chat, directory, tickets):
    out = chat(REPORT, as_email="agency.nurse@example.org")
    assert out.count("is not in the staff directory") == 1
    assert "It has gone to People Services, because there is no line manager on file for you." in out
    [ticket] = tickets()
    assert ticket.handler_email is None and ticket.routing == "no_manager"
    ps = chat("/snp-tickets\n", as_email=PEOPLE_SERVICES)
    assert "New report SNP-2026-0001" in ps and "You are asked to handle it as People Services." in ps
    assert "SNP-2026-0001  open, waiting for the handler  (opened 2026-01-05)" in ps


def test_a_signposted_report_says_so(chat, directory):
    out = chat(REPORT.replace(WHAT, "Someone keeps harassing me in the comments under my posts"))
    assert "Section 7.4 of the policy also applies" in out
