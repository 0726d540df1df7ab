"""The fault scenarios: each starts real `snp-bot serve` processes against the stand-ins (reset
first) and a database of its own, does what a crash, an outage or a hang does, and measures what
the people involved would see. Each returns `Row`s for the table benchmarks/faults.py prints and for the assertions
in test_faults.py.

1. `kill_during_stream`: `kill -9` while reports arrive every 5 ms; restart; wait for the outbox.
2. `postgres_restart`: PostgreSQL gone (or frozen) for 8 s, by the proxy, while reports and DMs arrive.
3. `slack_outage`: every Web API method answers 503 for a while, then Slack is back.
4. `hung_call`: one recipient's chat.postMessage is never answered.
5. `teams_double_submit`: a Teams report card submitted twice (two activity ids, one form).
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import statistics
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.faults.harness import (
    POSTGRES_URL,
    QUESTION,
    REFERENCE,
    Outcome,
    Server,
    Staff,
    Store,
    base_env,
    open_forms,
    outbox_key,
    outbox_settled,
    posted,
    report_values,
    send_dm,
    server_env,
    shows,
    submit_report,
    until,
)
from tests.faults.proxy import PostgresProxy
from tests.faults.standins import StandIns
from tests.fakes.botframework import TeamsChannel, post_activity

#: Slack gives an app 3 seconds to answer and then shows the user an error; the suite waits
#: longer, to see what the server would have said (`Outcome.in_time` tells the two apart).
SLACK_TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass
class Row:
    scenario: str
    database: str
    attempts: str
    expected: str
    observed: str
    #: The user-visible figures, by name: what test_faults.py asserts on.
    figures: dict[str, Any] = field(default_factory=dict)


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=SLACK_TIMEOUT, connector=aiohttp.TCPConnector(limit=0))


@dataclass
class Reports:
    """Report submissions of one scenario, by Slack user: the answers each got."""

    outcomes: dict[str, list[Outcome]] = field(default_factory=lambda: collections.defaultdict(list))

    def copy(self) -> Reports:
        return Reports(collections.defaultdict(list, {user: list(o) for user, o in self.outcomes.items()}))

    @property
    def attempts(self) -> int:
        return sum(len(o) for o in self.outcomes.values())

    def acknowledged(self) -> dict[str, Outcome]:
        """Each user whose report was acknowledged, with the (first) acknowledgement."""
        return {user: next(o for o in outcomes if o.acknowledged)
                for user, outcomes in self.outcomes.items() if any(o.acknowledged for o in outcomes)}


async def check_reports(reports: Reports, store: Store, stand_ins: StandIns, since: int,
                        email_of: dict[str, str]) -> dict[str, int]:
    """Acknowledged reports against the tickets table and the reporters' DMs."""
    acknowledged = reports.acknowledged()
    tickets = collections.defaultdict(list)
    for row in await store.tickets():
        tickets[row["reporter_email"]].append(row["reference"])
    dms = await posted(stand_ins, since)
    found = told = wrong_reference = 0
    refused_but_opened = sum(bool(tickets.get(email_of[user])) for user in reports.outcomes if user not in acknowledged)
    for user, outcome in acknowledged.items():
        references = tickets.get(email_of[user], [])
        found += bool(references)
        wrong_reference += bool(outcome.reference) and outcome.reference not in references
        told += any(shows(call, reference) for call in dms.get("D" + user, []) for reference in references)
    return {"acknowledged": len(acknowledged), "in_time": sum(o.in_time for o in acknowledged.values()),
            "found": found, "lost": len(acknowledged) - found, "told": told,
            "twice": sum(len(refs) > 1 for refs in tickets.values()), "wrong_reference": wrong_reference,
            "tickets": sum(len(refs) for refs in tickets.values()), "refused_but_opened": refused_but_opened}


# -- 1. kill -9 during a stream -----------------------------------------------------------------

async def kill_during_stream(kind: str, stand_ins: StandIns, work: Path, *, trials: int,
                             kill_after: tuple[float, float], interval: float = 0.005, settle: float = 60) -> Row:
    """`kill -9` of `snp-bot serve` at a random moment in `kill_after` seconds into a stream of
    report submissions every `interval` seconds; the server is started again, every reporter who
    had no acknowledgement submits the same dialog again (as a person shown an error would), and
    the outbox is given `settle` seconds. Every trial has a fresh copy of one database.

    The figures: acknowledged before the kill against the tickets table and the reporters' DMs;
    then, after the second submissions, reporters still without a ticket and with two."""
    most = int(kill_after[1] / interval) + 50
    staff = Staff(reporters=most)
    env = base_env(work)
    template = await Store.create(kind, work, staff, env)
    email_of = dict(staff.reporter(i) for i in range(most))
    users = list(email_of)
    totals: collections.Counter[str] = collections.Counter()
    rng = random.Random(10)
    try:
        for trial in range(trials):
            await stand_ins.reset()
            store = await template.copy(work)
            server = Server(f"kill-{kind}-{trial}", server_env(env, stand_ins, store.url), work)
            try:
                await server.start()
                async with _session() as session:
                    forms = await open_forms(session, server, stand_ins, users, f"k{trial}")
                    await asyncio.sleep(2.0)  # the dialogs were opened a while before, not in the same second
                    since = await stand_ins.slack_mark()
                    reports = await _stream_until_killed(session, server, forms, users, interval,
                                                         rng.uniform(*kill_after), f"k{trial}")
                    await server.start()
                    before_kill = reports.copy()
                    await _submit_again(session, server, forms, users, reports, f"k{trial}")
                await outbox_settled(store, settle)
                figures = await check_reports(before_kill, store, stand_ins, since, email_of)
                figures.pop("refused_but_opened")  # the second submissions opened tickets too
                after = await check_reports(reports, store, stand_ins, since, email_of)
                totals.update(figures, submitted=before_kill.attempts, reporters=len(reports.outcomes),
                              resubmitted=reports.attempts - before_kill.attempts,
                              never_acknowledged=len(reports.outcomes) - after["acknowledged"],
                              without_ticket=len(reports.outcomes) - after["found"],
                              untold_in_the_end=after["acknowledged"] - after["told"])
            finally:
                await server.stop()
                await store.drop()
    finally:
        await template.drop()
    return Row(f"kill -9 during reports every {interval * 1000:g} ms", kind,
               f"{trials} trials, {totals['submitted']} submitted, {totals['acknowledged']} acknowledged "
               f"({totals['in_time']} in Slack's 3 s)",
               "0 acknowledged lost; every reporter told; after submitting again, one ticket each",
               f"{totals['lost']} of {totals['acknowledged']} acknowledged lost, {totals['told']} told; "
               f"after {totals['resubmitted']} second submissions: {totals['without_ticket']} of "
               f"{totals['reporters']} reporters without a ticket, {totals['twice']} with two, "
               f"{totals['untold_in_the_end']} untold", dict(totals))


async def _stream_until_killed(session: aiohttp.ClientSession, server: Server, forms: dict[str, str],
                               users: list[str], interval: float, kill_at: float, tag: str) -> Reports:
    reports = Reports()
    tasks = []
    start = time.monotonic()

    async def one(i: int, user: str) -> None:
        reports.outcomes[user].append(await submit_report(session, server, user, forms[user],
                                                          report_values(i, tag), f"V{tag}{i}"))

    for i, user in enumerate(users):
        now = time.monotonic() - start
        if now >= kill_at:
            break
        tasks.append(asyncio.create_task(one(i, user)))
        await asyncio.sleep(max(0.0, start + (i + 1) * interval - time.monotonic()))
    server.kill9()
    await asyncio.gather(*tasks)
    return reports


async def _submit_again(session: aiohttp.ClientSession, server: Server, forms: dict[str, str], users: list[str],
                        reports: Reports, tag: str) -> None:
    """Each reporter without an acknowledgement sends the same dialog again, a few at a time."""
    limit = asyncio.Semaphore(4)

    async def again(i: int, user: str) -> None:
        async with limit:
            reports.outcomes[user].append(await submit_report(session, server, user, forms[user],
                                                              report_values(i, tag), f"V{tag}{i}"))

    acknowledged = reports.acknowledged()
    await asyncio.gather(*(again(i, user) for i, user in enumerate(users)
                           if user in reports.outcomes and user not in acknowledged))


# -- 2. PostgreSQL restarted --------------------------------------------------------------------

async def postgres_restart(stand_ins: StandIns, work: Path, *, outage: float = 8.0, before: float = 3.0,
                           after: float = 4.0, report_every: float = 0.1, dm_every: float = 0.25,
                           settle: float = 120, freeze: bool = False) -> Row:
    """PostgreSQL "restarts" (the proxy drops every connection and refuses new ones for
    `outage` seconds), or with `freeze` stalls (nothing forwarded), while reports and DMs arrive,
    at a pace the server keeps up with when the database is there (the kill scenario is the one
    that floods it). A reporter whose submission is refused tries again 3 s later, with the same
    dialog (the same form token), as a person would."""
    await stand_ins.reset()
    duration = before + outage + after
    staff = Staff(reporters=int(duration / report_every) + 10, askers=int(duration / dm_every) + 10)
    env = base_env(work)
    store = await Store.create("postgresql", work, staff, env)
    email_of = dict(staff.reporter(i) for i in range(staff.reporters))
    port = int(POSTGRES_URL.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[-1] or 5432)
    async with PostgresProxy(port) as proxy:
        settings = server_env(env, stand_ins, store.through(proxy.url_host))
        server = Server("pg-freeze" if freeze else "pg-restart", settings, work)
        try:
            await server.start()
            async with _session() as session:
                forms = await open_forms(session, server, stand_ins, list(email_of), "pg")
                since = await stand_ins.slack_mark()
                probes: list[tuple[int, float]] = []
                fault = _probing(session, server, _frozen(proxy, outage) if freeze else proxy.restart(outage), probes)
                reports, dms, back = await _stream_through_restart(session, server, fault, forms, staff, duration,
                                                                   before, report_every, dm_every)
            settled = await outbox_settled(store, settle)

            async def all_answered() -> bool:
                channels = await posted(stand_ins, since)
                return all(("D" + user) in channels for user, status in dms.items() if status == 200)

            await until(all_answered, settle)
            figures = await check_reports(reports, store, stand_ins, since, email_of)
            channels = await posted(stand_ins, since)
        finally:
            await server.stop()
            await store.drop()
    acked_dms = [user for user, status in dms.items() if status == 200]
    answered = sum(("D" + user) in channels for user in acked_dms)
    figures.update(submitted=reports.attempts, dms=len(dms), dms_acknowledged=len(acked_dms), dms_answered=answered,
                   reconnects=proxy.accepted, outbox_empty_after=round(settled - back, 1) if settled else None,
                   readyz_probes=len(probes), readyz_unready=sum(status != 200 for status, _ in probes),
                   readyz_slowest=round(max((seconds for _, seconds in probes), default=0.0), 2))
    return Row(f"PostgreSQL {'frozen' if freeze else 'restarted'} for {outage:g} s", "postgresql",
               f"{len(reports.outcomes)} reports ({reports.attempts} submissions), {len(dms)} DMs",
               "0 acknowledged lost; every acknowledged DM answered",
               f"{figures['lost']} of {figures['acknowledged']} acknowledged lost, {figures['told']} told, "
               f"{figures['twice']} opened twice; {len(acked_dms) - answered} of {len(acked_dms)} acknowledged DMs "
               f"never answered; outbox empty {_seconds(figures['outbox_empty_after'])} after; /readyz meanwhile "
               f"{figures['readyz_unready']} of {figures['readyz_probes']} not 200, slowest answer "
               f"{figures['readyz_slowest']:g} s", figures)


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:g} s"


async def _probing(session: aiohttp.ClientSession, server: Server, fault: Awaitable[None],
                   probes: list[tuple[int, float]], every: float = 0.5) -> None:
    """The fault, with `/readyz` asked every `every` seconds while it lasts, as a load balancer
    does: each probe's status and how long its answer took (status 0: no answer in 30 s)."""
    async def probe() -> None:
        started = time.monotonic()
        try:
            async with session.get(server.url + "/readyz", timeout=aiohttp.ClientTimeout(total=30)) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        probes.append((status, time.monotonic() - started))

    task = asyncio.ensure_future(fault)
    while not task.done():
        await asyncio.gather(probe(), asyncio.wait({task}, timeout=every))
    await task


async def _frozen(proxy: PostgresProxy, seconds: float) -> None:
    proxy.freeze()
    await asyncio.sleep(seconds)
    proxy.thaw()


async def _stream_through_restart(session: aiohttp.ClientSession, server: Server, fault: Awaitable[None],
                                  forms: dict[str, str], staff: Staff, duration: float, before: float,
                                  report_every: float, dm_every: float) -> tuple[Reports, dict[str, int], float]:
    """The stream, and when the database was back (time.monotonic())."""
    reports = Reports()
    dms: dict[str, int] = {}
    end = time.monotonic() + duration
    give_up = end + 20

    async def reporter(i: int) -> None:
        user = staff.reporter(i)[0]
        while time.monotonic() < give_up:
            outcome = await submit_report(session, server, user, forms[user], report_values(i, "pg"), f"Vpg{i}")
            reports.outcomes[user].append(outcome)
            if outcome.acknowledged:
                return
            await asyncio.sleep(3.0)  # reads the error, clicks Submit again

    async def asker(i: int) -> None:
        dms[staff.asker(i)] = await send_dm(session, server, staff.asker(i))

    async def every(seconds: float, count: int, job) -> None:  # noqa: ANN001
        start = time.monotonic()
        tasks = []
        for i in range(count):
            tasks.append(asyncio.create_task(job(i)))
            await asyncio.sleep(max(0.0, start + (i + 1) * seconds - time.monotonic()))
        await asyncio.gather(*tasks)

    async def restart_later() -> float:
        await asyncio.sleep(before)
        await fault
        return time.monotonic()

    _, _, back = await asyncio.gather(every(report_every, int(duration / report_every), reporter),
                                      every(dm_every, int(duration / dm_every), asker), restart_later())
    return reports, dms, back


# -- 3. Slack down, then back -------------------------------------------------------------------

async def slack_outage(kind: str, stand_ins: StandIns, work: Path, *, outage: float, reports_: int = 30,
                       settle: float = 420) -> Row:
    """Every Web API method answers 503 for `outage` seconds while reports are made (their dialogs
    were opened before, on the first server). Two servers share the outbox on PostgreSQL (one on
    SQLite), each with Slack, Teams (the connector stand-in) and the webhook channel; the second
    has served nothing before the outage, as a replica started during it. Reporters and some line
    managers are on Slack, other line managers on Teams only, People Services on neither."""
    await stand_ins.reset()
    staff = Staff(reporters=reports_, slack_managers=3, teams_managers=2)
    env = base_env(work)
    store = await Store.create(kind, work, staff, env)
    email_of = dict(staff.reporter(i) for i in range(reports_))
    settings = server_env(env, stand_ins, store.url, teams=True, webhook=True)
    servers = [Server(f"outage-{kind}-{n}", settings, work) for n in range(2 if kind == "postgresql" else 1)]
    try:
        await asyncio.gather(*(server.start() for server in servers))
        teams = TeamsChannel(service_url=stand_ins.urls["teams_service_url"], app_id="")
        mark = len(await stand_ins.teams_calls())
        for m in range(staff.teams_managers):  # they have talked to the bot: a way back to them is stored
            await post_activity(servers[0].url, teams.message(staff.teams_manager(m), QUESTION))

        async def greeted() -> bool:
            return len(_texts(await stand_ins.teams_calls(mark))) >= staff.teams_managers
        await until(greeted, 30)
        marks = {"teams": len(await stand_ins.teams_calls()), "hook": len(await stand_ins.hook_calls())}
        async with _session() as session:
            forms = await open_forms(session, servers[0], stand_ins, list(email_of), "out")
            since = await stand_ins.slack_mark()
            await stand_ins.slack("outage", status=503)
            outage_started = time.monotonic()
            reports = Reports()
            for i, user in enumerate(email_of):  # spread over the first quarter of the outage
                values = report_values(i, "out")
                if i % 5 == 4:  # some are about the reporter's own line manager: People Services handle them
                    values["who"]["who"]["value"] = "my manager"
                server = servers[i % len(servers)]
                reports.outcomes[user].append(await submit_report(session, server, user, forms[user], values,
                                                                  f"Vout{i}"))
                await asyncio.sleep(outage / 4 / reports_)
            await asyncio.sleep(max(0.0, outage - (time.monotonic() - outage_started)))
            await stand_ins.slack("restore")
            restored = time.monotonic()
        settled = await outbox_settled(store, settle)
        figures = await check_reports(reports, store, stand_ins, since, email_of)
        figures.update(await _deliveries(store, stand_ins, since, marks),
                       outbox_empty_after=round(settled - restored, 1) if settled else None)
    finally:
        await asyncio.gather(*(server.stop() for server in servers))
        await store.drop()
    return Row(f"Slack Web API down {outage / 60:g} min, then back", kind,
               f"{reports.attempts} reports, {figures['rows']} notifications, {len(servers)} server(s)",
               "every notification delivered, none twice; every reporter told",
               f"{figures['rows'] - figures['sent']} of {figures['rows']} undelivered ({figures['gave_up']} given up, "
               f"{figures['sent_not_seen']} marked sent and not seen), outbox empty "
               f"{_seconds(figures['outbox_empty_after'])} after; "
               f"twice: slack {figures['slack_twice']}, teams {figures['teams_twice']}, "
               f"webhook {figures['hook_twice']}; {figures['told']} of {figures['acknowledged']} reporters told; "
               f"{figures['lost']} acknowledged lost", figures)


async def _deliveries(store: Store, stand_ins: StandIns, since: int, marks: dict[str, int]) -> dict[str, int]:
    """The outbox's rows against what each platform shows: how many were delivered, and twice."""
    rows = await store.notifications()
    slack_keys = collections.Counter(key for calls in (await posted(stand_ins, since)).values()
                                     for call in calls if (key := outbox_key(call)))
    teams_cards = collections.Counter(
        (call["conversation_id"], json.dumps(call["body"].get("attachments"), sort_keys=True))
        for call in await stand_ins.teams_calls(marks["teams"])
        if call["kind"] == "send" and 200 <= call["status"] < 300 and isinstance(call["body"], dict)
        and call["body"].get("attachments"))
    hook_keys = collections.Counter(call["key"] for call in await stand_ins.hook_calls(marks["hook"]))
    seen = {"slack": slack_keys, "webhook": hook_keys}
    sent = [row for row in rows if row["status"] == "sent"]
    return {"rows": len(rows), "sent": len(sent),
            "sent_not_seen": sum(row["channel"] in seen and row["key"] not in seen[row["channel"]] for row in sent),
            "gave_up": sum(row["status"] in ("failed", "dead") for row in rows),
            "by_channel": dict(collections.Counter(row["channel"] for row in rows if row["status"] == "sent")),
            "slack_twice": sum(n > 1 for n in slack_keys.values()),
            "teams_twice": sum(n > 1 for n in teams_cards.values()),
            "hook_twice": sum(n > 1 for n in hook_keys.values()),
            "teams_sent": sum(teams_cards.values()), "hook_sent": sum(hook_keys.values())}


# -- 4. one hung call ---------------------------------------------------------------------------

async def hung_call(stand_ins: StandIns, work: Path, *, timeout: float = 20.0, others: int = 18,
                    hold_until_given_up: bool = True) -> Row:
    """One line manager's chat.postMessage is never answered (it lands, as when Slack posted it
    and the answer was lost); reports for other line managers arrive after it. Prints how long
    each of the others waited for their DM, against the delivery timeout. With
    `hold_until_given_up` the call is held until the server gives up on it; otherwise Slack drops
    it as soon as the others are delivered."""
    await stand_ins.reset()
    staff = Staff(reporters=others + 2, slack_managers=others + 1)
    env = base_env(work)
    store = await Store.create("sqlite", work, staff, env)
    hung_manager = staff.slack_manager(0)[0]
    server = Server("hang", server_env(env, stand_ins, store.url, SNP_DELIVERY_TIMEOUT_SECONDS=f"{timeout:g}"), work)
    try:
        await server.start()
        async with _session() as session:
            users = [staff.reporter(0)[0]] + [staff.reporter(i)[0] for i in range(1, others + 1)]
            forms = await open_forms(session, server, stand_ins, users, "hang")
            since = await stand_ins.slack_mark()
            await stand_ins.slack("hang", methods=["chat.postMessage"], channel="D" + hung_manager, landed=True)
            reports = Reports()
            for i, user in enumerate(users):
                reports.outcomes[user].append(await submit_report(session, server, user, forms[user],
                                                                  report_values(i, "hang"), f"Vhang{i}"))
                await asyncio.sleep(0.05)
            acknowledged = reports.acknowledged()
            others_ = {"D" + staff.slack_manager(i)[0]: acknowledged.get(staff.reporter(i)[0])
                       for i in range(1, others + 1)}
            held_while_others_delivered = False

            async def others_delivered() -> bool:
                nonlocal held_while_others_delivered
                held = await stand_ins.slack_held()
                channels = await posted(stand_ins, since)
                done = all(channel in channels for channel in others_)
                held_while_others_delivered = done and held > 0
                return done

            await until(others_delivered, timeout + 30, interval=0.2)
            if hold_until_given_up:
                async def given_up() -> bool:
                    return await stand_ins.slack_held() == 0
                await until(given_up, timeout + 30, interval=0.2)
            await stand_ins.slack("restore")
            await outbox_settled(store, 120)
            channels = await posted(stand_ins, since)
    finally:
        await stand_ins.slack("restore")
        await server.stop()
        await store.drop()
    hung_posts = len(channels.get("D" + hung_manager, []))
    delays = sorted(channels[channel][0]["at"] - outcome.at for channel, outcome in others_.items()
                    if outcome and channel in channels)
    figures = {"others": others, "delivered": len(delays), "within_timeout": sum(d <= timeout for d in delays),
               "held_while_others_delivered": held_while_others_delivered,
               "max_delay": max(delays, default=float("nan")),
               "median_delay": statistics.median(delays) if delays else float("nan"), "hung_posts": hung_posts,
               "timeout": timeout}
    return Row(f"one hung chat.postMessage (timeout {timeout:g} s)", "sqlite",
               f"1 hung + {others} other line managers",
               f"others delayed < {timeout:g} s, while it hangs; the hung one posted once",
               f"{figures['within_timeout']} of {others} others within {timeout:g} s "
               f"({'all while it hung' if held_while_others_delivered else 'not all while it hung'}), "
               f"delay median {figures['median_delay']:.2f} s, max {figures['max_delay']:.2f} s; "
               f"hung one posted {hung_posts} time(s)", figures)


# -- 5. Teams: one form submitted twice ---------------------------------------------------------

async def teams_double_submit(stand_ins: StandIns, work: Path, *, reporters: int = 5) -> Row:
    """Each Teams reporter asks for the report card and submits it twice at once (a double click:
    two activities with their own ids, the same card)."""
    await stand_ins.reset()
    staff = Staff(reporters=0, slack_managers=0, teams_managers=reporters)
    env = base_env(work)
    store = await Store.create("sqlite", work, staff, env)
    server = Server("teams", server_env(env, stand_ins, store.url, teams=True), work)
    teams = TeamsChannel(service_url=stand_ins.urls["teams_service_url"], app_id="")
    replies: dict[str, list[str]] = {}
    try:
        await server.start()
        async with aiohttp.ClientSession() as session:
            for m in range(reporters):
                user = staff.teams_manager(m)
                mark = len(await stand_ins.teams_calls())
                await post_activity(server.url, teams.message(user, "report"), session=session)
                data = await _report_action(stand_ins, mark)
                value = {**data, "who": "", "where": "Teams chat", "when": "2026-01-15", "evidence": "",
                         "what": f"A colleague shared a patient's photo in a group chat (Teams case {m})"}
                mark = len(await stand_ins.teams_calls())
                await asyncio.gather(*(post_activity(server.url, teams.submit(user, value), session=session)
                                       for _ in range(2)))

                async def answered(mark: int = mark) -> bool:
                    return any(REFERENCE.search(text) for text in _texts(await stand_ins.teams_calls(mark)))
                await until(answered, 20, interval=0.2)
                await asyncio.sleep(1.0)  # a second answer, if there is one, is in by now
                replies[user.email] = [found.group(0) for text in _texts(await stand_ins.teams_calls(mark))
                                       if (found := REFERENCE.search(text))]
        tickets = collections.Counter(row["reporter_email"] for row in await store.tickets())
    finally:
        await server.stop()
        await store.drop()
    opened = sum(tickets.values())
    figures = {"reporters": reporters, "tickets": opened, "twice": sum(n > 1 for n in tickets.values()),
               "told": sum(bool(refs) for refs in replies.values()),
               "told_two_references": sum(len(set(refs)) > 1 for refs in replies.values())}
    return Row("Teams report card submitted twice", "sqlite", f"{reporters} cards, {2 * reporters} submissions",
               f"{reporters} tickets; each reporter told one reference",
               f"{opened} tickets ({figures['twice']} reporters with two); {figures['told']} of {reporters} told a "
               f"reference, {figures['told_two_references']} told two", figures)


async def _report_action(stand_ins: StandIns, mark: int) -> dict[str, Any]:
    """The data of the report card's submit action, from the card the bot sent."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and (node.get("data") or {}).get("snp") == "report":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    async def sent() -> bool:
        walk([call["body"] for call in await stand_ins.teams_calls(mark) if call["kind"] == "send"])
        return bool(found)

    if not await until(sent, 20, interval=0.2):
        raise RuntimeError("the bot never sent the report card")
    return found[0]


def _texts(calls: list[dict[str, Any]]) -> list[str]:
    """The text of each message the bot sent (its cards' JSON included)."""
    return [json.dumps(call["body"], ensure_ascii=False) for call in calls
            if call["kind"] == "send" and isinstance(call["body"], dict) and call["body"].get("type") == "message"]

