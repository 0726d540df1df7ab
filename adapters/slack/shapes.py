"""What the bot's Slack listeners read of each request, checked before any of them runs.

A request Slack signed but shaped otherwise (a field missing, a list where an object belongs, a
number where text belongs) used to fail inside a listener: before its acknowledgement that was a
500 after bolt's three seconds, after it silence. Checked here, it is a 400 at once, with a short
JSON error naming the field (never its value: a draft or a report may be in it). Kinds of request
the bot does not listen for pass untouched, and bolt answers them as unhandled.

This is a bolt middleware, so requests over Socket Mode are checked too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt.response import BoltResponse

#: Message subtypes that are a person writing (a plain message, or one with a file).
HUMAN_SUBTYPES = {None, "file_share"}


class _Shape(BaseModel):
    """Only the fields the listeners read; Slack's others are ignored."""

    model_config = ConfigDict(extra="ignore")


class _User(_Shape):
    id: str


class _Action(_Shape):
    action_id: str
    value: str | None = None


class _Channel(_Shape):
    id: str | None = None


class _Container(_Shape):
    channel_id: str | None = None
    message_ts: str | None = None


class _Posted(_Shape):
    ts: str | None = None


class BlockActions(_Shape):
    user: _User
    actions: list[_Action] = Field(min_length=1)
    trigger_id: str | None = None
    channel: _Channel | None = None
    container: _Container | None = None
    message: _Posted | None = None


class _Input(_Shape):
    type: str | None = None
    value: str | None = None
    selected_user: str | None = None
    selected_date: str | None = None


class _State(_Shape):
    values: dict[str, dict[str, _Input]]


class _View(_Shape):
    id: str
    callback_id: str
    state: _State


class ViewSubmission(_Shape):
    user: _User
    view: _View


class SlashCommand(_Shape):
    command: str
    user_id: str
    trigger_id: str
    response_url: str
    text: str = ""


class _Event(_Shape):
    type: str
    subtype: str | None = None
    channel_type: str | None = None
    bot_id: str | None = None


class _File(_Shape):
    mimetype: str | None = None


class PersonWriting(_Event):
    """A message event a person wrote in their DM with the bot: what the DM listener answers."""

    channel: str
    user: str
    text: str | None = None
    files: list[_File] | None = None


class EventCallback(_Shape):
    event_id: str
    event: _Event


INTERACTIONS: dict[str, type[_Shape]] = {"block_actions": BlockActions, "view_submission": ViewSubmission}


def problem(body: Any) -> str | None:
    """What is wrong with the shape of a request the bot listens for, or None."""
    if not isinstance(body, dict):
        return "the request is not a JSON object"
    if "command" in body:
        return _check(SlashCommand, body, "slash command")
    kind = body.get("type")
    if not isinstance(kind, str):
        return "the request has no type"
    if kind == "event_callback":
        return _check(EventCallback, body, "event") or _check_message(body["event"])
    if kind in INTERACTIONS:
        return _check(INTERACTIONS[kind], body, kind)
    return None


def _check_message(event: dict) -> str | None:
    if (event.get("type") == "message" and event.get("channel_type") == "im" and not event.get("bot_id")
            and event.get("subtype") in HUMAN_SUBTYPES):
        return _check(PersonWriting, event, "message event")
    return None


def _check(model: type[_Shape], data: dict, what: str) -> str | None:
    try:
        model.model_validate(data)
    except ValidationError as invalid:
        error = invalid.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "the request"
        return f"malformed {what}: {where}: {error['msg'][:1].lower()}{error['msg'][1:]}"
    return None


def malformed(error: str) -> BoltResponse:
    return BoltResponse(status=400, body={"error": error})


async def check_shape(body: dict, next: Callable[[], Awaitable[None]]) -> BoltResponse | None:  # noqa: A002
    """bolt middleware (bolt passes `next` by that name): a malformed request goes no further than a 400."""
    if error := problem(body):
        return malformed(error)
    await next()
    return None
