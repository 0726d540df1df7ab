"""The fault suite: does any acknowledged report, DM or notification get lost when things fail?

Starts real `snp-bot serve` processes against the loopback Slack and Teams stand-ins (in a
process of their own, so they outlive the servers) and SQLite or PostgreSQL, and for each fault
prints `scenario | database | attempts | expected | observed`:

1. `kill -9` of the server during a stream of /snp-report submissions every 5 ms; the server is
   started again and the outbox given time: acknowledged reports against the tickets table, and
   reporters told their reference. Five trials, on SQLite and on PostgreSQL.
2. PostgreSQL "restarted" for 8 s (a proxy closes every connection and refuses new ones) during
   a stream of reports and DMs: acknowledged reports kept, acknowledged DMs answered; in the full
   form also "frozen" for 8 s (connections open, nothing forwarded).
3. The Slack Web API answering 503 to everything for 30 minutes (`--outage-minutes`), then back:
   every notification delivered, none twice on Slack, on Teams or on the webhook channel, with two
   servers sharing the outbox on PostgreSQL.
4. One hung chat.postMessage (never answered): how long every other line manager waits.
5. A Teams report card submitted twice (two activities, one form): one ticket.

    python benchmarks/faults.py [--quick] [--only kill,postgres,outage,hang,teams] [--outage-minutes 30]

`--quick` is the bounded form CI runs (tests/faults/test_faults.py asserts its outcomes): two
trials killed 1-2 s into the stream, a one-minute outage. The full form takes about 45 minutes,
most of it the outage. PostgreSQL scenarios are skipped, with the reason, when PostgreSQL does not
answer (SNP_TEST_POSTGRES_URL, default postgresql+asyncpg://127.0.0.1:5432/test). Prints figures
only; exits non-zero when a scenario cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults import scenarios  # noqa: E402
from tests.faults.harness import Staff, postgres_problem  # noqa: E402
from tests.faults.scenarios import Row  # noqa: E402
from tests.faults.standins import StandIns  # noqa: E402

NAMES = ("kill", "postgres", "outage", "hang", "teams")
HEADER = ("scenario", "database", "attempts", "expected", "observed")


def print_row(row: Row | tuple[str, ...]) -> None:
    cells = (row.scenario, row.database, row.attempts, row.expected, row.observed) if isinstance(row, Row) else row
    print(" | ".join(cells), flush=True)


async def main(options: argparse.Namespace) -> int:
    wanted = options.only.split(",") if options.only else list(NAMES)
    quick = options.quick
    pg_problem = await postgres_problem()
    kinds = ["sqlite"] + ([] if pg_problem else ["postgresql"])
    if pg_problem:
        print(f"PostgreSQL scenarios skipped: {pg_problem}", flush=True)
    outage = (options.outage_minutes if options.outage_minutes is not None else 1 if quick else 30) * 60
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="snp-faults-") as folder:
        work = Path(folder)
        people = Staff(reporters=1200, slack_managers=20, teams_managers=5, askers=200).people()
        stand_ins = await StandIns.start(people, work)
        code = os.environ.get("SNP_FAULTS_CODE")
        print(f"servers run {'the code in ' + code if code else 'this checkout'}", flush=True)
        print_row(HEADER)
        started = time.monotonic()
        try:
            async def run(coroutine) -> None:  # noqa: ANN001
                row = await coroutine
                rows.append(row)
                print_row(row)

            if "kill" in wanted:
                for kind in kinds:
                    await run(scenarios.kill_during_stream(kind, stand_ins, work, trials=2 if quick else options.trials,
                                                           kill_after=(1.0, 2.0) if quick else (2.0, 5.0)))
            if "postgres" in wanted and not pg_problem:
                await run(scenarios.postgres_restart(stand_ins, work))
                if not quick:
                    await run(scenarios.postgres_restart(stand_ins, work, freeze=True))
            if "outage" in wanted:
                await run(scenarios.slack_outage(kinds[-1], stand_ins, work, outage=outage,
                                                 settle=420 if outage > 120 else 180))
            if "hang" in wanted:
                await run(scenarios.hung_call(stand_ins, work, timeout=options.timeout,
                                              hold_until_given_up=not quick))
            if "teams" in wanted:
                await run(scenarios.teams_double_submit(stand_ins, work))
        finally:
            await stand_ins.stop()
        print(f"\n{len(rows)} scenario(s) in {time.monotonic() - started:.0f} s on this machine")
        for row in rows:
            print(f"  {row.scenario} ({row.database}): {row.figures}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the bounded form CI runs")
    parser.add_argument("--only", help=f"comma-separated scenarios: {','.join(NAMES)}")
    parser.add_argument("--outage-minutes", type=float, help="how long Slack is down (default 30; 1 with --quick)")
    parser.add_argument("--trials", type=int, default=5, help="kill -9 trials per database (default 5)")
    parser.add_argument("--code", help="run the servers from another checkout of the project, e.g. "
                        "`git archive COMMIT | tar -x -C DIR` of a commit before a fix (SNP_FAULTS_CODE)")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="SNP_DELIVERY_TIMEOUT_SECONDS for the hung call (default 20, the server's default)")
    options = parser.parse_args()
    if options.code:
        os.environ["SNP_FAULTS_CODE"] = str(Path(options.code).resolve())
    sys.exit(asyncio.run(main(options)))
