"""The importer reads a numbered policy document into clauses, and the shipped data round-trips."""

from __future__ import annotations

import textwrap

import pytest

from bot.policy import load_policy
from bot.policy.importer import PolicyFormatError, dump_policy_yaml, import_policy_text, write_policy_folder
from bot.policy.loader import default_content_dir

SOURCE = default_content_dir() / "source" / "social-networking-policy-SOCIAL001.txt"

OTHER_POLICY = textwrap.dedent("""\
    Social Media Policy

    | Policy Number | HR-042 |
    | Version Number | v3.2 |
    | Next Review Date | March 2027 |

    Contents
    - 1 Purpose**
    - 2 Rules**

    1 Purpose

    1.1 This policy helps staff of Anytown Community Trust use social media safely.

    2 Rules

    2.1 Staff must not share patient information online:
    - names or initials
     - photographs
    2.2 Report concerns to your manager.

    3 Review

    This policy is reviewed every two years by the People team.
    """)


def test_shipped_policy_yaml_round_trips_from_the_source_document():
    imported = import_policy_text(SOURCE.read_text(encoding="utf-8"))
    assert dump_policy_yaml(imported) == (default_content_dir() / "policy.yaml").read_text(encoding="utf-8")


def test_another_organisations_policy_is_read_by_its_own_numbering():
    data = import_policy_text(OTHER_POLICY)
    assert data["policy"]["number"] == "HR-042"
    assert data["policy"]["next_review"] == "2027-03"
    assert [c["id"] for c in data["clauses"]] == ["header", "1.1", "2.1", "2.2", "3"]
    assert data["clauses"][2]["text"] == ("Staff must not share patient information online:\n"
                                          "- names or initials\n- photographs")
    assert data["clauses"][4]["text"] == "This policy is reviewed every two years by the People team."
    assert [s["title"] for s in data["sections"]] == ["Purpose", "Rules", "Review"]


def test_contents_list_is_not_taken_for_clauses():
    data = import_policy_text(OTHER_POLICY)
    assert all("**" not in c["text"] for c in data["clauses"])


def test_a_document_without_numbered_clauses_is_refused():
    with pytest.raises(PolicyFormatError, match="no numbered clauses"):
        import_policy_text("| Policy Number | X1 |\n| Version Number | 1 |\n\nJust prose, no numbers.\n")


def test_a_document_without_document_control_is_refused():
    with pytest.raises(PolicyFormatError, match="Policy Number"):
        import_policy_text("1 Purpose\n\n1.1 Some text.\n")


def test_a_clause_number_used_twice_is_refused():
    text = "| Policy Number | X1 |\n| Version Number | 1 |\n\n1.1 First.\n1.1 Again.\n"
    with pytest.raises(PolicyFormatError, match="used twice: 1.1"):
        import_policy_text(text)


def test_import_into_an_empty_folder_gives_a_loadable_policy(tmp_path):
    source = tmp_path / "policy.txt"
    source.write_text(OTHER_POLICY)
    report = write_policy_folder(source, tmp_path / "content")
    assert "Imported HR-042 v3.2: 5 clauses" in report
    assert "add a summary" in report
    policy = load_policy(tmp_path / "content")
    assert [c.id for c in policy.clauses] == ["header", "1.1", "2.1", "2.2", "3"]


def test_reimport_keeps_guidance_and_names_clauses_without_it(tmp_path):
    source = tmp_path / "policy.txt"
    source.write_text(OTHER_POLICY)
    folder = tmp_path / "content"
    write_policy_folder(source, folder)
    (folder / "guidance.yaml").write_text("clauses:\n  '1.1': {summary: Kept.}\n  '9.9': {summary: Gone.}\n")
    report = write_policy_folder(source, folder)
    assert "No guidance yet for clauses: header, 2.1, 2.2, 3" in report
    assert "no longer in the policy (remove it): 9.9" in report
    assert "Kept." in (folder / "guidance.yaml").read_text()
