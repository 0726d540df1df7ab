"""Questions and drafts on Slack: DMs, `/snp-check` (with text, or a modal), and the button that
offers the other reading of a message. Each listener takes what the reply needs from the request
and leaves the reply to the backlog (backlog.py), so bolt's request is not kept while it waits."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.slack.blocks import check_modal, fallback_text, reply_blocks
from adapters.slack.context import SlackContext, log
from adapters.slack.shapes import HUMAN_SUBTYPES
from bot.conversation import Reply
from bot.conversation.events import first_sighting


def register(app: AsyncApp, ctx: SlackContext) -> None:
    @app.event("message")
    async def direct_message(event: dict, body: dict) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype") not in HUMAN_SUBTYPES:
            return
        files = tuple(f.get("mimetype") or "file" for f in event.get("files") or ())
        ctx.backlog.put(_answer_dm, ctx, body.get("event_id") or "", event.get("user", ""), event["channel"],
                        event.get("text") or "", files)

    @app.command("/snp-check")
    async def snp_check(ack: AsyncAck, command: dict) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            await ack()
            await ctx.client.views_open(trigger_id=command["trigger_id"], view=check_modal())
            return
        await ack()
        ctx.backlog.put(_check_command, ctx, text, command.get("user_id", ""), command["response_url"])

    @app.view("snp_check")
    async def check_submitted(ack: AsyncAck, body: dict, view: dict) -> None:
        await ack()
        draft = ((view["state"]["values"].get("draft") or {}).get("draft") or {}).get("value") or ""
        ctx.backlog.put(_check_draft, ctx, draft, body["user"]["id"])

    @app.action("snp_offer_ask")
    @app.action("snp_offer_check")
    async def other_reading(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        prefix = "ask: " if action["action_id"] == "snp_offer_ask" else "check: "
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        ctx.backlog.put(_read_otherwise, ctx, prefix, action.get("value") or "", body["user"]["id"], channel)


async def _answer_dm(ctx: SlackContext, event_id: str, user: str, channel: str, text: str,
                     files: tuple[str, ...]) -> None:
    if event_id and not await first_sighting(ctx.core.db, "slack", event_id, ctx.core.clock.now()):
        return  # Slack's retry of an event already handled
    reply = await ctx.converse(text, await ctx.people.active(user) or user, files)
    await _post(ctx, channel, reply, text)
    log.info("slack_dm_answered", kind=reply.kind)


async def _check_command(ctx: SlackContext, text: str, user: str, response_url: str) -> None:
    reply = await ctx.converse("check: " + text, user)
    await ctx.respond(response_url, response_type="ephemeral", text=fallback_text(reply.text),
                      blocks=_blocks(ctx, reply, text))


async def _check_draft(ctx: SlackContext, draft: str, user: str) -> None:
    reply = await ctx.converse("check: " + draft, user)
    await ctx.dm(user, fallback_text(reply.text), _blocks(ctx, reply, draft))


async def _read_otherwise(ctx: SlackContext, prefix: str, text: str, user: str, channel: str | None) -> None:
    reply = await ctx.converse(prefix + text, user)
    await _post(ctx, channel, reply, text)


def _blocks(ctx: SlackContext, reply: Reply, original: str) -> list[dict]:
    settings = ctx.core.settings
    return reply_blocks(reply, ctx.core.policy.meta, settings.snp_policy_url or None, ctx.offer_text(reply),
                        original=original, messages=ctx.core.policy.messages, lexicon=ctx.core.reviewer.lexicon)


async def _post(ctx: SlackContext, channel: str | None, reply: Reply, original: str) -> None:
    await ctx.client.chat_postMessage(channel=channel, text=fallback_text(reply.text),
                                      blocks=_blocks(ctx, reply, original), unfurl_links=False, unfurl_media=False)
