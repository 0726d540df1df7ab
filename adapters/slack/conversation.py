"""Questions and drafts on Slack: DMs, `/snp-check` (with text, or a modal), and the button that
offers the other reading of a message."""

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
        if body.get("event_id") and not await first_sighting(ctx.core.db, "slack", body["event_id"], ctx.core.clock.now()):
            return  # Slack's retry of an event already handled
        user = event.get("user", "")
        files = tuple(f.get("mimetype") or "file" for f in event.get("files") or ())
        reply = await ctx.converse(event.get("text") or "", await ctx.people.active(user) or user, files)
        await _post(ctx, event["channel"], reply, event.get("text") or "")
        log.info("slack_dm_answered", kind=reply.kind)

    @app.command("/snp-check")
    async def snp_check(ack: AsyncAck, command: dict) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            await ack()
            await ctx.client.views_open(trigger_id=command["trigger_id"], view=check_modal())
            return
        await ack()
        reply = await ctx.converse("check: " + text, command.get("user_id", ""))
        await ctx.respond(command["response_url"], response_type="ephemeral", text=fallback_text(reply.text),
                          blocks=_blocks(ctx, reply, text))

    @app.view("snp_check")
    async def check_submitted(ack: AsyncAck, body: dict, view: dict) -> None:
        await ack()
        draft = ((view["state"]["values"].get("draft") or {}).get("draft") or {}).get("value") or ""
        reply = await ctx.converse("check: " + draft, body["user"]["id"])
        await ctx.dm(body["user"]["id"], fallback_text(reply.text), _blocks(ctx, reply, draft))

    @app.action("snp_offer_ask")
    @app.action("snp_offer_check")
    async def other_reading(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        prefix = "ask: " if action["action_id"] == "snp_offer_ask" else "check: "
        reply = await ctx.converse(prefix + (action.get("value") or ""), body["user"]["id"])
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        await _post(ctx, channel, reply, action.get("value") or "")


def _blocks(ctx: SlackContext, reply: Reply, original: str) -> list[dict]:
    settings = ctx.core.settings
    return reply_blocks(reply, ctx.core.policy.meta, settings.snp_policy_url or None, ctx.offer_text(reply),
                        original=original, messages=ctx.core.policy.messages, lexicon=ctx.core.reviewer.lexicon)


async def _post(ctx: SlackContext, channel: str, reply: Reply, original: str) -> None:
    await ctx.client.chat_postMessage(channel=channel, text=fallback_text(reply.text),
                                      blocks=_blocks(ctx, reply, original), unfurl_links=False, unfurl_media=False)
