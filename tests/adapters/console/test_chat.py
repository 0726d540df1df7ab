"""`snp-bot chat` as a conversation: one reply a line, quiet when piped, ends on 'quit' or EOF."""

from __future__ import annotations

from unittest.mock import AsyncMock

from tests.adapters.console.conftest import MANAGER, REPORTER


def test_each_line_gets_a_reply(chat):
    out = chat("Can I post photos from the office party?\nhello\n")
    assert out.count("snp-bot> ") == 2
    assert "(5.1.4)" in out
    assert "Ask me a question" in out


def test_check_lines_are_reviewed(chat):
    out = chat("check: We at Bolton CCG fully support the new policy\n")
    assert "Speaking for the CCG (clause 5.1.2" in out


def test_a_statement_is_read_as_a_draft_and_the_question_reading_offered(chat):
    out = chat("Great day at the beach with the kids\n")
    assert "Nothing in this draft" in out and 'start with "ask:"' in out


def test_quit_ends_the_conversation(chat):
    out = chat("quit\nCan I post photos from the office party?\n")
    assert out == ""


def test_blank_lines_from_a_pipe_are_skipped(chat):
    assert chat("\n\n\n") == ""


def test_unknown_commands_still_reach_the_conversation(chat):
    assert "I don't know the command /snp-frob" in chat("/snp-frob\n")


def test_on_a_terminal_it_greets_says_who_you_are_and_prompts(chat, directory):
    out = chat("Can I post photos from the office party?\n", tty=True)
    assert out.startswith("snp-bot> I'm snp-bot.")
    assert "(type 'quit' or press Ctrl-D to leave)" in out
    assert f"You are Sam Staff <{REPORTER}> here" in out
    assert out.count("you> ") == 2 and "(5.1.4)" in out


def test_a_name_not_in_the_directory_is_warned_about_once_and_kept(chat, directory):
    out = chat("hello\nhello\n", as_email="Nobody@Trust.nhs.uk")
    assert out.count("nobody@trust.nhs.uk is not in the staff directory") == 1
    assert out.startswith("snp-bot> nobody@trust.nhs.uk is not")


def test_a_server_database_that_is_behind_leaves_questions_working(make_core):
    import io

    from adapters.console.chat import run_chat

    core = make_core()
    core.db.ensure_schema = AsyncMock(return_value=False)
    out = io.StringIO()
    assert run_chat(core, MANAGER, io.StringIO("/snp-report\n/snp-tickets\nCan I post photos from the office party?\n"),
                    out) == 0
    text = out.getvalue()
    assert text.count("run `snp-bot db upgrade`") == 3  # at start, then for each ticket command
    assert "Report a breach" not in text
    assert "(5.1.4)" in text


def test_an_unreachable_database_leaves_questions_working(policy, conversation):
    import io

    from adapters.console.chat import run_chat
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.core import Core

    core = Core(Settings(snp_database_url="postgresql+asyncpg://127.0.0.1:1/nothing"), policy, ManualClock())
    core.conversation = conversation
    out = io.StringIO()
    assert run_chat(core, None, io.StringIO("/snp-report\nCan I post photos from the office party?\n"), out) == 0
    text = out.getvalue()
    assert text.count("Reports and tickets don't work here just now") == 2
    assert "(5.1.4)" in text
