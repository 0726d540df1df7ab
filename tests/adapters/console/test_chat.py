"""`snp-bot chat` as a conversation: one reply a line, quiet when piped, ends on 'quit' or EOF."""

from __future__ import annotations

import io

from adapters.console.chat import run_chat
from bot.conversation import Conversation


def _chat(answerer, text: str) -> str:
    out = io.StringIO()
    assert run_chat(Conversation(answerer), io.StringIO(text), out) == 0
    return out.getvalue()


def test_each_line_gets_a_reply(answerer):
    out = _chat(answerer, "Can I post photos from the office party?\nhello\n")
    assert out.count("snp-bot> ") == 2
    assert "(5.1.4)" in out
    assert "Ask me a question" in out


def test_quit_ends_the_conversation(answerer):
    out = _chat(answerer, "quit\nCan I post photos from the office party?\n")
    assert out == ""


def test_blank_lines_from_a_pipe_are_skipped(answerer):
    assert _chat(answerer, "\n\n\n") == ""
