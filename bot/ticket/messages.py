"""Turning an outbox row into the words and buttons for its one recipient, at delivery time.

The report is opened from its sealed form only here, and only for a recipient who may still read
it: a handler reassigned away since the row was written gets nothing (the row is cancelled), and
the messages they already had are rewritten without it (kind "withdrawn", bot/notify/withdrawal.py).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import service as directory
from bot.directory.addresses import addresses_of
from bot.notify.channel import Button, Delivery, Recipient
from bot.notify.models import Notification
from bot.notify.withdrawal import WITHDRAWN, Reason
from bot.ticket.models import Ticket
from bot.ticket.report import Report
from bot.ticket.service import TicketService
from bot.ticket.workflow import buttons_for

#: Kinds whose text carries the report, and so go only to the handler or People Services.
CONFIDENTIAL = {"new_ticket": "notify_new_ticket", "reassigned": "notify_reassigned",
                "advice_requested": "notify_advice_requested", "escalated": "notify_escalated"}
PLAIN = {"state_changed": "notify_state_changed", "reassigned_reporter": "notify_reassigned_reporter",
         "reminder": "notify_reminder"}


class NotificationRenderer:
    def __init__(self, tickets: TicketService, ack_hours: float) -> None:
        self.tickets = tickets
        self.content = tickets.content
        self.hours = f"{ack_hours:g}"

    async def __call__(self, session: AsyncSession, notification: Notification) -> Delivery | None:
        ticket = await session.get(Ticket, notification.ticket_id) if notification.ticket_id else None
        if ticket is None:
            return None
        if notification.kind == WITHDRAWN:
            return await self._withdrawal(session, notification, ticket)
        role = await self.tickets.role_of(session, ticket, notification.recipient_email)
        if role is None or (notification.kind in CONFIDENTIAL and role == "reporter") or (
                notification.kind == "received" and role != "reporter"):
            return None
        person = await directory.by_email(session, notification.recipient_email)
        addresses = tuple((a.platform, a.address) for a in await addresses_of(session, notification.recipient_email))
        recipient = Recipient(notification.recipient_email, person.name if person else "",
                              person.slack_user_id if person else None, person.teams_user_id if person else None,
                              addresses)
        involved = await self.tickets.involved(session, ticket) if notification.kind in CONFIDENTIAL else ""
        text = (self.tickets.told_reporter(ticket) if notification.kind == "received"
                else self._text(notification, ticket, role, involved))
        buttons = self._buttons(ticket) if role != "reporter" else ()
        return Delivery(notification.key, recipient, notification.kind, ticket.reference, text, buttons,
                        confidential=notification.kind in CONFIDENTIAL)

    def _text(self, notification: Notification, ticket: Ticket, role: str, involved: str = "") -> str:
        values = {"reference": ticket.reference, "hours": self.hours, "title": self.tickets.policy.meta.title,
                  "role": "People Services" if role == "people_services" else "the line manager"}
        if notification.kind in CONFIDENTIAL:
            report = Report.from_json(self.tickets.sealer.open(ticket.report_sealed)) if ticket.report_sealed else None
            values["report"] = "\n".join(filter(None, [involved, report.summary(self.content) if report else ""]))
            return self.content.say(CONFIDENTIAL[notification.kind], **values)
        state = notification.params.get("state", ticket.state)
        return self.content.say(PLAIN[notification.kind], state=self.content.states.get(state, state), **values)

    async def _withdrawal(self, session: AsyncSession, notification: Notification, ticket: Ticket) -> Delivery | None:
        """The notice that replaces an earlier message, for whoever received it (no entitlement is
        needed to have a message taken back), unless the case has come back to them meanwhile."""
        params = notification.params
        if params.get("reason") == Reason.MOVED and ticket.purged_at is None and await self.tickets.role_of(
                session, ticket, notification.recipient_email) in ("handler", "people_services"):
            return None
        text = self.content.say(f"notify_withdrawn_{params.get('reason', Reason.CLOSED)}",
                                reference=params.get("reference", ticket.reference))
        return Delivery(notification.key, Recipient(notification.recipient_email), WITHDRAWN,
                        params.get("reference", ticket.reference), text, replaces=params.get("ref"),
                        via=params.get("channel"))

    def _buttons(self, ticket: Ticket) -> tuple[Button, ...]:
        return tuple(Button(str(action), self.content.actions[str(action)], ticket.public_id)
                     for action in buttons_for(ticket.state))
