"""Taking back what a person may no longer read.

A message that carried a report stays in the recipient's Slack or Teams chat after the case has
moved to another handler, or after the retention period has removed its details. Withdrawing it
rewrites that message in place (where its channel recorded a platform_ref) to a short notice with
the reference and no report text or buttons.

A withdrawal goes through the outbox like any other message: one row of kind "withdrawn" for each
message taken back, queued in the transaction of the change that causes it, retried until it is
done or becomes a dead letter. Its params hold where the message landed and the reference, nothing
confidential.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.notify.models import Notification, Status
from bot.notify.outbox import enqueue

WITHDRAWN = "withdrawn"
#: Kinds whose message carries the report (the confidential kinds of bot/ticket/messages.py).
CARRY_THE_REPORT = ("new_ticket", "reassigned", "advice_requested", "escalated")


class Reason(StrEnum):
    #: The case was reassigned away from the recipient.
    MOVED = "moved"
    #: The retention period removed the case's details.
    CLOSED = "closed"


@dataclass(frozen=True)
class Landed:
    """A message that carried the report and where it landed."""

    id: int
    ticket_id: int
    recipient: str
    kind: str
    channel: str
    ref: dict


async def landed(session: AsyncSession, ticket_ids: Sequence[int], recipient: str | None = None) -> list[Landed]:
    """The sent messages of these tickets that carried the report and can be rewritten (their
    channel recorded where they landed); only `recipient`'s, when given."""
    query = select(Notification).where(Notification.ticket_id.in_(ticket_ids), Notification.status == Status.SENT,
                                       Notification.kind.in_(CARRY_THE_REPORT)).order_by(Notification.id)
    if recipient is not None:
        query = query.where(Notification.recipient_email == recipient)
    # platform_ref is filtered here: a JSON column's "no value" may be SQL NULL or JSON null.
    return [Landed(row.id, row.ticket_id, row.recipient_email, row.kind, row.channel, row.platform_ref)
            for row in await session.scalars(query) if row.platform_ref and row.channel and row.ticket_id]


def enqueue_withdrawal(session: AsyncSession, message: Landed, reference: str, reason: Reason,
                       now: datetime) -> Notification:
    """Queue the rewriting of one message. Each call queues a row of its own (a case can move away
    from a person, back, and away again)."""
    return enqueue(session, recipient=message.recipient, kind=WITHDRAWN, ticket_id=message.ticket_id,
                   cause=f"w{message.id}.{reason}.{secrets.token_hex(4)}", now=now,
                   params={"reference": reference, "reason": str(reason), "message": message.id,
                           "of": message.kind, "channel": message.channel, "ref": message.ref})


async def withdraw(session: AsyncSession, *, ticket_id: int, reference: str, recipient: str | None,
                   reason: Reason, now: datetime) -> int:
    """Queue the withdrawal of every message to `recipient` that carried this ticket's report,
    except those already being or already withdrawn for the same reason. Returns how many."""
    if recipient is None:
        return 0
    done = {(row.params or {}).get("message") for row in await session.scalars(
        select(Notification).where(Notification.ticket_id == ticket_id, Notification.kind == WITHDRAWN,
                                   Notification.recipient_email == recipient,
                                   Notification.status.in_((Status.PENDING, Status.SENT))))
        if (row.params or {}).get("reason") == reason}
    messages = [m for m in await landed(session, [ticket_id], recipient) if m.id not in done]
    for message in messages:
        enqueue_withdrawal(session, message, reference, reason, now)
    return len(messages)
