"""What a reporter writes, and every note, is stored only sealed: not in the database file, not in
any column, not in the outbox, not in the logs; and it cannot be opened without the key."""

from __future__ import annotations

import json

import pytest
import structlog
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.clock import ManualClock
from bot.confidential import SealError
from bot.db import Base, Database, import_models, sqlite_path
from bot.policy import Policy
from bot.ticket.report import Report
from bot.ticket.service import Submitted, TicketService
from bot.ticket.timers import run_timers
from bot.ticket.workflow import Action
from tests.bot.ticket.conftest import ANN, MARK, PRIYA, TOM, Inbox, make_service, notifications

#: Words that appear nowhere but in the report and the note.
WHAT = "Zanzibar marmalade incident on ward 7731"
WHO = "Xavier Quillfeather"
EVIDENCE = "https://example.org/posts/heliotrope-walrus"
NOTE = "Octarine lighthouse conversation 5512"
SECRETS = [WHAT, WHO, EVIDENCE, NOTE, "Zanzibar", "Quillfeather", "heliotrope", "Octarine"]


@pytest.fixture
async def worked(service: TicketService, inbox: Inbox, clock: ManualClock) -> Submitted:
    """A report with distinctive words, a note, every kind of notification delivered, and the timers run."""
    submitted = await service.submit(ANN, Report(what=WHAT, where="Instagram", when="last night", who=WHO,
                                                 evidence=(EVIDENCE,)))
    clock.advance(hours=96)
    await run_timers(service, ack_hours=48, retention_days=2190)
    await service.act(submitted.reference, MARK, Action.ADD_NOTE, note=NOTE)
    await service.act(submitted.reference, MARK, Action.RESOLVE_INFORMALLY)
    await service.act(submitted.reference, PRIYA, Action.REASSIGN, assignee=TOM)
    delivered = await inbox.deliver()
    assert any(WHAT in d.text for d in delivered)  # the people entitled to it did read it
    return submitted


async def stored(db: Database) -> str:
    """Everything the database holds, as text: the SQLite file and its write-ahead log byte for byte,
    or every row of every table on PostgreSQL (with binary columns as hex)."""
    path = sqlite_path(db.url)
    if path is not None:
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists()).decode("latin-1")
    import_models()
    rows = []
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows += (await conn.execute(text(f"SELECT t::text FROM {table.name} t"))).scalars().all()
    return "\n".join(rows)


async def test_report_and_note_are_not_stored_in_plain_text(db: Database, worked: Submitted) -> None:
    everything = await stored(db)

    assert worked.reference in everything and ANN in everything  # the store was read
    for words in SECRETS:
        assert words not in everything
        assert words.encode().hex() not in everything.lower()


async def test_the_outbox_holds_no_words(db: Database, worked: Submitted) -> None:
    rows = await notifications(db)

    assert {row.kind for row in rows} >= {"new_ticket", "reminder", "escalated", "state_changed", "reassigned",
                                          "reassigned_reporter"}
    for row in rows:
        assert set(row.params) <= {"state"}
        for words in SECRETS:
            assert words not in json.dumps(row.params)


async def test_another_key_cannot_open_a_ticket(db: Database, policy: Policy, clock: ManualClock,
                                                worked: Submitted) -> None:
    stranger = make_service(db, Fernet.generate_key(), policy, clock)

    with pytest.raises(SealError):
        await stranger.view(worked.reference, TOM)


async def test_the_right_key_opens_it(service: TicketService, worked: Submitted) -> None:
    view = await service.view(worked.reference, TOM)

    assert view.report is not None and view.report.what == WHAT
    assert NOTE in [e.note for e in view.events]


async def test_no_words_reach_the_logs(service: TicketService, inbox: Inbox, clock: ManualClock) -> None:
    with structlog.testing.capture_logs() as logs:
        submitted = await service.submit(ANN, Report(what=WHAT, where="Instagram", when="last night", who=WHO,
                                                     evidence=(EVIDENCE,)))
        await service.act(submitted.reference, MARK, Action.ADD_NOTE, note=NOTE)
        await service.act(submitted.public_id, MARK, Action.ASK_PEOPLE_SERVICES)
        await service.act(submitted.reference, MARK, Action.REASSIGN, assignee=TOM)
        clock.advance(hours=96)
        await run_timers(service, ack_hours=48, retention_days=2190)
        await inbox.deliver()
        await service.act(submitted.reference, PRIYA, Action.CLOSE)
        clock.advance(days=2190)
        await run_timers(service, ack_hours=48, retention_days=2190)

    assert {"ticket_opened", "ticket_action", "ticket_purged"} <= {entry["event"] for entry in logs}
    written = repr(logs)
    for words in SECRETS:
        assert words not in written
