"""The example banks load with their labels, and a wrong entry is named with its file."""

from __future__ import annotations

import shutil

import pytest

from bot.policy.examples import load_drafts, load_questions
from bot.policy.loader import PolicyContentError, default_content_dir
from bot.review.models import CATEGORIES


def test_the_shipped_banks_cover_every_clause_and_category(policy):
    questions = load_questions({c.id for c in policy.clauses})
    per_clause = {c.id: sum(c.id in e.labels for e in questions) for c in policy.clauses}
    assert min(per_clause.values()) >= 20
    assert sum(not e.labels for e in questions) >= 300
    drafts = load_drafts(set(CATEGORIES))
    assert min(sum(c in e.labels for e in drafts) for c in CATEGORIES) >= 60
    assert sum(not e.labels for e in drafts) >= 300


@pytest.fixture()
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_a_question_filed_under_a_clause_that_does_not_exist_is_named(policy, content):
    (content / "examples" / "questions" / "extra.yaml").write_text('"9.9": ["what about clause nine?"]\n')
    with pytest.raises(PolicyContentError, match=r"extra\.yaml.*'9\.9' is not a clause"):
        load_questions({c.id for c in policy.clauses}, content)


def test_a_draft_under_an_unknown_category_is_named(content):
    (content / "examples" / "drafts" / "extra.yaml").write_text('gossip: ["did you hear about Jo"]\n')
    with pytest.raises(PolicyContentError, match=r"extra\.yaml: gossip: not a review category"):
        load_drafts(set(CATEGORIES), content)


def test_a_mixed_draft_needs_its_labels(content):
    (content / "examples" / "drafts" / "extra.yaml").write_text('mixed: [{text: "no labels here"}]\n')
    with pytest.raises(PolicyContentError, match="needs text and labels"):
        load_drafts(set(CATEGORIES), content)
