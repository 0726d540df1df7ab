"""The fault suite's quick form, asserting what the people involved would see: no acknowledged
report is lost to a crash or a database restart, every acknowledged DM is answered, every
notification is delivered once through a Slack outage, one hung call holds up nobody else, and a
form sent twice opens one ticket.

Real `snp-bot serve` processes, the stand-ins in a process of their own, SQLite and PostgreSQL
(the PostgreSQL cases skip, saying why, when it does not answer). benchmarks/faults.py prints the
same scenarios' figures, in full (five kill trials, a 30-minute outage) or with --quick.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import scenarios
from tests.faults.harness import Staff, postgres_problem
from tests.faults.standins import StandIns


@pytest.fixture
async def stand_ins(tmp_path: Path):
    running = await StandIns.start(Staff(reporters=400, slack_managers=20, teams_managers=5, askers=100).people(),
                                   tmp_path)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and (problem := await postgres_problem()):
        pytest.skip(f"PostgreSQL fault scenarios skipped: {problem}")
    return request.param


async def _postgres() -> None:
    if problem := await postgres_problem():
        pytest.skip(f"PostgreSQL fault scenarios skipped: {problem}")


def _shown(row: scenarios.Row) -> str:
    return f"{row.scenario} | {row.database} | {row.attempts} | {row.observed}"


async def test_kill_9_during_a_stream_of_reports_loses_no_acknowledged_report(database, stand_ins, tmp_path):
    row = await scenarios.kill_during_stream(database, stand_ins, tmp_path, trials=1, kill_after=(1.0, 1.5))
    figures = row.figures
    assert figures["acknowledged"] > 0, _shown(row)  # some were acknowledged before the kill: none may be lost
    assert figures["lost"] == 0 and figures["wrong_reference"] == 0, _shown(row)
    assert figures["told"] == figures["acknowledged"], _shown(row)  # each reporter got their reference in a DM
    # Those the dying server never answered sent their dialog again: one ticket each, and told.
    assert figures["reporters"] > 0 and figures["never_acknowledged"] == 0, _shown(row)
    assert figures["without_ticket"] == 0 and figures["twice"] == 0, _shown(row)
    assert figures["untold_in_the_end"] == 0, _shown(row)


async def test_a_postgresql_restart_loses_no_acknowledged_report_and_leaves_no_dm_unanswered(stand_ins, tmp_path):
    await _postgres()
    row = await scenarios.postgres_restart(stand_ins, tmp_path)
    figures = row.figures
    assert figures["acknowledged"] > 0 and figures["dms_acknowledged"] > 0, _shown(row)
    assert figures["lost"] == 0 and figures["twice"] == 0, _shown(row)
    assert figures["told"] == figures["acknowledged"], _shown(row)
    assert figures["dms_answered"] == figures["dms_acknowledged"], _shown(row)


async def test_slack_down_then_back_delivers_every_notification_once(stand_ins, tmp_path):
    kind = "sqlite" if await postgres_problem() else "postgresql"
    row = await scenarios.slack_outage(kind, stand_ins, tmp_path, outage=20, reports_=20, settle=120)
    figures = row.figures
    assert figures["acknowledged"] == 20 and figures["lost"] == 0, _shown(row)
    assert figures["gave_up"] == 0 and figures["sent"] == figures["rows"], _shown(row)
    assert figures["sent_not_seen"] == 0, _shown(row)  # marked sent, and there on Slack and the webhook
    assert figures["told"] == figures["acknowledged"], _shown(row)  # each reporter's reference, once Slack is back
    assert figures["teams_sent"] > 0 and figures["hook_sent"] > 0, _shown(row)  # Teams and the webhook had work
    assert (figures["slack_twice"], figures["teams_twice"], figures["hook_twice"]) == (0, 0, 0), _shown(row)


async def test_a_hung_web_api_call_holds_up_no_other_recipient_and_posts_once(stand_ins, tmp_path):
    # A timeout far longer than the others need: they must all be delivered while the call hangs.
    row = await scenarios.hung_call(stand_ins, tmp_path, timeout=60, others=10, hold_until_given_up=False)
    figures = row.figures
    assert figures["delivered"] == figures["others"], _shown(row)
    assert figures["held_while_others_delivered"], _shown(row)
    assert figures["hung_posts"] == 1, _shown(row)  # Slack dropped it once the others were in; never posted twice


async def test_a_teams_report_card_submitted_twice_opens_one_ticket(stand_ins, tmp_path):
    row = await scenarios.teams_double_submit(stand_ins, tmp_path, reporters=3)
    figures = row.figures
    assert figures["tickets"] == 3 and figures["twice"] == 0, _shown(row)
    assert figures["told"] == 3 and figures["told_two_references"] == 0, _shown(row)
