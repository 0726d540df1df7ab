"""Delivering the core's notifications in Teams: proactively, into the person's 1:1 chat with
the bot (its stored conversation reference), or into a new 1:1 conversation where none is stored
but their Entra object id and the tenant's service URL are known.

The connector's 429 becomes the outbox's `RetryLater`, and its 5xx an ordinary failure, so the
outbox decides when to try again.
"""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.bot_adapter import BotAdapter
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference

from adapters.teams.cards import delivery_card, text_fallback
from bot.notify.channel import Delivery, Recipient, RetryLater
from bot.ticket.content import TicketContent


class TeamsChannel:
    name = "teams"

    def __init__(self, adapter: BotAdapter, app_id: str, content: TicketContent) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.content = content
        #: The service URL and tenant of the last authenticated activity: where new 1:1 chats are made.
        self.service_url: str | None = None
        self.tenant: str | None = None

    def reaches(self, recipient: Recipient) -> bool:
        return recipient.address("teams") is not None or bool(recipient.teams_user_id and self.service_url)

    def knows(self, recipient: Recipient) -> bool:
        return recipient.address("teams") is not None or bool(recipient.teams_user_id)

    async def send(self, delivery: Delivery) -> None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(delivery_card(delivery, content=self.content)))
        # The preview in Teams' notification feed: the words for a state change, only the
        # reference for a message that carries a report.
        activity.summary = delivery.reference if delivery.confidential else text_fallback(delivery.text)[:200]

        async def send_card(context: TurnContext) -> None:
            await context.send_activity(activity)

        try:
            stored = delivery.recipient.address("teams")
            if stored:
                reference = ConversationReference().deserialize(stored["reference"])
                await self.adapter.continue_conversation(reference, send_card, self.app_id)
            else:
                await self._new_conversation(delivery.recipient, send_card)
        except Exception as exc:  # noqa: BLE001 - the connector's errors, as the outbox understands them
            raise _retryable(exc) from None

    async def _new_conversation(self, recipient: Recipient, send_card) -> None:  # noqa: ANN001
        parameters = ConversationParameters(is_group=False, members=[ChannelAccount(id=recipient.teams_user_id)],
                                            tenant_id=self.tenant, channel_data={"tenant": {"id": self.tenant}},
                                            bot=ChannelAccount(id=f"28:{self.app_id}"))
        await self.adapter.create_conversation(self.app_id, send_card, parameters, "msteams", self.service_url)


def _retryable(exc: Exception) -> Exception:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(exc, "status", None)
    if status == 429:
        headers = getattr(response, "headers", {}) or {}
        return RetryLater(float(headers.get("Retry-After", 1)), "teams rate limit")
    return ConnectionError(f"teams connector failed: {type(exc).__name__} {status or ''}".strip())
