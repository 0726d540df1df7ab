"""Slack acknowledgement figures: signed `/snp-check` slash commands driven at `snp-bot serve`, and at a
bare slack-bolt app whose handler only acks, at 1, 16 and 64 concurrent clients.

    python benchmarks/slack_bench.py [--requests 400] [--clients 1,16,64] [--targets bot,bare]
                                     [--bare-process-before-response]

Four processes: this one (the load generator: asyncio + aiohttp, one keep-alive session per
client), the fake Slack Web API (tests/fakes/slack.py), `snp-bot serve`, and the bare app (this
script again, with --bare-server PORT). Time to acknowledge is from sending the request to its HTTP
response. After each round at the bot, the script waits until the bot has posted a review to every
acknowledged command's response_url, so one round's backlog does not slow the next.

Aim: at 64 clients, at least 0.7 of the bare app's throughput and p99 acknowledgement far inside 3 s.
Prints figures only; asserts nothing, and exits non-zero if a server does not start or does not
serve Slack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack import FakeSlackAPI, sign, slash_command_body

sys.path.insert(0, str(Path(__file__).resolve().parent))
from processes import free_port, not_ready, serve_counts, start, stop, tail  # noqa: E402

TOKEN = "xoxb-bench-0000-token"
SECRET = "bench-signing-secret-0123456789abcdef"
USERS = {f"U{i:04d}": f"staff.member{i}@nhs.net" for i in range(1, 65)}
WARM_UP = 10
DRAFTS = [
    ("Proud of everyone on {ward} today: {n} discharges before lunch and the patient in bed {bed} finally went "
     "home to her family after {days} days with us. Great teamwork all round #NHS"),
    ("Long {day} shift on {ward} but we got through it. {n} admissions overnight, coffee machine broken again. "
     "Still love this job and this team. Who else is back on nights this week?"),
    ("Our {ward} fundraiser raised £{n}00 for the new family room! Thank you to every colleague, patient and "
     "relative who baked, ran or donated. Photos to follow once everyone has said yes."),
    ("Honestly fed up with management on {ward}. {n} staff off sick and nobody listens. If the CQC saw what we "
     "see every {day} they would close us down. Not naming names but you know who you are."),
    ("Reminder for colleagues: flu jabs on {ward} this {day} from 9 till 4. Bring your ID badge. {n} of us done "
     "already, let us beat last year's uptake and keep our patients and families safe."),
]
WARDS = ["Ward 7", "Ward 12", "the stroke unit", "A&E", "maternity", "the children's ward", "ICU"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def draft(i: int) -> str:
    rng = random.Random(i)
    text = DRAFTS[i % len(DRAFTS)].format(ward=rng.choice(WARDS), day=rng.choice(DAYS), n=rng.randint(2, 40),
                                          bed=rng.randint(1, 30), days=rng.randint(3, 60))
    return f"{text} ({i})"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# -- the second and third processes -----------------------------------------------------------------

def bare_server(port: int, process_before_response: bool) -> None:
    """A bare slack-bolt app: `/snp-check` only acks. Same token, secret and Web API as the bot.

    With bolt's default (process_before_response=False) the request waits for ack() by polling
    every 10 ms (slack_bolt/listener/asyncio_runner.py), which puts a ~10 ms floor under its time to
    acknowledge; --bare-process-before-response measures bolt without that floor."""
    import logging

    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    logging.basicConfig(level=logging.WARNING)

    async def build() -> web.Application:
        client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
        app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
                       process_before_response=process_before_response)

        @app.command("/snp-check")
        async def check(ack) -> None:
            await ack()

        return app.web_app(path="/slack/events", port=port)

    web.run_app(build(), host="127.0.0.1", port=port, print=None, access_log=None)


def fake_api_server() -> None:
    """The fake Web API, with a counts endpoint the load generator polls; prints its URLs and runs
    until SIGTERM."""
    from aiohttp import web

    async def main() -> None:
        api = FakeSlackAPI(bot_token=TOKEN, users=USERS)
        base = await api.start()

        async def counts(request: web.Request) -> web.Response:
            tally: dict[str, int] = {}
            for call in api.calls:  # response URLs are named "<target>-<n>": counted per target
                key = f"response_url:{call.target.split('-')[0]}" if call.target else call.method
                tally[key] = tally.get(key, 0) + 1
            return web.json_response(tally)

        await serve_counts(counts, {"api": base})
        await api.stop()

    asyncio.run(main())


# -- the load generator -------------------------------------------------------------------------------

class Target:
    def __init__(self, name: str, url: str, response_base: str) -> None:
        self.name, self.url, self.response_base = name, url, response_base
        self.sent = 0  # requests acknowledged with 200, warm-up included

    def body(self, i: int) -> str:
        return slash_command_body("/snp-check", draft(i), user_id=f"U{i % 64 + 1:04d}",
                                  trigger_id=f"{i}.1.{i:012x}", response_url=f"{self.response_base}{self.name}-{i}")

    async def post(self, session: aiohttp.ClientSession, i: int) -> tuple[int, float, str]:
        body = self.body(i)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        start = time.perf_counter()
        try:
            async with session.post(self.url, data=body.encode(), headers=headers) as response:
                text = await response.text()
                status = response.status
        except aiohttp.ClientError as error:
            status, text = 0, repr(error)
        elapsed = (time.perf_counter() - start) * 1000
        self.sent += status == 200
        return status, elapsed, text


async def run_round(target: Target, clients: int, requests: int, first: int) -> dict:
    """`requests` commands from `clients` concurrent clients, each on its own keep-alive connection."""
    next_index = iter(range(first, first + requests))
    times: list[float] = []
    errors: dict[int, int] = {}

    async def client() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            for i in next_index:
                status, elapsed, _ = await target.post(session, i)
                times.append(elapsed)
                if status != 200:
                    errors[status] = errors.get(status, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    return {"target": target.name, "clients": clients, "rps": requests / wall, "p50": percentile(times, 50),
            "p99": percentile(times, 99), "errors": errors}


async def warm_up(target: Target, first: int) -> None:
    async with aiohttp.ClientSession() as session:
        for i in range(first, first + WARM_UP):
            status, _, text = await target.post(session, i)
            if status == 404 and target.name == "bot":
                sys.exit(f"snp-bot serve does not serve Slack: POST {target.url} answered 404 "
                         "(is the Slack adapter mounted when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set?)")
            if status != 200:
                sys.exit(f"{target.name}: POST {target.url} answered {status} during warm-up: {text[:300]}")


async def drain(counts_url: str, target: Target, timeout: float = 120) -> tuple[int, float]:
    """Wait until the bot has posted to as many response URLs as it acknowledged commands."""
    start = time.monotonic()
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.get(counts_url) as response:
                posted = (await response.json()).get(f"response_url:{target.name}", 0)
            if posted >= target.sent or time.monotonic() - start > timeout:
                return posted, time.monotonic() - start
            await asyncio.sleep(0.05)


def print_table(results: list[dict], levels: list[int]) -> None:
    print(f"\n{'target':<7}{'clients':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}  errors (non-200)")
    for r in results:
        errors = ", ".join(f"{n}×{s or 'conn'}" for s, n in sorted(r["errors"].items())) or "0"
        print(f"{r['target']:<7}{r['clients']:>8}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}  {errors}")
    by = {(r["target"], r["clients"]): r for r in results}
    ratios = [(c, by[("bot", c)]["rps"] / by[("bare", c)]["rps"]) for c in levels
              if ("bot", c) in by and ("bare", c) in by]
    if ratios:
        print("\nbot/bare throughput: " + ", ".join(f"{c} clients {ratio:.2f}" for c, ratio in ratios))
        top = max(levels)
        if ("bot", top) in by and ("bare", top) in by:
            ratio, p99 = dict(ratios)[top], by[("bot", top)]["p99"]
            verdict = "met" if ratio >= 0.7 and p99 < 1000 else "NOT met"
            print(f"aim at {top} clients (>= 0.7 of bare throughput, p99 far inside 3 s): {verdict} "
                  f"(ratio {ratio:.2f}, p99 {p99:.0f} ms)")


async def bench(args: argparse.Namespace, work: Path) -> None:
    levels = [int(c) for c in args.clients.split(",")]
    targets_wanted = args.targets.split(",")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SNP_"))}
    procs: list[asyncio.subprocess.Process] = []
    try:
        fake_log = work / "fake.log"
        fake = await start(sys.executable, __file__, "--fake-api", log=fake_log, env=env, cwd=work, stdout_pipe=True)
        procs.append(fake)
        line = await fake.stdout.readline()  # type: ignore[union-attr]
        if not line:
            sys.exit(f"the fake Slack API did not start:\n{tail(fake_log)}")
        urls = json.loads(line)
        response_base = urls["api"].removesuffix("api/") + "response/"
        env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=urls["api"],
                   SNP_DATABASE_URL=f"sqlite+aiosqlite:///{work / 'bench.db'}", HOME=str(work),
                   XDG_DATA_HOME=str(work / "data"), PYTHONUNBUFFERED="1")
        targets: list[Target] = []
        if "bot" in targets_wanted:
            port, log = free_port(), work / "bot.log"
            executable = Path(sys.executable).with_name("snp-bot")
            bot = await start(str(executable), "serve", "--port", str(port), log=log, env=env, cwd=work)
            procs.append(bot)
            if problem := await not_ready(f"http://127.0.0.1:{port}/readyz", bot, log, "snp-bot serve"):
                sys.exit(problem)
            targets.append(Target("bot", f"http://127.0.0.1:{port}/slack/events", response_base))
        if "bare" in targets_wanted:
            port, log = free_port(), work / "bare.log"
            pbr = ["--bare-process-before-response"] if args.bare_process_before_response else []
            bare = await start(sys.executable, __file__, "--bare-server", str(port), *pbr, log=log, env=env, cwd=work)
            procs.append(bare)
            # The bare app serves POST only: any answer to a GET means it listens.
            if problem := await not_ready(f"http://127.0.0.1:{port}/slack/events", bare, log, "bare slack-bolt app",
                                          ready=lambda status: True):
                sys.exit(problem)
            targets.append(Target("bare", f"http://127.0.0.1:{port}/slack/events", response_base))

        index = 0
        for target in targets:
            await warm_up(target, index)
            index += WARM_UP
            if target.name == "bot":
                await drain(urls["counts"], target)
        mean = sum(len(draft(i)) for i in range(100)) // 100
        print(f"{args.requests} signed /snp-check commands per round; drafts of ~{mean} characters; "
              f"{os.cpu_count()} CPUs shared by all four processes", flush=True)
        results = []
        for clients in levels:
            for target in targets:
                result = await run_round(target, clients, args.requests, index)
                index += args.requests
                results.append(result)
                note = ""
                if target.name == "bot":
                    posted, seconds = await drain(urls["counts"], target)
                    note = f"; reviews posted to response_url {posted}/{target.sent} ({seconds:.1f} s after the round)"
                print(f"  {target.name} at {clients} clients: {result['rps']:.0f} req/s{note}", flush=True)
        print_table(results, levels)
    finally:
        for process in reversed(procs):
            await stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per target and concurrency")
    parser.add_argument("--clients", default="1,16,64", help="concurrency levels (default 1,16,64)")
    parser.add_argument("--targets", default="bot,bare", help="bot, bare, or both (default bot,bare)")
    parser.add_argument("--bare-process-before-response", action="store_true",
                        help="run the bare app with process_before_response=True (no 10 ms ack polling)")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--fake-api", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        return bare_server(args.bare_server, args.bare_process_before_response)
    if args.fake_api:
        return fake_api_server()
    with tempfile.TemporaryDirectory(prefix="slack-bench-") as work:
        asyncio.run(bench(args, Path(work)))


if __name__ == "__main__":
    main()
