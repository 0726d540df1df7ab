"""Structured logs: JSON lines off a terminal, and no one's words even when a caller passes them."""

from __future__ import annotations

import json

import structlog

from bot.logs import configure_logging


def test_json_lines_carry_ids_and_withhold_words(capsys):
    configure_logging(json=True)
    try:
        structlog.get_logger("t").info("ticket_opened", reference="SNP-2026-0001", text="my manager posted…",
                                       note="private")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        structlog.reset_defaults()
    assert line["event"] == "ticket_opened" and line["reference"] == "SNP-2026-0001"
    assert line["text"] == "[withheld]" and line["note"] == "[withheld]"
    assert "timestamp" in line and line["level"] == "info"
