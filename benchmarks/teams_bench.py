"""Teams message figures: personal-chat questions about the policy posted to `snp-bot serve`'s
POST /api/messages, and to a bare botbuilder echo bot, at 1, 16 and 64 concurrent clients.

    python benchmarks/teams_bench.py [--requests 300] [--clients 1,16,64] [--targets bot,bare]

Four processes: this one (the load generator: asyncio + aiohttp, one keep-alive session per
client), the fake Bot Framework connector (tests/fakes/botframework.py, this script again with
--fake-connector), `snp-bot serve` with SNP_TEAMS_UNAUTHENTICATED=1 (no app id, loopback only), and
the bare bot (this script again, with --bare-server PORT: botbuilder's aiohttp CloudAdapter with an
empty configuration, i.e. unauthenticated, and an ActivityHandler that sends the text back).

Activities are shaped as Teams sends them (TeamsChannel in tests/fakes/botframework.py), one
personal chat per simulated user, no Authorization header. Each target gets its own serviceUrl on
the fake connector (…/bot/ and …/bare/), so replies are counted per target. Time is from sending the
POST to its HTTP response. After each round the script waits until every accepted message has been
answered (a message activity sent or replied to the conversation), so one round's backlog does not
slow the next, and prints how many were.

Prints figures only; asserts nothing. Exits 1 if snp-bot serve does not serve Teams (a 404 at
/api/messages) or does not start, after printing the bare bot's figures.
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

from tests.fakes.botframework import FakeConnector, TeamsChannel, TeamsUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from processes import free_port, not_ready, serve_counts, start, stop, tail  # noqa: E402

APP_ID = "00000000-0000-0000-0000-00000000b07e"  # only names the bot in `recipient`; nothing checks it
USERS = [TeamsUser.create(f"Staff Member{i}") for i in range(1, 65)]
WARM_UP = 10
OK = (200, 201, 202)
QUESTIONS = [
    "Can I post a photo of {ward} team on Instagram after a shift?",
    "Is it OK to accept a friend request from a patient on {ward}?",
    "May I say on LinkedIn that I work on {ward} at the trust?",
    "A colleague posted about a patient on {ward}, what do I do?",
    "Can I share the trust's job adverts for {ward} on Facebook?",
    "Am I allowed to tweet about NHS pay while I'm on {ward}?",
    "Can our {ward} staff WhatsApp group include students too?",
    "Someone made a fake account with the {ward} logo, help?",
    "Can I post a thank-you card from a family on {ward} online?",
    "Is it fine to vlog my commute if I mention {ward} by name?",
]
WARDS = ["Ward 7", "Ward 12", "the stroke unit", "A&E", "maternity", "ICU", "the children's ward", "theatres"]


def question(i: int) -> str:
    rng = random.Random(i)
    return QUESTIONS[i % len(QUESTIONS)].format(ward=rng.choice(WARDS))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


# -- the second and third processes -----------------------------------------------------------------

def bare_server(port: int) -> None:
    """A bare botbuilder bot: CloudAdapter, unauthenticated (empty configuration), echoing the text."""
    import logging
    from types import SimpleNamespace

    from aiohttp import web
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    logging.basicConfig(level=logging.WARNING)

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(turn_context.activity.text)

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def fake_connector_server() -> None:
    """The fake connector, with a counts endpoint the load generator polls; prints its URLs and runs
    until SIGTERM."""
    from aiohttp import web

    async def main() -> None:
        connector = FakeConnector(region="")
        base = await connector.start()

        async def counts(request: web.Request) -> web.Response:
            tally: dict[str, dict[str, int]] = {}
            answered: dict[str, set[str]] = {}
            for call in connector.calls:
                row = tally.setdefault(call.prefix, {"sends": 0, "failed": 0, "messages": 0, "answered": 0})
                if call.kind != "send":
                    continue
                if not call.ok:
                    row["failed"] += 1
                    continue
                row["sends"] += 1
                body = call.body if isinstance(call.body, dict) else {}
                if body.get("type") == "message":
                    row["messages"] += 1
                    answered.setdefault(call.prefix, set()).add(call.activity_id or body.get("replyToId") or "")
            for prefix, ids in answered.items():
                tally[prefix]["answered"] = len(ids - {""})
            return web.json_response(tally)

        await serve_counts(counts, {"service_url": base})
        await connector.stop()

    asyncio.run(main())


# -- the load generator -------------------------------------------------------------------------------

class Target:
    def __init__(self, name: str, url: str, service_url: str) -> None:
        self.name, self.url = name, url
        self.teams = TeamsChannel(service_url=f"{service_url}{name}/", app_id=APP_ID)
        self.accepted = 0  # messages answered with 2xx, warm-up included

    def activity(self, i: int) -> dict:
        return self.teams.message(USERS[i % len(USERS)], question(i))

    async def post(self, session: aiohttp.ClientSession, i: int) -> tuple[int, float, str]:
        body = json.dumps(self.activity(i)).encode()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": "Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)"}
        start = time.perf_counter()
        try:
            async with session.post(self.url, data=body, headers=headers) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            status, text = 0, repr(error)
        elapsed = (time.perf_counter() - start) * 1000
        self.accepted += status in OK
        return status, elapsed, text


async def run_round(target: Target, clients: int, requests: int, first: int) -> dict:
    """`requests` messages from `clients` concurrent clients, each on its own keep-alive connection."""
    next_index = iter(range(first, first + requests))
    times: list[float] = []
    errors: dict[int, int] = {}
    timeout = aiohttp.ClientTimeout(total=120)

    async def client() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=timeout) as session:
            for i in next_index:
                status, elapsed, _ = await target.post(session, i)
                times.append(elapsed)
                if status not in OK:
                    errors[status] = errors.get(status, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    return {"target": target.name, "clients": clients, "rps": requests / wall, "p50": percentile(times, 50),
            "p99": percentile(times, 99), "errors": errors}


async def warm_up(target: Target, first: int) -> str | None:
    """None, or why the target cannot be measured."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for i in range(first, first + WARM_UP):
            status, _, text = await target.post(session, i)
            if status == 404 and target.name == "bot":
                return (f"snp-bot serve does not serve Teams: POST {target.url} answered 404 (is the Teams adapter "
                        "mounted when SNP_TEAMS_UNAUTHENTICATED=1 and no MICROSOFT_APP_ID is set?)")
            if status not in OK:
                return f"{target.name}: POST {target.url} answered {status} during warm-up: {text[:300]}"
    return None


async def counts(counts_url: str, target: Target) -> dict[str, int]:
    async with aiohttp.ClientSession() as session, session.get(counts_url) as response:
        return (await response.json()).get(target.name, {"sends": 0, "failed": 0, "messages": 0, "answered": 0})


async def drain(counts_url: str, target: Target, timeout: float = 120) -> tuple[dict[str, int], float]:
    """Wait until the target has answered as many messages as it accepted."""
    start = time.monotonic()
    while True:
        tally = await counts(counts_url, target)
        if tally["answered"] >= target.accepted or time.monotonic() - start > timeout:
            return tally, time.monotonic() - start
        await asyncio.sleep(0.05)


def print_table(results: list[dict], levels: list[int]) -> None:
    print(f"\n{'target':<7}{'clients':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'replies':>14}  errors (non-2xx)")
    for r in results:
        errors = ", ".join(f"{n}×{s or 'conn'}" for s, n in sorted(r["errors"].items())) or "0"
        replies = f"{r['answered']}/{r['accepted']}"
        print(f"{r['target']:<7}{r['clients']:>8}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{replies:>14}  {errors}")
    by = {(r["target"], r["clients"]): r for r in results}
    ratios = [(c, by[("bot", c)]["rps"] / by[("bare", c)]["rps"]) for c in levels
              if ("bot", c) in by and ("bare", c) in by]
    if ratios:
        print("\nbot/bare throughput: " + ", ".join(f"{c} clients {ratio:.2f}" for c, ratio in ratios))
        print("bot/bare p99:        " + ", ".join(f"{c} clients {by[('bot', c)]['p99'] / by[('bare', c)]['p99']:.2f}"
                                                   for c, _ in ratios))
    else:
        print("\nbot/bare throughput: n/a (only one target measured)")


async def bench(args: argparse.Namespace, work: Path) -> str | None:
    """Runs the rounds and prints the figures; returns why the bot could not be measured, if so."""
    levels = [int(c) for c in args.clients.split(",")]
    wanted = args.targets.split(",")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SNP_", "MICROSOFT_"))}
    procs: list[asyncio.subprocess.Process] = []
    problem: str | None = None
    try:
        fake_log = work / "fake.log"
        fake = await start(sys.executable, __file__, "--fake-connector", log=fake_log, env=env, cwd=work,
                           stdout_pipe=True)
        procs.append(fake)
        line = await fake.stdout.readline()  # type: ignore[union-attr]
        if not line:
            sys.exit(f"the fake connector did not start:\n{tail(fake_log)}")
        urls = json.loads(line)
        env.update(SNP_TEAMS_UNAUTHENTICATED="1", SNP_DATABASE_URL=f"sqlite+aiosqlite:///{work / 'bench.db'}",
                   HOME=str(work), XDG_DATA_HOME=str(work / "data"), PYTHONUNBUFFERED="1")
        targets: list[Target] = []
        if "bot" in wanted:
            port, log = free_port(), work / "bot.log"
            executable = Path(sys.executable).with_name("snp-bot")
            bot = await start(str(executable), "serve", "--port", str(port), log=log, env=env, cwd=work)
            procs.append(bot)
            problem = await not_ready(f"http://127.0.0.1:{port}/readyz", bot, log, "snp-bot serve")
            if problem is None:
                targets.append(Target("bot", f"http://127.0.0.1:{port}/api/messages", urls["service_url"]))
        if "bare" in wanted:
            port, log = free_port(), work / "bare.log"
            bare = await start(sys.executable, __file__, "--bare-server", str(port), log=log, env=env, cwd=work)
            procs.append(bare)
            # The bare bot serves POST only: any answer to a GET means it listens.
            failed = await not_ready(f"http://127.0.0.1:{port}/api/messages", bare, log, "bare botbuilder bot",
                                     ready=lambda status: True)
            if failed:
                sys.exit(failed)
            targets.append(Target("bare", f"http://127.0.0.1:{port}/api/messages", urls["service_url"]))

        index = 0
        for target in list(targets):
            failed = await warm_up(target, index)
            index += WARM_UP
            if failed and target.name == "bot":
                problem = failed
                targets.remove(target)
                print(f"{failed}\n(measuring the bare bot only)", file=sys.stderr, flush=True)
                continue
            if failed:
                sys.exit(failed)
            await drain(urls["counts"], target)
        mean = sum(len(question(i)) for i in range(100)) // 100
        print(f"{args.requests} personal-chat messages per round; questions of ~{mean} characters; "
              f"{os.cpu_count()} CPUs shared by all four processes", flush=True)
        results = []
        for clients in levels:
            for target in targets:
                before = await counts(urls["counts"], target)
                accepted_before = target.accepted
                result = await run_round(target, clients, args.requests, index)
                index += args.requests
                tally, seconds = await drain(urls["counts"], target)
                result["accepted"] = target.accepted - accepted_before
                result["answered"] = tally["answered"] - before["answered"]
                results.append(result)
                late = f", the last {seconds:.1f} s after the round" if seconds > 0.2 else ""
                print(f"  {target.name} at {clients} clients: {result['rps']:.0f} req/s; messages answered "
                      f"{result['answered']}/{result['accepted']} ({tally['sends'] - before['sends']} activities "
                      f"sent, {tally['failed'] - before['failed']} refused by the connector{late})", flush=True)
        print_table(results, levels)
        for target in targets:
            tally = await counts(urls["counts"], target)
            print(f"{target.name}: {tally['answered']} of {target.accepted} accepted messages answered in all "
                  f"(warm-up included); {tally['sends']} activities sent")
    finally:
        for process in reversed(procs):
            await stop(process)
    return problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per target and concurrency (default 300)")
    parser.add_argument("--clients", default="1,16,64", help="concurrency levels (default 1,16,64)")
    parser.add_argument("--targets", default="bot,bare", help="bot, bare, or both (default bot,bare)")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--fake-connector", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        return bare_server(args.bare_server)
    if args.fake_connector:
        return fake_connector_server()
    with tempfile.TemporaryDirectory(prefix="teams-bench-") as work:
        problem = asyncio.run(bench(args, Path(work)))
    if problem:
        sys.exit(problem)


if __name__ == "__main__":
    main()
