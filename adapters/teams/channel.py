"""Delivering the core's notifications in Teams: proactively, into the person's 1:1 chat with
the bot (its stored conversation reference), or into a new 1:1 conversation where none is stored
but their Entra object id and the tenant's service URL are known.

The connector's 429 becomes the outbox's `RetryLater`, and any other error it answers with
`PlatformRefused`, so the outbox decides when to try again. Each card sent returns where it landed
(the conversation reference and the activity id), so that it can be rewritten in place later
(`update_activity`) when the reader may no longer see the report. The connector has no way to look
a card up by the outbox's key, so this channel offers no `already_delivered`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.bot_adapter import BotAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ConversationReference

from adapters.teams.cards import delivery_card, text_fallback
from bot.notify.channel import Delivery, PlatformRefused, Recipient, RetryLater
from bot.ticket.content import TicketContent

Turn = Callable[[TurnContext], Awaitable[None]]


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

    async def send(self, delivery: Delivery) -> dict | None:
        """Send the card (or rewrite the one `delivery.replaces`); returns where it landed."""
        activity = self._activity(delivery)
        landed: dict = {}

        async def send_card(context: TurnContext) -> None:
            sent = await context.send_activity(activity)
            landed.update(reference=TurnContext.get_conversation_reference(context.activity).serialize(),
                          activity_id=sent.id if sent else None)

        try:
            if delivery.replaces is not None:
                return await self._rewrite(delivery.replaces, activity)
            stored = delivery.recipient.address("teams")
            if stored:
                reference = ConversationReference().deserialize(stored["reference"])
                await self.adapter.continue_conversation(reference, send_card, self.app_id)
            else:
                await self._new_conversation(delivery.recipient, send_card)
        except Exception as exc:  # noqa: BLE001 - the connector's errors, as the outbox understands them
            raise _retryable(exc) from None
        return landed if landed.get("activity_id") else None

    def _activity(self, delivery: Delivery) -> Activity:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(delivery_card(delivery, content=self.content)))
        # The preview in Teams' notification feed: the words for a state change, only the
        # reference for a message that carries a report.
        activity.summary = delivery.reference if delivery.confidential else text_fallback(delivery.text)[:200]
        return activity

    async def _rewrite(self, ref: dict, activity: Activity) -> dict:
        """Put `activity` in the place of the card at `ref`, in its own conversation. A card the
        connector no longer has (404) has nothing left to hide."""
        activity.id = ref["activity_id"]

        async def update_card(context: TurnContext) -> None:
            await context.update_activity(activity)

        try:
            await self.adapter.continue_conversation(ConversationReference().deserialize(ref["reference"]),
                                                     update_card, self.app_id)
        except Exception as exc:  # noqa: BLE001 - classified below
            if _status(exc) != 404:
                raise
        return ref

    async def _new_conversation(self, recipient: Recipient, send_card: Turn) -> None:
        parameters = ConversationParameters(is_group=False, members=[ChannelAccount(id=recipient.teams_user_id)],
                                            tenant_id=self.tenant, channel_data={"tenant": {"id": self.tenant}},
                                            bot=ChannelAccount(id=f"28:{self.app_id}"))
        await self.adapter.create_conversation(self.app_id, send_card, parameters, "msteams", self.service_url)


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) or getattr(exc, "status", None)


def _retryable(exc: Exception) -> Exception:
    """The connector's answer as the outbox understands it. An error without an answer (a timeout,
    a dropped connection) is left as it is: the card may or may not have arrived."""
    status = _status(exc)
    if status == 429:
        headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
        return RetryLater(float(headers.get("Retry-After", 1)), "teams rate limit")
    if status:
        return PlatformRefused(f"teams connector answered {status}")
    return exc
