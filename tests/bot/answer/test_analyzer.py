"""Staff words and policy words meet on the same index terms."""

from __future__ import annotations

import pytest

from bot.answer.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer(policy):
    analyzer = Analyzer(policy.vocabulary)
    analyzer.learn([c.text for c in policy.clauses])
    return analyzer


def test_slang_adds_the_policy_concept(analyzer):
    assert "~photograph" in analyzer.tokens("pics from the do")
    assert "~photograph" in analyzer.tokens("You should not upload photographs")
    assert "~line_manager" in analyzer.tokens("my boss")


def test_phrases_are_matched_whole(analyzer):
    assert "~own_views" in analyzer.tokens("all views my own")
    assert "~at_work" in analyzer.tokens("photos from the Christmas do")


def test_one_slip_of_the_keyboard_is_corrected_to_a_policy_word(analyzer):
    assert "~social_media" in analyzer.tokens("facebok")
    assert analyzer.stem("photographs") in analyzer.tokens("photgraphs")


def test_real_english_words_are_left_alone(analyzer):
    assert "~post" not in analyzer.tokens("posh")


def test_query_terms_are_unique(analyzer):
    terms = analyzer.query_terms("slag off, rant, moan")
    assert len(terms) == len(set(terms))


def test_inflections_of_a_variant_find_its_concept(analyzer):
    assert "~social_media" in analyzer.tokens("I retweeted it")


def test_words_inside_a_phrase_do_not_add_their_own_concepts(analyzer):
    assert "~registration" in analyzer.tokens("I'm a GP")
    assert "~registration" not in analyzer.tokens("our GP practice")


def test_words_kept_whole_are_not_stemmed_into_another_meaning(analyzer):
    assert "report" not in analyzer.tokens("a reporter rang me")


def test_concepts_that_say_what_the_person_wants_weigh_more(analyzer):
    terms = analyzer.query_terms("what should I do?")
    assert terms.count("~what_to_do") == 2
