"""tickets.yaml: an organisation's own file is laid over the shipped one, and mistakes are named."""

from __future__ import annotations

import pytest

from bot.policy.loader import PolicyContentError
from bot.ticket.content import load_ticket_content


def test_a_folder_without_tickets_yaml_uses_the_shipped_wording(tmp_path):
    content = load_ticket_content(tmp_path)
    assert content.actions["acknowledge"] == "Acknowledge" and [f.name for f in content.form][0] == "who"


def test_an_older_file_keeps_working_its_missing_sentences_taken_from_the_shipped_ones(tmp_path):
    (tmp_path / "tickets.yaml").write_text('actions: {acknowledge: "Seen it"}\nmessages: {action_done: "{reference}: {state}"}\n')
    content = load_ticket_content(tmp_path)
    assert content.actions["acknowledge"] == "Seen it" and content.actions["close"] == "Close"
    assert content.say("action_done", reference="SNP-2026-0001", state="closed") == "SNP-2026-0001: closed"
    assert "report_submitted" in content.messages


def test_a_pattern_that_does_not_compile_is_named_with_the_file(tmp_path):
    (tmp_path / "tickets.yaml").write_text('signposts: {"7.4": {policy: dignity_at_work, advice: "x", all_of: [["(unclosed"]]}}\n')
    with pytest.raises(PolicyContentError, match="tickets.yaml"):
        load_ticket_content(tmp_path)


def test_policy_import_copies_tickets_yaml_to_adapt(tmp_path):
    from bot.policy.importer import write_policy_folder
    from bot.policy.loader import default_content_dir

    report = write_policy_folder(default_content_dir() / "source" / "social-networking-policy-SOCIAL001.txt", tmp_path)
    assert (tmp_path / "tickets.yaml").exists() and "Copied the default tickets.yaml" in report
