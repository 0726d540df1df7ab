"""What every Slack listener needs: the core, who people are, and a way to DM someone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.people import SlackPeople
from bot.conversation import Message, Reply
from bot.core import Core

log = structlog.get_logger(__name__)


@dataclass
class SlackContext:
    core: Core
    client: AsyncWebClient
    people: SlackPeople

    async def converse(self, text: str, sender: str, attachments: tuple[str, ...] = ()) -> Reply:
        """One conversation turn, off the event loop: a long draft's review is CPU work, and the
        loop must stay free to acknowledge other requests within Slack's 3 seconds."""
        message = Message(text, sender=sender, platform="slack", attachments=attachments)
        return await asyncio.to_thread(self.core.conversation.handle, message)

    async def dm(self, user_id: str, text: str, blocks: list[dict] | None = None) -> None:
        opened = await self.client.conversations_open(users=user_id)
        await self.client.chat_postMessage(channel=opened["channel"]["id"], text=text, blocks=blocks,
                                           unfurl_links=False, unfurl_media=False)

    def offer_text(self, reply: Reply) -> str:
        return self.core.policy.message(f"offer_{reply.offer}") if reply.offer else ""
