"""The answerer on questions in none of the policy's words, with typos, and near-misses; and the
review-date note only when it is due. Questions here are written for the tests."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answer import Answerer
from bot.conversation import Conversation, Message

IN_OTHER_WORDS = [
    # typos the speller corrects before the sentence encoder reads the question
    ("wat happens if i break the socail media polcy", "7.3"),
    ("cn i get sacked for a dodgy facebok post", "7.3"),
    # "is X covered?" is the definition of social networking
    ("Is Discord covered?", "3.1"),
    ("does the policy count whatsapp groups", "3.1"),
    # after a breach, telling someone is 7.1 (4.3.2 says the same for employees)
    ("I think my colleague posted a patient's photo, do I have to tell someone?", "7.1 4.3.2"),
    ("could I lose my job over something I post?", "7.3"),
]

NEAR_MISSES = [
    "How do I make my Instagram account private?",
    "What's the best time of day to post on TikTok for views?",
    "How many sick days can I have before a review meeting?",
    "my laptop won't connect to the wifi",
]


@pytest.mark.parametrize(("question", "clauses"), IN_OTHER_WORDS)
def test_questions_in_other_words_reach_their_clause(answerer: Answerer, question: str, clauses: str):
    answer = answerer.answer(question)
    assert answer.in_scope, answer.text
    assert answer.citations[0].clause in clauses.split()


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_near_misses_are_declined(answerer: Answerer, question: str):
    answer = answerer.answer(question)
    assert not answer.in_scope and answer.citations == ()


def test_the_speller_puts_typos_right_for_the_encoder(answerer: Answerer):
    assert answerer.ranker.analyzer.corrected("wat if i break the socail media polcy") == \
        "wat if i break the social media policy"


def test_a_post_that_ends_in_a_question_mark_is_not_sent_to_the_disciplinary_procedure(answerer, reviewer):
    reply = Conversation(answerer, reviewer).handle(Message("Off to the pub after a long shift, who's coming?", "amy"))
    assert "isciplinary" not in reply.text
    assert reply.offer == "check"


def test_a_declined_question_names_the_policy_it_is_about(answerer: Answerer):
    answer = answerer.answer("when is payday this month")
    assert not answer.in_scope and "Payroll" in answer.text


@pytest.mark.parametrize(("today", "noted"), [(date(2017, 7, 31), False), (date(2017, 8, 1), True)])
def test_the_review_date_note_appears_only_once_the_review_date_has_passed(answerer, monkeypatch, today, noted):
    monkeypatch.setattr(answerer, "today", lambda: today)
    answer = answerer.answer("Can I upload photos of colleagues taken at work?")
    assert ("review date (July 2017) has passed" in answer.text) is noted


def test_a_policy_due_for_review_in_2028_carries_no_overdue_note(policy):
    due_later = policy.model_copy(update={"meta": policy.meta.model_copy(update={"next_review": "2028-03"})})
    answer = Answerer(due_later).answer("Can I upload photos of colleagues taken at work?")
    assert answer.in_scope and "has passed" not in answer.text
