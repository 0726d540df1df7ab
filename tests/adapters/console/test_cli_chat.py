"""`snp-bot chat` through the console script, piped, on its own database and data directory."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.adapters.console.conftest import MANAGER, PEOPLE, PEOPLE_SERVICES, REPORT, WHAT, seed

SNP_BOT = str(Path(sys.executable).with_name("snp-bot"))


def test_a_piped_report_then_the_manager_acknowledges_it(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}"
    asyncio.run(seed(url, PEOPLE))
    env = {key: value for key, value in os.environ.items() if not key.startswith("SNP_")}
    env.update(SNP_DATABASE_URL=url, SNP_PEOPLE_SERVICES=PEOPLE_SERVICES, HOME=str(tmp_path / "home"),
               XDG_DATA_HOME=str(tmp_path / "data"))

    def chat(text: str, *args: str) -> str:
        proc = subprocess.run([SNP_BOT, "chat", *args], input=text.encode(), capture_output=True, timeout=120, env=env)
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stderr == b""  # warnings only, and there are none
        return proc.stdout.decode("utf-8")

    out = chat(REPORT + "/snp-tickets\n")
    reference = re.search(r"Your report is (SNP-\d{4}-0001)\.", out)
    assert reference, out
    ref = reference.group(1)
    assert "New report" not in out and f"{ref}  open, waiting for the handler" in out

    out = chat(f"/snp-ticket {ref} acknowledge\n", "--as", MANAGER)
    assert f"New report {ref}" in out and WHAT in out and f"→ /snp-ticket {ref} acknowledge |" in out
    assert f"{ref} is now acknowledged." in out

    assert f"Your report {ref} is now acknowledged." in chat("hello\n")
    # Only the given database: nothing in the data directory, and in the home folder at most the
    # cache of fitted models (no report, no key).
    written = {p.relative_to(tmp_path / "home").parts[:2] for p in (tmp_path / "home").rglob("*") if p.is_file()}
    assert written <= {(".cache", "snp-bot")} and not (tmp_path / "data").exists()
    assert (tmp_path / "snp-bot.key").exists()  # the key beside the embedded database
