"""`snp-bot chat` as a conversation: one reply a line, quiet when piped, ends on 'quit' or EOF."""

from __future__ import annotations

import io

from adapters.console.chat import run_chat


def _chat(conversation, text: str) -> str:
    out = io.StringIO()
    assert run_chat(conversation, io.StringIO(text), out) == 0
    return out.getvalue()


def test_each_line_gets_a_reply(conversation):
    out = _chat(conversation, "Can I post photos from the office party?\nhello\n")
    assert out.count("snp-bot> ") == 2
    assert "(5.1.4)" in out
    assert "Ask me a question" in out


def test_check_lines_are_reviewed(conversation):
    out = _chat(conversation, "check: We at Bolton CCG fully support the new policy\n")
    assert "Speaking for the CCG (clause 5.1.2" in out


def test_a_statement_is_read_as_a_draft_and_the_question_reading_offered(conversation):
    out = _chat(conversation, "Great day at the beach with the kids\n")
    assert "Nothing in this draft" in out and 'start with "ask:"' in out


def test_quit_ends_the_conversation(conversation):
    out = _chat(conversation, "quit\nCan I post photos from the office party?\n")
    assert out == ""


def test_blank_lines_from_a_pipe_are_skipped(conversation):
    assert _chat(conversation, "\n\n\n") == ""
