"""`snp-bot tickets list|show|stats`: People Services' view of tickets from the shell.

The shell user says who they are with `--as EMAIL`; what they see is decided by that person's
role, exactly as on the platforms: People Services see every ticket and the statistics; a
reporter or handler sees their own; the person reported sees nothing. Lists and statistics hold
no one's words; `show` prints the report only to someone allowed to read it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from argparse import Namespace
from datetime import datetime

from bot.core import Core
from bot.directory import service as directory
from bot.notify.outbox import DeadLetter, dead_letters
from bot.ticket.service import TicketError, TicketView
from bot.ticket.stats import ticket_stats
from bot.ticket.views import describe_list, describe_ticket


def run_tickets(core: Core, args: Namespace) -> int:
    core.sealer  # noqa: B018 - a missing or bad key is reported before the database is touched
    return asyncio.run(_run(core, args))


async def _run(core: Core, args: Namespace) -> int:
    try:
        if not await core.db.ensure_schema():
            print("snp-bot tickets: the database needs `snp-bot db upgrade` first", file=sys.stderr)
            return 1
        return await {"list": _list, "show": _show, "stats": _stats}[args.tickets_command](core, args)
    except TicketError as exc:
        print(f"snp-bot tickets: {exc}", file=sys.stderr)
        return 1
    finally:
        await core.db.dispose()


async def _list(core: Core, args: Namespace) -> int:
    """The tickets the person may see; for People Services, with the messages about them that the
    outbox gave up on (dead letters: to whom, what kind, how often tried, the last error's class)."""
    tickets = await core.tickets.tickets_for(args.as_email)
    undelivered = await _undelivered(core, args.as_email)
    now = core.clock.now()
    if args.json:
        print(json.dumps([{"reference": t.reference, "state": t.state, "opened": t.created_at.isoformat(),
                           "handler": t.handler_email or "people_services", "signposts": t.signposts,
                           **({"undelivered": [_dead_json(d, now) for d in undelivered.get(t.id, [])]}
                              if t.id in undelivered else {})}
                          for t in tickets]))
        return 0
    print(describe_list(tickets, core.ticket_content))
    if undelivered:
        say, references = core.ticket_content.say, {t.id: t.reference for t in tickets}
        print(say("ticket_list_undelivered_head"))
        for ticket_id, letters in undelivered.items():
            for d in letters:
                print(say("ticket_list_undelivered_item", reference=references.get(ticket_id, "?"), kind=d.kind,
                          recipient=d.recipient, attempts=d.attempts, error=d.last_error or "?",
                          age=f"{d.age_hours(now):g}"))
    return 0


async def _undelivered(core: Core, email: str) -> dict[int | None, list[DeadLetter]]:
    """Dead letters by ticket, for People Services only (they name who was to be told)."""
    async with core.db.session() as session:
        if directory.normalise_email(email) not in await core.tickets.people_services(session):
            return {}
        letters = await dead_letters(session)
    grouped: dict[int | None, list[DeadLetter]] = {}
    for letter in letters:
        grouped.setdefault(letter.ticket_id, []).append(letter)
    return grouped


def _dead_json(letter: DeadLetter, now: datetime) -> dict:
    return {"recipient": letter.recipient, "kind": letter.kind, "attempts": letter.attempts,
            "last_error": letter.last_error, "age_hours": letter.age_hours(now)}


async def _show(core: Core, args: Namespace) -> int:
    view = await core.tickets.view(args.reference, args.as_email)
    print(json.dumps(_view_json(view)) if args.json else describe_ticket(view, core.ticket_content))
    return 0


def _view_json(view: TicketView) -> dict:
    return {"reference": view.reference, "state": view.state, "your_role": view.viewer_role,
            "handler": view.handler or None, "opened": view.created_at.isoformat(),
            "report": None if view.report is None else json.loads(view.report.to_json()),
            "signposts": view.signposts,
            "events": [{"at": e.at.isoformat(), "action": e.action, "by": e.actor_role, "state": e.to_state,
                        **({"note": e.note} if e.note else {})} for e in view.events]}


async def _stats(core: Core, args: Namespace) -> int:
    async with core.db.session() as session:
        allowed = args.as_email.strip().lower() in await core.tickets.people_services(session)
    if not allowed:
        raise TicketError(core.ticket_content.say("error_not_people_services"))
    stats = await ticket_stats(core.db)
    if args.json:
        print(json.dumps(stats.to_json()))
        return 0
    states = core.ticket_content.states
    print(f"Tickets: {stats.total} in all")
    print("Open by state: " + ", ".join(f"{states[s]}: {n}" for s, n in stats.open_by_state.items()))
    print("Reports per month: " + (", ".join(f"{m}: {n}" for m, n in stats.per_month.items()) or "none"))
    print(f"Median hours to acknowledge: {_figure(stats.median_hours_to_acknowledge)}")
    print(f"Median days to close: {_figure(stats.median_days_to_close)}")
    print("Routed to: " + (", ".join(f"{r}: {n}" for r, n in stats.routed_to.items()) or "none"))
    return 0


def _figure(value: float | None) -> str:
    return "n/a (none yet)" if value is None else f"{value:g}"
