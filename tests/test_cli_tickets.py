"""`snp-bot db`, `directory import` and `tickets` as an operator runs them: separate processes on
their own SQLite database, through the console script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SNP_BOT = str(Path(sys.executable).with_name("snp-bot"))
DIRECTORY = """email,name,manager_email,role
mo@trust.nhs.uk,Mo Manager,,manager
sam@trust.nhs.uk,Sam Staff,mo@trust.nhs.uk,staff
hr@trust.nhs.uk,Hana Ross,,people_services
"""
REPORT = "/snp-report\n\nFacebook\nA colleague posted the ward rota with patients' initials\nlast night\n\nyes\n"


@pytest.fixture
def env(tmp_path):
    variables = {key: value for key, value in os.environ.items() if not key.startswith("SNP_")}
    variables.update(SNP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ops.sqlite3'}", XDG_DATA_HOME=str(tmp_path))
    return variables


def snp(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([SNP_BOT, *args], input=stdin, capture_output=True, text=True, timeout=120, env=env)


def test_db_upgrade_downgrade_and_current(env):
    assert "none (empty)" in snp(env, "db", "current").stdout
    up = snp(env, "db", "upgrade")
    head = re.search(r"head: (\w+)", up.stdout).group(1)
    assert up.returncode == 0 and f"revision {head}" in up.stdout
    assert "none (empty)" in snp(env, "db", "downgrade", "base").stdout


def test_db_key_prints_a_key_the_server_accepts(env, tmp_path):
    key = snp(env, "db", "key").stdout.strip()
    env.update(SNP_ENCRYPTION_KEY=key)
    assert snp(env, "tickets", "list", "--as", "hr@trust.nhs.uk").returncode == 0


def test_a_server_database_without_a_key_is_refused_with_the_variable_named(env):
    env.update(SNP_DATABASE_URL="postgresql+asyncpg://127.0.0.1:1/none")
    proc = snp(env, "tickets", "list", "--as", "hr@trust.nhs.uk")
    assert proc.returncode == 2 and "SNP_ENCRYPTION_KEY must be set" in proc.stderr


def test_people_services_see_every_ticket_and_the_figures_staff_see_their_own(env, tmp_path):
    csv = tmp_path / "staff.csv"
    csv.write_text(DIRECTORY)
    assert "3 added" in snp(env, "directory", "import", str(csv)).stdout
    assert "0 added, 0 changed, 3 unchanged" in snp(env, "directory", "import", str(csv)).stdout
    reference = re.search(r"SNP-\d{4}-0001", snp(env, "chat", "--as", "sam@trust.nhs.uk", stdin=REPORT).stdout).group(0)

    listed = json.loads(snp(env, "tickets", "list", "--as", "hr@trust.nhs.uk", "--json").stdout)
    assert [t["reference"] for t in listed] == [reference] and listed[0]["handler"] == "mo@trust.nhs.uk"
    shown = snp(env, "tickets", "show", reference, "--as", "hr@trust.nhs.uk").stdout
    assert "patients' initials" in shown

    stats = json.loads(snp(env, "tickets", "stats", "--as", "hr@trust.nhs.uk", "--json").stdout)
    assert stats["open_by_state"]["open"] == 1 and stats["total"] == 1
    assert sum(stats["reports_per_month"].values()) == 1 and stats["median_hours_to_acknowledge"] is None

    refused = snp(env, "tickets", "stats", "--as", "sam@trust.nhs.uk")
    assert refused.returncode == 1 and "Only People Services" in refused.stderr
    assert json.loads(snp(env, "tickets", "list", "--as", "sam@trust.nhs.uk", "--json").stdout)[0]["reference"] == reference
    outsider = snp(env, "tickets", "show", reference, "--as", "stranger@trust.nhs.uk")
    assert outsider.returncode == 1 and "patients' initials" not in outsider.stdout + outsider.stderr
    assert f"There is no ticket {reference} that you can see." in outsider.stderr


def test_a_directory_file_that_cannot_be_read_is_named(env, tmp_path):
    proc = snp(env, "directory", "import", str(tmp_path / "missing.csv"))
    assert proc.returncode == 1 and "missing.csv" in proc.stderr
