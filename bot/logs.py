"""Structured logs (structlog): JSON lines when not on a terminal, readable lines when on one.

Log lines carry ids (a ticket's reference, a notification's row id), states and roles, never what
anyone wrote. As a second line of defence, fields whose names suggest words from a person are
replaced before anything is written.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

#: Field names that would hold someone's words; never written, whatever a caller passes.
WORDS = frozenset({"text", "report", "what", "note", "notes", "body", "draft", "question", "evidence", "who"})


def redact_words(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in WORDS & event.keys():
        event[key] = "[withheld]"
    return event


def configure_logging(json: bool | None = None, level: int = logging.INFO) -> None:
    """Call once at process start (`serve`, CLI commands that log)."""
    if json is None:
        json = not sys.stderr.isatty()
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True), redact_words,
                    structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
