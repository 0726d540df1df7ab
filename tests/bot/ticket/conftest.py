"""Shared set-up for the ticket and notification tests.

A small staff directory, the ticket service over the `db` fixture (so every test runs on SQLite and
on PostgreSQL), and an `Inbox`: a delivery worker with an in-memory channel, standing for what the
people on the platform actually receive.

Test modules import the names below (the staff, `report`, `snapshot`); the notification tests reuse
the fixtures through tests/bot/notify/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.confidential import Sealer
from bot.db import Database
from bot.directory.models import Person, Role
from bot.notify.channel import Delivery
from bot.notify.channels import MemoryChannel
from bot.notify.models import Notification
from bot.notify.worker import DeliveryWorker
from bot.policy import Policy
from bot.ticket.content import load_ticket_content
from bot.ticket.messages import NotificationRenderer
from bot.ticket.models import Ticket, TicketEvent, TicketNote
from bot.ticket.report import Report
from bot.ticket.service import Submitted, TicketService

# --- The staff directory ------------------------------------------------------------------------

PS_INBOX = "ps@trust.nhs.uk"  # People Services as configured (SNP_PEOPLE_SERVICES); not in the directory
ANN = "ann.reporter@trust.nhs.uk"  # the usual reporter; her line manager is Mark
MARK = "mark.manager@trust.nhs.uk"  # Ann's line manager; his own manager is Dana
DANA = "dana.director@trust.nhs.uk"  # her own manager on file (self-managed)
NINA = "nina.new@trust.nhs.uk"  # no line manager on file
CARL = "carl.colleague@trust.nhs.uk"  # the colleague usually reported
TOM = "tom.other@trust.nhs.uk"  # another manager, to reassign a case to
SAM = "sam.staff@trust.nhs.uk"  # a member of staff with nothing to do with the case
PRIYA = "priya.patel@trust.nhs.uk"  # People Services (by directory role)
QUINN = "quinn.jones@trust.nhs.uk"  # People Services (by directory role); reported in some tests
OUTSIDER = "visitor@elsewhere.org"  # not in the directory at all

#: (email, name, line manager, role)
DIRECTORY = [
    (ANN, "Ann Reporter", MARK, Role.STAFF),
    (MARK, "Mark Manager", DANA, Role.MANAGER),
    (DANA, "Dana Director", DANA, Role.MANAGER),
    (NINA, "Nina New", None, Role.STAFF),
    (CARL, "Carl Colleague", MARK, Role.STAFF),
    (TOM, "Tom Other", DANA, Role.MANAGER),
    (SAM, "Sam Staff", TOM, Role.STAFF),
    (PRIYA, "Priya Patel", DANA, Role.PEOPLE_SERVICES),
    (QUINN, "Quinn Jones", DANA, Role.PEOPLE_SERVICES),
]
#: Everyone who is People Services: the configured inbox and the directory's role.
PEOPLE_SERVICES = [PS_INBOX, PRIYA, QUINN]

# --- Reports ------------------------------------------------------------------------------------

#: A report that matches none of section 7's other routes (no signposts).
WHAT = "Carl shared a photo of the ward whiteboard on Facebook, with bed numbers showing"


def report(what: str = WHAT, *, who: str = "Carl Colleague", where: str = "Facebook",
           when: str = "yesterday evening") -> Report:
    return Report(what=what, where=where, when=when, who=who)


#: The words of each state as a reader sees them (policy_content/tickets.yaml `states`).
STATE_WORDS = {
    "open": "open, waiting for the handler",
    "acknowledged": "acknowledged",
    "advice_sought": "with People Services for advice",
    "resolved_informally": "resolved informally",
    "referred_disciplinary": "referred under the Disciplinary Policy",
    "closed": "closed",
}
#: The buttons a handler sees on a new ticket, in order (tickets.yaml `actions`).
OPEN_BUTTONS = ["Acknowledge", "Ask People Services", "Resolve informally", "Refer under Disciplinary Policy", "Close"]


def not_found(reference: str) -> str:
    return f"There is no ticket {reference} that you can see."


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def key() -> bytes:
    return Fernet.generate_key()


@pytest.fixture
async def directory(db: Database, clock: ManualClock) -> list[str]:
    """The staff above, in the directory; returns their emails."""
    async with db.session() as session, session.begin():
        session.add_all([Person(email=email, name=name, manager_email=manager, role=role, updated_at=clock.now())
                         for email, name, manager, role in DIRECTORY])
    return [email for email, *_ in DIRECTORY]


def make_service(db: Database, key: bytes, policy: Policy, clock: ManualClock) -> TicketService:
    return TicketService(db, Sealer([key]), policy, load_ticket_content(), clock, [PS_INBOX])


@pytest.fixture
def service(db: Database, directory: list[str], key: bytes, policy: Policy, clock: ManualClock) -> TicketService:
    return make_service(db, key, policy, clock)


@dataclass
class Inbox:
    """What people receive: a delivery worker over the outbox, and the channel it delivers to."""

    worker: DeliveryWorker
    channel: MemoryChannel

    async def deliver(self) -> list[Delivery]:
        """Run the worker until nothing is due; the deliveries that arrived in this call."""
        before = set(self.channel.received)
        while await self.worker.run_once():
            pass
        return [d for key, d in self.channel.received.items() if key not in before]

    def texts(self, email: str) -> list[str]:
        return [d.text for d in self.channel.to(email)]

    def kinds(self, email: str) -> list[str]:
        return [d.kind for d in self.channel.to(email)]


def make_inbox(db: Database, service: TicketService, clock: ManualClock, ack_hours: float = 48) -> Inbox:
    channel = MemoryChannel()
    return Inbox(DeliveryWorker(db, [channel], NotificationRenderer(service, ack_hours), clock), channel)


@pytest.fixture
def inbox(db: Database, service: TicketService, clock: ManualClock) -> Inbox:
    return make_inbox(db, service, clock)


@pytest.fixture
async def ticket(service: TicketService) -> Submitted:
    """Ann reports Carl; it goes to Mark, her line manager."""
    return await service.submit(ANN, report())


# --- Looking at the store -----------------------------------------------------------------------


async def ticket_row(db: Database, reference: str) -> Ticket:
    async with db.session() as session:
        row = await session.scalar(select(Ticket).where(Ticket.reference == reference))
    assert row is not None
    return row


EVENT_COLUMNS = (TicketEvent.action, TicketEvent.actor_email, TicketEvent.actor_role, TicketEvent.from_state,
                 TicketEvent.to_state)


async def events(db: Database, reference: str) -> list[tuple[str, str | None, str, str | None, str]]:
    """(action, actor email, actor role, from state, to state) for each event, in order."""
    async with db.session() as session:
        rows = await session.execute(select(*EVENT_COLUMNS).join(Ticket, Ticket.id == TicketEvent.ticket_id)
                                     .where(Ticket.reference == reference).order_by(TicketEvent.id))
        return [tuple(row) for row in rows]


async def notifications(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


async def snapshot(db: Database, reference: str) -> dict:
    """Everything an action could change about a ticket: its columns, events, notes and outbox rows."""
    async with db.session() as session:
        row = await session.scalar(select(Ticket).where(Ticket.reference == reference))
        assert row is not None
        log = (await session.execute(select(*EVENT_COLUMNS).where(TicketEvent.ticket_id == row.id)
                                     .order_by(TicketEvent.id))).all()
        notes = await session.scalar(select(func.count()).select_from(TicketNote).where(TicketNote.ticket_id == row.id))
        queued = await session.scalar(select(func.count()).select_from(Notification))
    columns = {c: getattr(row, c) for c in ("state", "handler_email", "people_services_joined", "acknowledged_at",
                                              "closed_at", "assigned_at", "reminded_at", "escalated_at")}
    return {**columns, "events": [tuple(e) for e in log], "notes": notes, "notifications": queued}
