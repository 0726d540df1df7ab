"""Work after Slack's acknowledgement: while DMs and clicks wait their turn, nothing of bolt's
request is kept; every one is answered once its turn comes, and still when the server stops."""

from __future__ import annotations

import asyncio
import gc

from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import SLACK_CLIENTS
from adapters.slack.context import SlackContext
from tests.adapters.slack.conftest import EVE, MO, SAM, Workspace
from tests.fakes.slack import dm_message, event_body

QUESTION = "Can I post photos from the Christmas party?"


def bolt_requests() -> int:
    gc.collect()
    return sum(isinstance(o, AsyncBoltRequest) for o in gc.get_objects())


def hold_turns(workspace: Workspace, monkeypatch) -> asyncio.Event:
    """Conversation turns wait until the returned event is set, as when the workers are busy."""
    release, handle = asyncio.Event(), workspace.core.turns.handle

    async def held(message):  # noqa: ANN001, ANN202
        await release.wait()
        return await handle(message)

    monkeypatch.setattr(workspace.core.turns, "handle", held)
    return release


def context(workspace: Workspace) -> SlackContext:
    return workspace.client.app[SLACK_CLIENTS][0]


async def test_dms_waiting_for_their_turn_keep_no_bolt_request(workspace: Workspace, monkeypatch):
    release = hold_turns(workspace, monkeypatch)
    users = [SAM, MO, EVE]
    for n in range(12):
        status, _ = await workspace.event(event_body(dm_message(users[n % 3], f"{QUESTION} ({n})"), event_id=f"EvB{n}"))
        assert status == 200
    ctx = context(workspace)
    await workspace.until(lambda: len(ctx.backlog) == 12 - ctx.backlog.workers, "the DMs queued")

    assert bolt_requests() == 0
    release.set()
    await workspace.until(lambda: sum(len(workspace.posted_to("D" + u)) for u in users) == 12, "every answer")
    assert all("5.1.4" in str(params["blocks"]) for u in users for params in workspace.posted_to("D" + u))


async def test_a_dm_acknowledged_as_the_server_stops_is_still_answered(workspace: Workspace, monkeypatch):
    release = hold_turns(workspace, monkeypatch)
    for n in range(3):
        await workspace.event(event_body(dm_message(SAM, f"{QUESTION} ({n})"), event_id=f"EvS{n}"))
    ctx = context(workspace)
    await workspace.until(lambda: ctx.backlog.busy == 3, "the DMs taken up")

    stopping = asyncio.ensure_future(workspace.client.close())
    await workspace.until(lambda: ctx.backlog.closing, "the server stopping")
    release.set()
    await stopping
    assert len(workspace.posted_to("D" + SAM)) == 3
