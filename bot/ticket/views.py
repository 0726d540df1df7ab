"""Tickets as plain text, in `tickets.yaml`'s words: the list and the single view shared by the
console chat and `snp-bot tickets` (richer platforms build their own blocks from the same data)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ticket.content import TicketContent
from bot.ticket.models import Ticket
from bot.ticket.service import TicketView


def describe_list(tickets: Sequence[Ticket], content: TicketContent) -> str:
    if not tickets:
        return content.say("ticket_list_empty")
    lines = [content.say("ticket_list_head")]
    lines += [content.say("ticket_list_item", reference=t.reference, state=content.states.get(t.state, t.state),
                          opened=f"{t.created_at:%Y-%m-%d}") for t in tickets]
    return "\n".join(lines)


def describe_ticket(view: TicketView, content: TicketContent) -> str:
    """The report (or word of its purge), its handler, and its history with notes where the
    reader may see them (the service leaves notes out for the reporter)."""
    lines = [content.say("ticket_view_head", reference=view.reference, opened=f"{view.created_at:%Y-%m-%d}",
                         state=view.state_label)]
    if view.handler:
        lines.append(content.say("ticket_view_handler", handler=view.handler))
    if view.involved:
        lines.append(view.involved)
    lines.append(view.report.summary(content) if view.report else content.say("ticket_view_purged"))
    lines.append(content.say("ticket_view_history"))
    for event in view.events:
        action = content.actions.get(event.action) or content.messages.get(f"event_{event.action}", event.action)
        role = content.messages.get(f"role_{event.actor_role}", event.actor_role)
        lines.append(content.say("ticket_view_event", at=f"{event.at:%Y-%m-%d %H:%M} UTC", action=action, role=role))
        if event.note:
            lines.append("   " + content.say("ticket_view_note", note=event.note))
    return "\n".join(lines)
