"""The shipped policy content loads, is complete, and a broken folder is reported by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.policy import PolicyContentError, load_policy
from bot.policy.loader import default_content_dir

#: The clause ids of review-taxonomy.md: the contract every answer and evaluation set uses.
TAXONOMY_IDS = [
    "header", "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "4.1.1", "4.1.2", "4.1.4", "4.1.5",
    *[f"4.2.{i}" for i in range(1, 10)], "4.3.1", "4.3.2", "4.3.3", "5.1.1", "5.1.2", "5.1.3", "5.1.4",
    "5.1.5", "6.1", "6.2", "6.3", "6.4", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "8",
]


def test_every_clause_of_the_taxonomy_is_there_in_order(policy):
    assert [c.id for c in policy.clauses] == TAXONOMY_IDS


def test_every_clause_has_a_title_summary_and_phrasings(policy):
    for clause in policy.clauses:
        assert clause.title and clause.summary and clause.phrasings, clause.id


def test_metadata_is_read_from_the_document_control_table(policy):
    meta = policy.meta
    assert (meta.number, meta.version, meta.next_review) == ("SOCIAL001", "Final v1.0", "2017-07")
    assert meta.next_review_text == "July 2017"
    assert meta.organisation == "NHS Bolton CCG"


def test_clause_text_is_the_policys_verbatim_wording(policy):
    assert policy.clause("5.1.4").text == (
        "You should not upload photographs of patients, yourself or your colleagues taken at work "
        "without gaining consent.")
    assert "- contains CCG logo (except with express permission from the CCG's Communications Department)." \
        in policy.clause("6.2").text.split("\n")


def test_related_policies_named_by_clauses_exist(policy):
    names = {policy.related[key].name for c in policy.clauses for key in c.related}
    assert {"Disciplinary Policy and Procedure", "Dignity at Work Policy", "Grievance Policy"} <= names


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder, ignore=shutil.ignore_patterns("__*", "source"))
    return folder


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_missing_file_is_named(content_copy):
    (content_copy / "messages.yaml").unlink()
    with pytest.raises(PolicyContentError, match=r"messages\.yaml: file missing"):
        load_policy(content_copy)


def test_invalid_yaml_is_named(content_copy):
    (content_copy / "vocabulary.yaml").write_text("terms: [unclosed\n")
    with pytest.raises(PolicyContentError, match=r"vocabulary\.yaml: not valid YAML"):
        load_policy(content_copy)


def test_guidance_for_a_clause_the_policy_lacks_is_refused(content_copy):
    _edit(content_copy / "guidance.yaml", lambda d: d["clauses"].update({"9.9": {"summary": "x"}}))
    with pytest.raises(PolicyContentError, match=r"clauses not in policy\.yaml: 9\.9"):
        load_policy(content_copy)


def test_an_unknown_related_policy_is_refused(content_copy):
    _edit(content_copy / "guidance.yaml", lambda d: d["clauses"]["7.3"].update({"related": ["nonexistent"]}))
    with pytest.raises(PolicyContentError, match=r"clause 7\.3 names unknown related policies: nonexistent"):
        load_policy(content_copy)


def test_a_wrongly_typed_field_is_reported_with_its_path(content_copy):
    _edit(content_copy / "vocabulary.yaml", lambda d: d.update({"anchors": [True]}))
    with pytest.raises(PolicyContentError, match=r"vocabulary\.anchors"):
        load_policy(content_copy)
