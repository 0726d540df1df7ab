"""The `snp-bot` command run as a user runs it: a separate process, through the console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SNP_BOT = str(Path(sys.executable).with_name("snp-bot"))


def run(*args: str, stdin: bytes | str = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([SNP_BOT, *args], input=data, capture_output=True, timeout=60, env=env)
    proc.stdout = proc.stdout.decode("utf-8")
    proc.stderr = proc.stderr.decode("utf-8")
    return proc


def test_ask_prints_an_answer_citing_the_clause():
    proc = run("ask", "Do I need everyone's OK before posting a team photo from work?")
    assert proc.returncode == 0
    assert "(5.1.4)" in proc.stdout and "SOCIAL001" in proc.stdout


def test_ask_json_has_the_interface_shape():
    proc = run("ask", "Can I use the CCG logo on my charity fun run poster?", "--json")
    data = json.loads(proc.stdout)
    assert data["in_scope"] is True
    assert data["citations"][0]["clause"] == "6.2"
    assert data["policy"]["number"] == "SOCIAL001"


def test_batch_mode_answers_one_line_each_in_order_even_for_bad_input():
    lines = [
        "How do I book annual leave?",
        json.dumps("Can I post\nphotos of colleagues\nfrom the away day?"),
        "",
        "x" * 40_000,
        "Puis-je publier des photos de mes collègues sur Facebook ?",
    ]
    stdin = ("\n".join(lines) + "\n").encode() + b"\x00\xff\xfe\x01\n"
    proc = run("ask", "--json", "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 6
    assert out[0]["in_scope"] is False and out[0]["citations"] == []
    assert out[1]["citations"][0]["clause"] == "5.1.4"
    assert "didn't get a question" in out[2]["answer"]
    assert "too long" in out[3]["answer"]
    assert "English" in out[4]["answer"]
    assert "couldn't read that" in out[5]["answer"]


def test_chat_from_a_pipe_answers():
    proc = run("chat", stdin="Can I put photos of my team from the Christmas party on Facebook?\n")
    assert proc.returncode == 0
    assert "5.1.4" in proc.stdout


@pytest.mark.parametrize("args", [("ask", "--nope", "q"), ("frobnicate",), ("ask",), ()])
def test_bad_usage_prints_usage_and_exits_2(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert "usage: snp-bot" in proc.stderr


def test_policy_import_writes_a_policy_folder(tmp_path):
    source = Path(__file__).parents[1] / "policy_content" / "source" / "social-networking-policy-SOCIAL001.txt"
    proc = run("policy", "import", str(source), "--out", str(tmp_path / "org"))
    assert proc.returncode == 0, proc.stderr
    assert "Imported SOCIAL001 Final v1.0: 40 clauses" in proc.stdout
    assert (tmp_path / "org" / "policy.yaml").exists()


def test_policy_import_of_a_missing_file_says_so():
    proc = run("policy", "import", "/nonexistent/policy.txt")
    assert proc.returncode == 1
    assert "No such file" in proc.stderr


def test_an_invalid_setting_is_named_not_a_traceback():
    import os

    proc = run("ask", "Can I post photos?", env={**os.environ, "PORT": "not-a-number"})
    assert proc.returncode == 2
    assert "PORT" in proc.stderr and "Traceback" not in proc.stderr


def test_check_json_has_the_interface_shape_and_a_verdict():
    proc = run("check", "We at Bolton CCG fully support the closure of the minor injuries unit.", "--json")
    data = json.loads(proc.stdout)
    assert data["verdict"] == "caution"
    assert data["findings"][0]["category"] == "speaking_for_org"
    assert data["findings"][0]["clause"] == "5.1.2"


def test_check_text_names_the_clause_and_offers_a_rewrite():
    proc = run("check", "Our CCG's new app is a complete farce. Lovely weather though.")
    assert proc.returncode == 0
    assert "clause 6.2" in proc.stdout and "A safer version:" in proc.stdout


def test_check_batch_answers_every_line_in_order_even_for_bad_input():
    lines = ["Lovely sunny day in Bolton", json.dumps("line one\nThe CCG is a joke"), "", "y" * 40_001]
    stdin = ("\n".join(lines) + "\n").encode() + b"\x00\x01\xff\n"
    proc = run("check", "--json", "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    # A draft that was not reviewed (empty, over the limit, unreadable) has no verdict, not "ok".
    assert [o["verdict"] for o in out] == ["ok", "breach_risk", None, None, None]
    assert out[1]["findings"][0]["category"] == "disrepute"
    assert out[2]["findings"] == [] and out[4]["findings"] == []
    assert "no draft" in out[2]["notice"] and "40,001 characters" in out[3]["notice"]
    assert "couldn't read" in out[4]["notice"] and "notice" not in out[0]


def test_an_unknown_encoder_is_named_in_one_line():
    proc = run("ask", "can I post photos of my team?", env={**os.environ, "SNP_ENCODER": "nonsense"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "snp-bot: SNP_ENCODER='nonsense': not an encoder (minilm-static, wordllama-256, or a model folder)"]
