"""The answerer cites the clause a question rests on, in staff words, and declines what the policy
does not cover. Questions here are written for the tests, in the ways staff phrase things."""

from __future__ import annotations

import pytest

from bot.answer import Answerer

IN_SCOPE = [
    ("Are we OK to share selfies from the office summer party on Insta?", "5.1.4"),
    ("Can I use the NHS Bolton CCG logo on my running club's flyer?", "6.2"),
    ("I'm moving to a job at the council next month, what should I update on LinkedIn?", "5.1.5"),
    ("My Twitter bio says I work for the CCG. Do I need to add a disclaimer when I tweet about health policy?",
     "5.1.2"),
    ("If I break the social media rules could I be dismissed?", "7.3"),
    ("People from work keep trolling me in a Facebook group, what can I do?", "7.4"),
    ("Can I post about fraud I've seen at work on Twitter? Would the whistleblowing law protect me?", "7.5"),
    ("can i have a rant on fb about my banding being refused", "6.4"),
    ("Does the social media policy apply to volunteers?", "2.2"),
    ("A journalist messaged me on LinkedIn asking for a comment about a CCG decision", "1.3"),
    ("Is it fine to browse instagram on my work laptop at lunch?", "5.1.3"),
]

OUT_OF_SCOPE = [
    ("How much annual leave can I carry over to next year?", "Annual Leave Policy"),
    ("I forgot my password and my account's locked", "IT Service Desk"),
    ("Can I bring a companion to a disciplinary hearing and how do appeals work?", "Disciplinary Policy"),
    ("What's the car parking permit process?", "line manager"),
    ("Which hashtags get the best engagement on LinkedIn?", "Communications and Engagement Team"),
    ("What is the capital of France?", "People Services"),
]


@pytest.mark.parametrize(("question", "clause"), IN_SCOPE)
def test_answers_cite_the_clause_first(answerer: Answerer, question: str, clause: str):
    answer = answerer.answer(question)
    assert answer.in_scope
    assert answer.citations[0].clause == clause
    assert f"({clause})" in answer.text


@pytest.mark.parametrize(("question", "pointer"), OUT_OF_SCOPE)
def test_questions_the_policy_does_not_cover_are_declined_with_a_pointer(answerer, question, pointer):
    answer = answerer.answer(question)
    assert not answer.in_scope
    assert answer.citations == ()
    assert pointer in answer.text
    assert "won't guess" in answer.text


def test_answer_quotes_the_clause_verbatim_with_version_and_review_note_once(answerer, policy):
    answer = answerer.answer("Can I upload photos of colleagues taken at work?")
    quote = answer.citations[0].quote
    assert quote in policy.clause(answer.citations[0].clause).text
    assert f'"{quote}"' in answer.text
    assert "SOCIAL001, Final v1.0" in answer.text
    assert answer.text.count("July 2017") == 1


def test_long_clause_is_quoted_by_the_passage_that_fits(answerer, policy):
    answer = answerer.answer("Am I allowed to put the CCG logo on my own website?")
    assert answer.citations[0].clause == "6.2"
    quote = answer.citations[0].quote
    assert "logo" in quote and "sexually" not in quote
    lead, _, bullet = quote.partition(" … ")
    assert lead in policy.clause("6.2").text and bullet in policy.clause("6.2").text


def test_misspelt_platform_and_slang_still_find_the_clause(answerer):
    answer = answerer.answer("can i put pix of my collegues from the xmas do on instagarm")
    assert answer.in_scope and answer.citations[0].clause == "5.1.4"


def test_policy_link_is_shown_when_configured(policy):
    answer = Answerer(policy, "https://intranet.example.nhs.uk/snp").answer("Do I need consent to post team photos?")
    assert "https://intranet.example.nhs.uk/snp" in answer.text


def test_citations_are_best_first_and_at_most_three(answerer):
    answer = answerer.answer("Can I rant on Facebook about my manager and put up a photo of her?")
    assert 1 <= len(answer.citations) <= 3
    assert len({c.clause for c in answer.citations}) == len(answer.citations)


@pytest.mark.parametrize("text", ["hi", "Hello there!", "thanks", "cheers!", "help", "what can you do?"])
def test_small_talk_gets_the_guide(answerer, text):
    answer = answerer.answer(text)
    assert not answer.in_scope
    assert "Ask me a question" in answer.text


def test_a_greeting_before_a_question_is_answered_as_the_question(answerer):
    answer = answerer.answer("Hi! Can I post photos from the team away day?")
    assert answer.in_scope and answer.citations[0].clause == "5.1.4"


def test_input_problems_get_their_own_messages(answerer):
    assert "didn't get a question" in answerer.answer("   ").text
    assert "couldn't read that" in answerer.answer(b"\x00\x01\x02\x03").text
    assert "40,000 characters" in answerer.answer("x" * 40_000).text
    assert "only read questions in English" in answerer.answer("Puis-je publier des photos de mes collègues?").text
    assert "only read questions in English" in answerer.answer("Можно ли публиковать фото коллег?").text


def test_json_shape_matches_the_interface(answerer, policy):
    data = answerer.answer("Can I post photos from the team away day?").to_json(policy.meta)
    assert set(data) == {"question", "answer", "in_scope", "citations", "policy"}
    assert data["policy"] == {"number": "SOCIAL001", "version": "Final v1.0", "next_review": "2017-07"}
    assert set(data["citations"][0]) == {"clause", "quote"}


def test_answer_names_the_related_policy_and_who_holds_it(answerer):
    answer = answerer.answer("A colleague keeps sharing nasty memes about me in a Facebook group. How do I deal with it?")
    assert answer.citations[0].clause == "7.4"
    assert "Related: Dignity at Work Policy (People Services)." in answer.text
