"""Statistics for People Services (section 4.1.2: monitoring implementation and breaches), from
columns that hold no one's words and survive the retention purge."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import median

from sqlalchemy import select

from bot.db import Database
from bot.ticket.models import State, Ticket


@dataclass(frozen=True)
class TicketStats:
    open_by_state: dict[str, int]
    per_month: dict[str, int]
    median_hours_to_acknowledge: float | None
    median_days_to_close: float | None
    routed_to: dict[str, int]
    total: int

    def to_json(self) -> dict:
        return {"open_by_state": self.open_by_state, "reports_per_month": self.per_month,
                "median_hours_to_acknowledge": self.median_hours_to_acknowledge,
                "median_days_to_close": self.median_days_to_close, "routing": self.routed_to, "total": self.total}


async def ticket_stats(db: Database) -> TicketStats:
    async with db.session() as session:
        rows = (await session.execute(select(Ticket.state, Ticket.routing, Ticket.created_at, Ticket.acknowledged_at,
                                             Ticket.closed_at))).all()
    open_by_state = {str(s): 0 for s in State if s != State.CLOSED}
    for row in rows:
        if row.state != State.CLOSED:
            open_by_state[row.state] += 1
    ack = [(r.acknowledged_at - r.created_at).total_seconds() / 3600 for r in rows if r.acknowledged_at]
    close = [(r.closed_at - r.created_at).total_seconds() / 86400 for r in rows if r.closed_at]
    per_month = Counter(r.created_at.strftime("%Y-%m") for r in rows)
    return TicketStats(open_by_state, dict(sorted(per_month.items())),
                       round(median(ack), 1) if ack else None, round(median(close), 1) if close else None,
                       dict(Counter(r.routing for r in rows)), len(rows))
