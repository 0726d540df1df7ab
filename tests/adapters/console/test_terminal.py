"""`snp-bot chat` on a real terminal (a pseudo-terminal here): a paste longer than the terminal's
4,095-character line is reviewed whole, and a multi-line paste is one draft."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest

SNP_BOT = str(Path(sys.executable).with_name("snp-bot"))
FILLER = "Lovely walk round Moss Bank Park with the dog this morning, the ducks were out in force. "


def _talk(inputs: list[bytes], env: dict[str, str]) -> str:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the chat on the terminal's other side
        os.execve(SNP_BOT, [SNP_BOT, "chat"], env)
    out = b""

    def drain(seconds: float, until: bytes = b"") -> None:
        """Read the chat's output for up to `seconds`, or until what it has said since now ends with `until`."""
        nonlocal out
        mark, end = len(out), time.monotonic() + seconds
        while time.monotonic() < end and not (until and out[mark:].rstrip().endswith(until)):
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    return

    try:
        drain(60, until=b"you>")
        for data in inputs:
            time.sleep(0.5)  # as a person would: the chat is reading by the time they paste
            os.write(fd, data)
            drain(60, until=b"you>")
        time.sleep(0.5)
        os.write(fd, b"\x04")
        drain(5)
    finally:
        _reap(pid)
        os.close(fd)
    return out.decode("utf-8", errors="replace")


def _reap(pid: int) -> None:
    """Wait for the chat to end (Ctrl-D), killing it after 15 s so a fault fails the test, not the suite."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@pytest.fixture()
def env(tmp_path) -> dict[str, str]:
    return {**os.environ, "SNP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}", "TERM": "dumb"}


def test_a_paste_longer_than_a_terminal_line_is_reviewed_to_its_end(env):
    draft = "check: " + FILLER * 60 + "Anyway Mrs Patel in bed 4 has dementia."
    assert len(draft) > 5_000
    out = _talk([draft.encode() + b"\r"], env)
    review = out[out.index("snp-bot>", out.index("Anyway Mrs Patel")):]
    assert "onfidential" in review
    assert "[patient]" in review


def test_a_multi_line_paste_is_one_draft(env):
    paste = ("check: First line is about the weekend.\r"
             "Second line: Mrs Patel in bed 4 has dementia.\r")
    out = _talk([paste.encode()], env)
    assert out.count("snp-bot> ") == 2  # the greeting and one review, not one per line
    assert "onfidential" in out
