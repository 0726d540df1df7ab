"""A handler's buttons on Slack. The click is acknowledged at once; the core decides whether the
clicker may take the step. A refusal is told to the clicker alone (ephemeral) and changes
nothing, as is a step the database cannot take just now; a step taken rewrites the message to
show the new state and the buttons left."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.slack.blocks import fallback_text, ticket_blocks
from adapters.slack.context import SlackContext, log
from bot.conversation.events import UNAVAILABLE
from bot.notify.channel import Button
from bot.ticket.service import TicketError
from bot.ticket.workflow import buttons_for

WORKFLOW_BUTTON = re.compile(r"^snp_ticket:(\w+)$")


def register(app: AsyncApp, ctx: SlackContext) -> None:
    content = ctx.core.ticket_content

    @app.action(WORKFLOW_BUTTON)
    async def workflow_step(ack: AsyncAck, body: dict, action: dict) -> None:
        """The click's step is taken in the backlog (backlog.py), with only what it needs from the request."""
        await ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        message_ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
        ctx.backlog.put(take_step, body["user"]["id"], body["user"].get("name") or "", channel, message_ts,
                        WORKFLOW_BUTTON.match(action["action_id"]).group(1), action.get("value") or "")

    async def take_step(user_id: str, user_name: str, channel: str | None, message_ts: str | None, step: str,
                        ticket_id: str) -> None:
        email = await ctx.people.active(user_id) or ""
        try:
            words = await ctx.core.tickets.act(ticket_id, email, step)
            view = await ctx.core.tickets.view(ticket_id, email)
        except TicketError as refusal:
            await ctx.client.chat_postEphemeral(channel=channel, user=user_id, text=str(refusal))
            log.info("slack_step_refused", step=step)
            return
        except UNAVAILABLE as exc:
            await ctx.client.chat_postEphemeral(channel=channel, user=user_id, text=content.say("chat_db_error"))
            log.warning("slack_step_failed", step=step, error=type(exc).__name__)
            return
        buttons = [Button(str(a), content.actions[str(a)], view.public_id) for a in buttons_for(view.state)]
        note = content.say("step_taken_by", words=words, who=user_name or user_id)
        await ctx.client.chat_update(channel=channel, ts=message_ts, text=fallback_text(note),
                                     blocks=ticket_blocks(view, content, buttons, note=note))
