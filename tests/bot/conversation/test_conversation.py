"""Every platform's message goes through one conversation entry point, which applies the rules of
interfaces.md: "?" asks, "check:"/"draft:"/"/snp-check"/a quote block reviews, the rest is decided."""

from __future__ import annotations

import pytest

from bot.conversation import Message
from bot.conversation.service import route


def test_a_question_gets_an_answer_with_citations(conversation):
    reply = conversation.handle(Message("Do I need permission to post photos of patients?", "amy"))
    assert reply.kind == "answer"
    assert reply.citations[0].clause == "5.1.4"
    assert reply.offer == ""


def test_an_uncovered_question_is_declined(conversation):
    assert conversation.handle(Message("How do I book annual leave?", "amy")).kind == "declined"


def test_a_greeting_gets_the_guide(conversation):
    assert conversation.handle(Message("hello", "amy")).kind == "guide"


@pytest.mark.parametrize("text", ["check: The CCG is a shambles", "Draft: The CCG is a shambles",
                                  "/snp-check The CCG is a shambles", "> The CCG is a shambles",
                                  "snp-check The CCG is a shambles"])
def test_explicit_drafts_are_reviewed(conversation, text):
    reply = conversation.handle(Message(text, "amy"))
    assert reply.kind == "review" and reply.verdict == "breach_risk"
    assert reply.findings[0].category == "disrepute"
    assert reply.offer == ""


def test_bare_check_command_asks_for_the_draft(conversation):
    reply = conversation.handle(Message("/snp-check", "amy"))
    assert reply.kind == "notice" and "Paste the draft" in reply.text


def test_a_message_ending_in_a_question_mark_is_a_question_even_if_it_looks_like_a_post(conversation):
    assert route("The CCG logo on my poster, ok?")[0] == "question"


def test_shape_decides_the_rest_and_the_other_reading_is_offered(conversation):
    draft = conversation.handle(Message("Loving the sunshine at the team away day 📸", "amy"))
    assert draft.kind == "review" and draft.offer == "ask"
    question = conversation.handle(Message("can I post photos from the away day", "amy"))
    assert question.kind == "answer" and question.offer == "check"


def test_an_attachment_reaches_the_reviewer(conversation):
    reply = conversation.handle(Message("check: look at this!", "amy", attachments=("image/png",)))
    assert "photo_consent" in {f.category for f in reply.findings}


def test_an_unknown_command_is_named_not_reviewed(conversation):
    reply = conversation.handle(Message("/frobnicate now", "amy"))
    assert reply.kind == "notice" and "/frobnicate" in reply.text


@pytest.mark.parametrize("text", ["wat happens if i break the socail media polcy", "cn i post pics of my team"])
def test_a_question_typed_in_a_hurry_is_read_as_a_question(conversation, text):
    assert route(text)[0] == "question"
    reply = conversation.handle(Message(text, "amy"))
    assert reply.kind == "answer" and reply.citations
