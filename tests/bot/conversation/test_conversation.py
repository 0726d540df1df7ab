"""Every platform's message goes through one conversation entry point."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation, Message


@pytest.fixture(scope="module")
def conversation(answerer):
    return Conversation(answerer)


def test_a_question_gets_an_answer_with_citations(conversation):
    reply = conversation.handle(Message("Do I need permission to post photos of patients?", "amy"))
    assert reply.kind == "answer"
    assert reply.citations[0].clause == "5.1.4"


def test_an_uncovered_question_is_declined(conversation):
    assert conversation.handle(Message("How do I book annual leave?", "amy")).kind == "declined"


def test_a_greeting_gets_the_guide(conversation):
    assert conversation.handle(Message("hello", "amy")).kind == "guide"
