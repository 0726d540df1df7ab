"""Opening tickets and working them through section 7.

Every change happens in one transaction with its event and the notifications it causes, so a
ticket never changes without its audit line, and nobody is told of a change that did not happen.
Permission is decided here, never by an adapter: the reporter may read, the handler and People
Services may read and act, and the person reported may do neither.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy import func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.confidential import Sealer
from bot.db import Database
from bot.directory import service as directory
from bot.directory.models import Person
from bot.metrics import TICKET_CHANGES, TICKETS_OPENED
from bot.notify.outbox import enqueue
from bot.notify.withdrawal import Reason, withdraw
from bot.policy import Policy
from bot.ticket.content import TicketContent
from bot.ticket.models import State, Ticket, TicketEvent, TicketNote, TicketSequence
from bot.ticket.report import Report
from bot.ticket.routing import Routing, route, subject_emails
from bot.ticket.subject import Named, named_in_chain
from bot.ticket.signpost import signpost_lines, signposts_for
from bot.ticket.workflow import STEPS, Action, allowed_from

log = structlog.get_logger(__name__)
REFERENCE = re.compile(r"^SNP-\d{4}-\d{4,}$", re.IGNORECASE)


def _described(person: Person) -> str:
    return f"{person.name} ({person.email})" if person.name else person.email


class TicketError(Exception):
    """A request about a ticket that cannot be carried out; the message is for the person who asked,
    and nothing has changed."""


@dataclass(frozen=True)
class Submitted:
    reference: str
    public_id: str
    signposts: list[str]
    #: What the reporter is told: the reference, who handles it, and any signposts.
    text: str
    #: True when this form had been submitted before: no second ticket was opened.
    duplicate: bool = False


@dataclass(frozen=True)
class EventView:
    at: datetime
    action: str
    actor_role: str
    to_state: str
    note: str | None = None


@dataclass(frozen=True)
class TicketView:
    """A ticket as one reader may see it. `report` is None once the retention purge has run."""

    reference: str
    public_id: str
    state: str
    state_label: str
    viewer_role: str
    handler: str
    created_at: datetime
    report: Report | None
    signposts: list[str]
    events: list[EventView] = field(default_factory=list)
    #: Who reported and whom it is about; empty for the reporter.
    involved: str = ""


class TicketService:
    def __init__(self, db: Database, sealer: Sealer, policy: Policy, content: TicketContent, clock: Clock,
                 people_services: list[str]) -> None:
        self.db = db
        self.sealer = sealer
        self.policy = policy
        self.content = content
        self.clock = clock
        self.configured_people_services = people_services
        #: Called after a change has queued notifications: the server points it at its delivery worker.
        self.wake: Callable[[], None] = lambda: None

    # --- submission ---------------------------------------------------------------------------

    async def submit(self, reporter_email: str, report: Report, *, token: str | None = None) -> Submitted:
        """Open a ticket, or, for a form `token` already used, return the ticket it opened. The
        reporter's confirmation is queued in the same transaction, so they hear "received" only
        of a report that is committed. Raises the database's error when it cannot commit:
        nothing is then stored or sent."""
        reporter_email = directory.normalise_email(reporter_email)
        if token and (earlier := await self._submitted_with(token)):
            return earlier
        try:
            ticket, routing = await self._open(reporter_email, report, token)
        except IntegrityError:
            # The same form a second time, at the same moment: the first one won.
            if token and (earlier := await self._submitted_with(token)):
                return earlier
            raise
        self.wake()
        TICKETS_OPENED.labels(routing.reason).inc()
        log.info("ticket_opened", reference=ticket.reference, routing=routing.reason, signposts=ticket.signposts)
        return Submitted(ticket.reference, ticket.public_id, ticket.signposts, self.told_reporter(ticket))

    async def _open(self, reporter_email: str, report: Report, token: str | None) -> tuple[Ticket, Routing]:
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            reporter = await directory.by_email(session, reporter_email)
            chain = await directory.management_chain(session, reporter)
            named = named_in_chain(report.who, chain, self.content.role_words)
            subject = await self._subject(session, report.who, named)
            routing = self._route(reporter, chain, named)
            public_id = secrets.token_urlsafe(16)
            digests = sorted({self.sealer.digest(p.email) for p in [*(n.person for n in named), *subject]})
            # The ticket takes its public id as a stand-in reference until the last statement:
            # the year's counter row stays locked from its increment to the commit, so it is
            # incremented as late as possible.
            ticket = Ticket(public_id=public_id, reference=public_id[:20], state=State.OPEN,
                            reporter_email=reporter_email, handler_email=routing.handler_email,
                            routing=routing.reason, people_services_joined=routing.handler_email is None,
                            subject_digest=self.sealer.digest(subject[0].email) if subject else None,
                            subject_digests=digests or None,
                            subject_sealed=self.sealer.seal(_described(subject[0])) if subject else None,
                            submission_token=token,
                            signposts=signposts_for(report, self.content), report_sealed=self.sealer.seal(report.to_json()),
                            created_at=now, assigned_at=now)
            session.add(ticket)
            await session.flush()
            event = await self.log_event(session, ticket, "submitted", reporter_email, "reporter", None, State.OPEN)
            recipients = await self.handlers(session, ticket)
            for recipient in recipients:
                self.enqueue(session, ticket, recipient, "new_ticket", event.id)
            self.enqueue(session, ticket, reporter_email, "received", event.id)
            ticket.reference = await self._next_reference(session, now)
        if not recipients:
            log.warning("ticket_has_nobody_to_handle_it", reference=ticket.reference, routing=routing.reason)
        return ticket, routing

    async def _submitted_with(self, token: str) -> Submitted | None:
        async with self.db.session() as session:
            ticket = await session.scalar(select(Ticket).where(Ticket.submission_token == token))
        if ticket is None:
            return None
        return Submitted(ticket.reference, ticket.public_id, ticket.signposts, self.told_reporter(ticket),
                         duplicate=True)

    def _route(self, reporter: Person | None, chain: list[Person], named: list[Named]) -> Routing:
        if reporter is None:
            return Routing(None, "no_manager")
        certain = {n.person.email for n in named if n.certain}
        manager = chain[0] if chain else (reporter if reporter.manager_email == reporter.email else None)
        return route(reporter, manager, {n.person.email for n in named}, certain)

    async def _subject(self, session: AsyncSession, who: str, named: list[Named]) -> list[Person]:
        """The people the report names, the person reported first: someone in the reporter's chain
        named for certain, then the directory people whose email or whole name is in "who". All of
        them are kept from the case; the first is the one the handler is told of."""
        if not who.strip():
            return []
        found = [n.person for n in named if n.certain]
        for email in subject_emails(who):
            if person := await directory.by_email(session, email):
                found.append(person)
        words = " ".join(re.findall(r"[\w'-]+", who.lower()))
        # The name is searched for in the words, not matched as a LIKE pattern: a "_" or "%" in a
        # name is a character, not a wildcard.
        position = func.strpos if self.db.dialect == "postgresql" else func.instr
        found += await session.scalars(select(Person).where(
            position(literal(f" {words} "), " " + func.lower(Person.name) + " ") > 0).order_by(Person.id).limit(10))
        return list({person.email: person for person in found}.values())

    async def _next_reference(self, session: AsyncSession, now: datetime) -> str:
        """SNP-YYYY-NNNN: an upsert that increments the year's row, which the database locks until
        commit, so two submissions can never get the same number."""
        insert = (postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert)(TicketSequence)
        statement = insert.values(year=now.year, last_number=1).on_conflict_do_update(
            index_elements=[TicketSequence.year], set_={"last_number": TicketSequence.last_number + 1},
        ).returning(TicketSequence.last_number)
        number = (await session.execute(statement)).scalar_one()
        return f"SNP-{now.year}-{number:04d}"

    def told_reporter(self, ticket: Ticket) -> str:
        """The reporter's confirmation: the reference, who has it, and any signposts."""
        handler = self.content.routing["line_manager" if ticket.handler_email else ticket.routing]
        lines = [self.content.say("report_submitted", reference=ticket.reference, handler=handler)]
        return "\n".join(lines + signpost_lines(ticket.signposts, self.content, self.policy))

    # --- who may do what ----------------------------------------------------------------------

    async def people_services(self, session: AsyncSession) -> list[str]:
        return await directory.people_services(session, self.configured_people_services)

    async def role_of(self, session: AsyncSession, ticket: Ticket, email: str) -> str | None:
        """"reporter", "handler", "people_services", or None for anyone else, the person reported first."""
        email = directory.normalise_email(email)
        if self.may_be_about(ticket, email):
            return None
        if email == ticket.reporter_email:
            return "reporter"
        if email == ticket.handler_email:
            return "handler"
        if email in await self.people_services(session):
            return "people_services"
        return None

    async def handlers(self, session: AsyncSession, ticket: Ticket) -> list[str]:
        """Who is told of a new case: its handler, or People Services when it has none."""
        if ticket.handler_email:
            return [ticket.handler_email]
        return await self.people_services_for(session, ticket)

    async def people_services_for(self, session: AsyncSession, ticket: Ticket, *, besides: str = "") -> list[str]:
        """People Services members who may see this case: never the reporter or the person reported."""
        return [email for email in await self.people_services(session)
                if email not in (ticket.reporter_email, besides) and not self.may_be_about(ticket, email)]

    def may_be_about(self, ticket: Ticket, email: str) -> bool:
        """Whether the report is, or may be, about this person: they may neither read nor handle it."""
        digests = {ticket.subject_digest, *(ticket.subject_digests or ())} - {None}
        return bool(digests) and self.sealer.digest(directory.normalise_email(email)) in digests

    async def find(self, session: AsyncSession, ticket_id: str, *, lock: bool = False) -> Ticket | None:
        """A ticket by its unguessable id or by its reference."""
        column = Ticket.reference if REFERENCE.match(ticket_id.strip()) else Ticket.public_id
        value = ticket_id.strip().upper() if column is Ticket.reference else ticket_id.strip()
        query = select(Ticket).where(column == value)
        return await session.scalar(query.with_for_update() if lock else query)

    # --- the workflow -------------------------------------------------------------------------

    async def act(self, ticket_id: str, actor_email: str, action: Action | str, *, note: str = "",
                  assignee: str = "") -> str:
        """Carry out one action; returns the words for the actor, or raises TicketError."""
        if action not in set(Action):
            raise TicketError(self.content.say("ticket_unknown_action", action=str(action),
                                               actions=", ".join(a.value for a in Action)))
        action = Action(action)
        actor_email = directory.normalise_email(actor_email)
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            ticket = await self.find(session, ticket_id, lock=True)
            role = await self.role_of(session, ticket, actor_email) if ticket else None
            if ticket is None or ticket.purged_at or (role is None and REFERENCE.match(ticket_id.strip())):
                raise TicketError(self.content.say("error_not_found", reference=ticket_id))
            if role not in ("handler", "people_services"):  # a button's unguessable id: no secret to keep
                raise TicketError(self.content.say("error_not_allowed", reference=ticket.reference))
            self._check_state(ticket, action)
            words = await self._apply(session, ticket, action, actor_email, role, now, note=note, assignee=assignee)
        self.wake()
        log.info("ticket_action", reference=ticket.reference, action=str(action), actor_role=role, state=ticket.state)
        return words

    def _check_state(self, ticket: Ticket, action: Action) -> None:
        if not allowed_from(action, ticket.state):
            raise TicketError(self.content.say("error_wrong_state", reference=ticket.reference,
                                               state=self.content.states[ticket.state], verb=STEPS[action].verb))
        if action is Action.ASK_PEOPLE_SERVICES and ticket.people_services_joined:
            raise TicketError(self.content.say("error_already_joined", reference=ticket.reference))

    async def _apply(self, session: AsyncSession, ticket: Ticket, action: Action, actor: str, role: str,
                     now: datetime, *, note: str, assignee: str) -> str:
        if action is Action.ADD_NOTE:
            return await self._add_note(session, ticket, actor, role, now, note)
        if action is Action.REASSIGN:
            return await self._reassign(session, ticket, actor, role, now, assignee)
        if ticket.state == State.OPEN and action is not Action.ACKNOWLEDGE:
            await self._change(session, ticket, Action.ACKNOWLEDGE, actor, role, now, State.ACKNOWLEDGED, tell=False)
        target = STEPS[action].to_state
        assert target is not None
        event = await self._change(session, ticket, action, actor, role, now, target)
        if action is Action.ASK_PEOPLE_SERVICES:
            ticket.people_services_joined = True
            for member in await self.people_services_for(session, ticket, besides=actor):
                self.enqueue(session, ticket, member, "advice_requested", event.id)
        return self.content.say("action_done", reference=ticket.reference, state=self.content.states[ticket.state])

    async def _change(self, session: AsyncSession, ticket: Ticket, action: Action, actor: str, role: str,
                      now: datetime, target: State, *, tell: bool = True) -> TicketEvent:
        """Move the ticket to `target`, log it, and tell the reporter (in words that name only the
        reference and the new state)."""
        previous, ticket.state = ticket.state, target
        if target == State.ACKNOWLEDGED and ticket.acknowledged_at is None:
            ticket.acknowledged_at = now
        if target == State.CLOSED:
            ticket.closed_at = now
        event = await self.log_event(session, ticket, str(action), actor, role, previous, target)
        TICKET_CHANGES.labels(str(target)).inc()
        if tell and ticket.reporter_email and ticket.reporter_email != actor:
            self.enqueue(session, ticket, ticket.reporter_email, "state_changed", event.id, {"state": str(target)})
        return event

    async def _add_note(self, session: AsyncSession, ticket: Ticket, actor: str, role: str, now: datetime,
                        note: str) -> str:
        if not note.strip():
            raise TicketError(self.content.say("error_note_empty"))
        event = await self.log_event(session, ticket, "add_note", actor, role, ticket.state, State(ticket.state))
        session.add(TicketNote(ticket_id=ticket.id, event_id=event.id, sealed=self.sealer.seal(note.strip()[:4000])))
        return self.content.say("action_note_added", reference=ticket.reference)

    async def _reassign(self, session: AsyncSession, ticket: Ticket, actor: str, role: str, now: datetime,
                        assignee: str) -> str:
        person = await directory.by_email(session, assignee)
        reason = self._refusal(ticket, person)
        if reason:
            raise TicketError(self.content.say("error_assignee", assignee=assignee or "?", reference=ticket.reference,
                                               reason=self.content.say(reason)))
        assert person is not None
        await withdraw(session, ticket_id=ticket.id, reference=ticket.reference, recipient=ticket.handler_email,
                       reason=Reason.MOVED, now=now)
        ticket.handler_email, ticket.assigned_at, ticket.reminded_at = person.email, now, None
        event = await self.log_event(session, ticket, "reassign", actor, role, ticket.state, State(ticket.state))
        self.enqueue(session, ticket, person.email, "reassigned", event.id)
        if ticket.reporter_email:
            self.enqueue(session, ticket, ticket.reporter_email, "reassigned_reporter", event.id)
        return self.content.say("action_reassigned", reference=ticket.reference, assignee=person.name)

    def _refusal(self, ticket: Ticket, person: Person | None) -> str:
        if person is None:
            return "assignee_unknown"
        if self.may_be_about(ticket, person.email) or person.email == ticket.reporter_email:
            return "assignee_involved"
        if person.email == ticket.handler_email:
            return "assignee_same"
        return ""

    def enqueue(self, session: AsyncSession, ticket: Ticket, recipient: str, kind: str, event_id: int,
                params: dict | None = None) -> None:
        """Queue a message in the transaction of the change that causes it (the outbox)."""
        enqueue(session, recipient=recipient, kind=kind, ticket_id=ticket.id, cause=f"e{event_id}",
                now=self.clock.now(), params=params)

    async def log_event(self, session: AsyncSession, ticket: Ticket, action: str, actor: str | None, role: str,
                   previous: str | None, target: str) -> TicketEvent:
        event = TicketEvent(ticket_id=ticket.id, at=self.clock.now(), action=action, actor_email=actor,
                            actor_role=role, from_state=previous, to_state=str(target))
        session.add(event)
        await session.flush()
        return event

    # --- reading ------------------------------------------------------------------------------

    async def view(self, ticket_id: str, reader_email: str) -> TicketView:
        """The ticket as the reader may see it: the reporter sees the report and its states; the
        handler and People Services also see the notes."""
        async with self.db.session() as session:
            ticket = await self.find(session, ticket_id)
            role = await self.role_of(session, ticket, reader_email) if ticket else None
            if ticket is None or role is None:
                raise TicketError(self.content.say("error_not_found", reference=ticket_id))
            events = await self._events(session, ticket, with_notes=role != "reporter")
            involved = "" if role == "reporter" or ticket.purged_at else await self.involved(session, ticket)
        report = Report.from_json(self.sealer.open(ticket.report_sealed)) if ticket.report_sealed else None
        handler = ticket.handler_email or self.content.routing["people_services"]
        return TicketView(ticket.reference, ticket.public_id, ticket.state, self.content.states[ticket.state], role,
                          "" if role == "reporter" else handler, ticket.created_at, report,
                          list(ticket.signposts), events, involved)

    async def involved(self, session: AsyncSession, ticket: Ticket) -> str:
        """Who reported and whom it is about, for the handler and People Services: they need both
        to follow the case up (confidential, like the report itself)."""
        content = self.content
        reporter = await directory.by_email(session, ticket.reporter_email) if ticket.reporter_email else None
        who = (_described(reporter) if reporter else ticket.reporter_email) or content.say("involved_unknown")
        subject = self.sealer.open(ticket.subject_sealed) if ticket.subject_sealed else ""
        if not subject and ticket.report_sealed:
            given = Report.from_json(self.sealer.open(ticket.report_sealed)).who
            subject = f"{given} ({content.say('involved_unresolved')})" if given else ""
        return content.say("notify_involved", reporter=who, subject=subject or content.say("involved_unknown"))

    async def _events(self, session: AsyncSession, ticket: Ticket, *, with_notes: bool) -> list[EventView]:
        notes = {}
        if with_notes:
            rows = await session.scalars(select(TicketNote).where(TicketNote.ticket_id == ticket.id))
            notes = {note.event_id: self.sealer.open(note.sealed) for note in rows}
        rows = await session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
        return [EventView(e.at, e.action, e.actor_role, e.to_state, notes.get(e.id)) for e in rows
                if with_notes or e.action != "add_note"]

    async def tickets_for(self, email: str) -> list[Ticket]:
        """Every ticket for People Services; otherwise those the person reported or handles."""
        email = directory.normalise_email(email)
        async with self.db.session() as session:
            query = select(Ticket).order_by(Ticket.id)
            if email not in await self.people_services(session):
                query = query.where(or_(Ticket.reporter_email == email, Ticket.handler_email == email))
            tickets = list(await session.scalars(query))
        # Each is the person's as reporter, handler or People Services, unless it is about them.
        return [t for t in tickets if not self.may_be_about(t, email)]
