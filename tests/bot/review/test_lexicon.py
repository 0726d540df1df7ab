"""The review lexicon loads, covers every category of the taxonomy, and reports bad content by name."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.policy.loader import PolicyContentError, default_content_dir
from bot.review.lexicon import load_lexicon
from bot.review.models import CATEGORIES

TAXONOMY = {"confidentiality": "6.2", "disrepute": "6.2", "bullying": "6.2", "sexual": "6.2",
            "speaking_for_org": "5.1.2", "logo": "6.2", "photo_consent": "5.1.4", "grievance": "6.4",
            "whistleblowing": "7.5", "illegal": "6.2"}


def test_every_category_has_the_taxonomy_clause_and_severity():
    lexicon = load_lexicon()
    assert set(lexicon.categories) == set(CATEGORIES) == set(TAXONOMY)
    for name, rule in lexicon.categories.items():
        assert rule.clause == TAXONOMY[name] and rule.advice and rule.title
        assert rule.severity == ("caution" if name in {"speaking_for_org", "logo", "photo_consent",
                                                       "whistleblowing"} else "breach_risk")


def test_phrases_match_whole_words_case_insensitively_and_emoji_as_they_stand():
    lexicon = load_lexicon()
    found = lexicon.scan("The CCG is a SHAMBLES 🙃 but shamblesque isn't a word")
    assert [m.group(0) for m in found["derogatory"]] == ["SHAMBLES"]
    assert [m.group(0) for m in found["sarcasm"]] == ["🙃"]


def test_names_match_only_as_written():
    lexicon = load_lexicon()
    assert [m.group(0) for m in lexicon.scan("Karen said karen")["first_names"]] == ["Karen"]


@pytest.fixture
def folder(tmp_path):
    shutil.copy(default_content_dir() / "review.yaml", tmp_path / "review.yaml")
    return tmp_path


def test_a_pattern_that_does_not_compile_is_named(folder):
    data = yaml.safe_load((folder / "review.yaml").read_text())
    data["patterns"]["age"] = ["(unclosed"]
    (folder / "review.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(PolicyContentError, match="pattern list 'age' does not compile"):
        load_lexicon(folder)


def test_a_missing_review_file_is_named(tmp_path):
    with pytest.raises(PolicyContentError, match="review.yaml: file missing"):
        load_lexicon(tmp_path)
