"""The reviewer's classifiers beside its rules: what no word list catches, each finding with its
clause and the sentence that carries it; and the fixes of what was seen. Drafts are written for
the tests."""

from __future__ import annotations

import numpy as np
import pytest

from bot.review.draft import Draft
from bot.review.semantic import CLEAN_BUDGET, choose_threshold, choose_veto
from bot.review.service import Reviewer


def categories(reviewer: Reviewer, text: str) -> set[str]:
    return {f.category for f in reviewer.review(text).findings}


def test_a_negation_does_not_switch_confidentiality_off_for_what_follows_a_but(reviewer: Reviewer):
    assert "confidentiality" in categories(reviewer, "I'd never share patient details but Mr Jones has terminal cancer")
    assert categories(reviewer, "I'd never share patient details online.") == set()


@pytest.mark.parametrize(("draft", "kept_out"), [
    ("Jean Smith on ward B3 has cancer, so sad", "Smith"),
    ("Dr Ann Hughes told me Mr Jones has terminal cancer", "Hughes"),
    ("Mrs Patel Khan in bed 4 has dementia", "Khan"),
])
def test_surnames_are_redacted_with_the_name(reviewer: Reviewer, draft: str, kept_out: str):
    review = reviewer.review(draft)
    assert "confidentiality" in {f.category for f in review.findings}
    assert review.rewrite is not None and kept_out not in review.rewrite


def test_a_named_nurse_is_a_colleague_not_a_patient(reviewer: Reviewer):
    review = reviewer.review("Nurse Jackie Lee was off sick again with stress")
    assert review.rewrite is not None
    assert "[patient]" not in review.rewrite and "Jackie" not in review.rewrite and "Lee" not in review.rewrite


def test_a_classifier_finding_names_its_clause_and_quotes_its_sentence(reviewer: Reviewer):
    # An allegation in none of the rules' words: the rules find nothing, the classifier does.
    draft = ("Money meant for the stroke service has quietly vanished and nobody upstairs will say where it "
             "went. Make of that what you will.")
    assert not {h.category for h in reviewer._rules(Draft(draft))}
    found = {f.category: f for f in reviewer.review(draft).findings}
    assert "whistleblowing" in found
    assert found["whistleblowing"].clause == "7.5" and found["whistleblowing"].severity == "caution"
    assert found["whistleblowing"].evidence == ("Money meant for the stroke service has quietly vanished and "
                                                "nobody upstairs will say where it went.")


@pytest.mark.parametrize("draft", [
    "Off to the pub after a long shift, who's coming?",
    "Flu jabs are available at the Saturday clinic, bring your booking letter.",
    "Huge thanks to the reception team at our GP surgery, always kind.",
    "My own views: the government should fund social care properly.",
])
def test_clean_posts_stay_clean(reviewer: Reviewer, draft: str):
    assert categories(reviewer, draft) == set()


@pytest.mark.parametrize("draft", ["", "   ", "x" * 40_001, "Bonjour, je suis infirmière et j'adore mon travail"])
def test_a_draft_that_was_not_reviewed_has_no_verdict(reviewer: Reviewer, draft: str):
    review = reviewer.review(draft)
    assert review.notice and review.verdict is None and review.to_json()["verdict"] is None


def test_a_threshold_keeps_the_classifier_inside_its_budget_of_clean_drafts():
    rng = np.random.default_rng(0)
    actual = np.array([True] * 50 + [False] * 450)
    clean = ~actual
    scores = np.where(actual, rng.uniform(0.6, 1.0, 500), rng.uniform(0.0, 0.9, 500))
    threshold = choose_threshold(scores, actual, clean)
    assert (scores[clean] >= threshold).mean() <= CLEAN_BUDGET
    assert (scores[actual] >= threshold).any()


def test_a_veto_is_chosen_only_where_it_removes_false_alarms():
    actual = np.array([True, True, False, False])
    rule = np.array([True, True, True, False])
    scores = np.array([0.9, 0.6, 0.01, 0.0])
    assert choose_veto(scores, actual, rule, threshold=0.95) > 0.01
    assert choose_veto(scores, np.array([True, True, True, False]), rule, threshold=0.95) == 0.0
