"""README starts with the two commands of the brief, and CI runs the README's test command."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[1]


def _readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("```sh") + 1
    return lines[start:start + 2]


def test_readme_opens_with_the_install_and_chat_command_then_the_test_command():
    install, test = _readme_commands()
    assert install.endswith("snp-bot chat")
    assert "pytest" in test


def test_ci_runs_the_readmes_test_command_verbatim():
    _, test = _readme_commands()
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
