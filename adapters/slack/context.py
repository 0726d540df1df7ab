"""What every Slack listener needs: the core, who people are, and a way to DM someone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
import structlog
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.backlog import WORKERS_PER_PROCESS, Backlog
from adapters.slack.people import SlackPeople
from bot.conversation import Message, Reply
from bot.core import Core

log = structlog.get_logger(__name__)


@dataclass
class SlackContext:
    core: Core
    client: AsyncWebClient
    people: SlackPeople
    #: The server's HTTP session for response URLs (None outside a running server).
    http: aiohttp.ClientSession | None = None
    #: Conversation turns after an acknowledgement wait their turn here, one per conversation
    #: worker (which can only run one at a time anyway), so that under a burst the event loop
    #: spends its time acknowledging (Slack's 3 seconds) rather than juggling replies the workers
    #: cannot start yet. Measured with benchmarks/slack_bench.py at 64 clients, against a bare
    #: bolt app: unbounded 0.38 of its throughput; four at once 0.68; two 0.59 to 0.75 over
    #: several runs; one 0.82 and 0.85.
    after_ack: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    #: What listeners leave to do after the acknowledgement, so that bolt's request is not kept
    #: while it waits (backlog.py).
    backlog: Backlog = field(init=False)

    def __post_init__(self) -> None:
        self.backlog = Backlog(WORKERS_PER_PROCESS * max(1, self.core.settings.snp_conversation_processes))

    async def converse(self, text: str, sender: str, attachments: tuple[str, ...] = ()) -> Reply:
        """One conversation turn, off the event loop (in the server's conversation workers): a long
        draft's review is CPU work, and the loop must stay free to acknowledge other requests
        within Slack's 3 seconds."""
        async with self.after_ack:
            return await self.core.turns.handle(Message(text, sender=sender, platform="slack",
                                                        attachments=attachments))

    async def dm(self, user_id: str, text: str, blocks: list[dict] | None = None) -> None:
        opened = await self.client.conversations_open(users=user_id)
        await self.client.chat_postMessage(channel=opened["channel"]["id"], text=text, blocks=blocks,
                                           unfurl_links=False, unfurl_media=False)

    async def respond(self, response_url: str, **message: object) -> None:
        """Post to a slash command's response URL through the shared session."""
        await AsyncWebhookClient(url=response_url, session=self.http).send_dict(message)

    def offer_text(self, reply: Reply) -> str:
        return self.core.policy.message(f"offer_{reply.offer}") if reply.offer else ""
