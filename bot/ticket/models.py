"""Tickets, their append-only event log, their notes, and the yearly reference counter.

What a reporter wrote, and every note, is stored only sealed (`bot.confidential`). The person
reported is kept as a keyed digest, enough to keep them from handling or reading their own case
without storing their name in the clear.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base


class State(StrEnum):
    """Section 7 as states: reported to the line manager (7.1), advice from People Services (7.2),
    then an informal resolution or the Disciplinary Policy (7.3), then closed."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ADVICE_SOUGHT = "advice_sought"
    RESOLVED_INFORMALLY = "resolved_informally"
    REFERRED_DISCIPLINARY = "referred_disciplinary"
    CLOSED = "closed"


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unguessable id that travels in buttons and links; the row id never leaves the database.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[str] = mapped_column(String(24), default=State.OPEN, index=True)
    #: Emptied by the retention purge, with everything else that names a person.
    reporter_email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: The line manager or other person handling the case; None while People Services as a whole has it.
    handler_email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: Why the handler was chosen: "line_manager", "manager_reported", "manager_is_reporter", "no_manager".
    routing: Mapped[str] = mapped_column(String(24))
    people_services_joined: Mapped[bool] = mapped_column(default=False)
    subject_digest: Mapped[str | None] = mapped_column(String(64))
    #: Digests of everyone the report may be about: the person reported and anyone in the
    #: reporter's management chain the "who" may name. None of them may read or handle the case.
    subject_digests: Mapped[list[str] | None] = mapped_column(JSON)
    #: The name and email of the person reported, as the directory resolved them, sealed: shown to
    #: the handler and People Services.
    subject_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The one-time token of the form that was submitted: the same form sent twice (a double
    #: click, a retry after an error) opens one ticket.
    submission_token: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: Sections of the policy the reporter was pointed to: "7.4", "7.5", "7.6".
    signposts: Mapped[list[str]] = mapped_column(JSON, default=list)
    report_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    assigned_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    purged_at: Mapped[datetime | None]

    events: Mapped[list[TicketEvent]] = relationship(back_populates="ticket", order_by="TicketEvent.id")


class TicketEvent(Base):
    """One step of a case: who did what, when, from which state to which. Never changed once
    written, except that the retention purge forgets who the actor was."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    #: "reporter", "handler", "people_services" or "system": kept after the purge, for statistics.
    actor_role: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketNote(Base):
    """A handler's or People Services' note on a case, sealed; deleted by the retention purge."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("ticket_events.id", ondelete="CASCADE"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class TicketSequence(Base):
    """The last reference number given in a year. Incrementing the row locks it, so concurrent
    submissions on PostgreSQL or SQLite never share a number."""

    __tablename__ = "ticket_sequences"
    __table_args__ = (UniqueConstraint("year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
