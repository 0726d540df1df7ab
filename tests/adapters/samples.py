"""What the Slack and Teams renderers' tests render: the same replies, tickets and buttons, so the
two platforms are checked against the same inputs."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.notify.channel import Button
from bot.ticket.content import TicketContent
from bot.ticket.report import Report
from bot.ticket.service import EventView, TicketView
from bot.ticket.workflow import buttons_for

QUESTION = "Can I post photos from the Christmas party on Facebook?"
DRAFT = "check: Bed 4's patient John Smith, DOB 01/02/1950, was so rude today"
SHAPED_DRAFT = "Great day at the away day with the team"  # no "check:": read as a draft by its shape
SHAPED_QUESTION = "what is the weather like"  # read as a question by its shape
POLICY_URL = "https://intranet.example.nhs.uk/policies?id=social001&v=1"
PUBLIC_ID = "Zx3-unguessable-public-id"
REFERENCE = "SNP-2026-0001"


def ticket_view(report: Report, state: str = "acknowledged", events: list[EventView] | None = None) -> TicketView:
    at = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    return TicketView(REFERENCE, PUBLIC_ID, state, state, "handler", "Mo Manager", at, report, [],
                      events if events is not None else [EventView(at, "submitted", "reporter", "open"),
                                                         EventView(at, "acknowledge", "handler", state)])


def workflow_buttons(content: TicketContent, state: str) -> tuple[Button, ...]:
    return tuple(Button(str(a), content.actions[str(a)], PUBLIC_ID) for a in buttons_for(state))
