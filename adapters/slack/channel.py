"""Delivering the core's notifications as Slack DMs (the `Channel` of bot/notify).

Slack's 429 becomes `RetryLater` with its Retry-After, and any other answer with an error
`PlatformRefused`, so the outbox, not the Slack client, decides when to try again: a notification
is never lost to a rate limit and never sent twice by two retry mechanisms at once.

chat.postMessage honours no idempotency key, so each message carries the outbox's key in its
message metadata; when an attempt's outcome is unknown (the worker died or timed out mid-send),
`already_delivered` looks for that key in the DM's history before anything is sent again.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import delivery_blocks, fallback_text
from adapters.slack.people import SlackPeople
from bot.notify.channel import Delivery, NotReachable, PlatformRefused, Recipient, RetryLater
from bot.ticket.content import TicketContent

#: The message metadata event every notification carries, with the outbox's key as its payload.
METADATA_EVENT = "snp_notification"
#: How far back the history of a DM is searched for a message whose answer was lost: pages of
#: HISTORY_PAGE messages, newest first (the message sought was posted moments before the crash).
HISTORY_PAGE, HISTORY_PAGES = 100, 3


class RecipientNotOnSlack(NotReachable):
    """The person has no Slack id in the directory and Slack knows no user with their email."""


class SlackChannel:
    name = "slack"

    def __init__(self, client: AsyncWebClient, people: SlackPeople, content: TicketContent | None = None) -> None:
        self.client = client
        self.people = people
        self.content = content

    def reaches(self, recipient: Recipient) -> bool:
        """Anyone with a Slack id in the directory, or an email Slack may know (looked up on send)."""
        return bool(recipient.slack_user_id or recipient.email)

    def knows(self, recipient: Recipient) -> bool:
        return bool(recipient.slack_user_id or recipient.address("slack"))

    async def send(self, delivery: Delivery) -> dict | None:
        """Post the DM (or rewrite the one `delivery.replaces`); returns its channel and ts."""
        try:
            if delivery.replaces is not None:
                return await self._rewrite(delivery, delivery.replaces)
            channel = await self._dm(delivery.recipient)
            posted = await self.client.chat_postMessage(
                channel=channel, text=fallback_text(delivery.text), blocks=delivery_blocks(delivery, content=self.content),
                unfurl_links=False, unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": delivery.key}})
            return {"channel": posted["channel"], "ts": posted["ts"]}
        except SlackApiError as exc:
            raise _retryable(exc) from None

    async def already_delivered(self, delivery: Delivery) -> dict | None:
        """Where the message with this delivery's key landed in the person's DM, if it did."""
        try:
            channel = await self._dm(delivery.recipient)
            cursor = None
            for _ in range(HISTORY_PAGES):
                page = await self.client.conversations_history(channel=channel, include_all_metadata=True,
                                                               limit=HISTORY_PAGE, cursor=cursor)
                for message in page.get("messages", []):
                    metadata = message.get("metadata") or {}
                    if metadata.get("event_type") == METADATA_EVENT and \
                            (metadata.get("event_payload") or {}).get("key") == delivery.key:
                        return {"channel": channel, "ts": message["ts"]}
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    break
            return None
        except SlackApiError as exc:
            raise _retryable(exc) from None

    async def _dm(self, recipient: Recipient) -> str:
        user_id = await self.people.user_id_for(recipient)
        if not user_id:
            raise RecipientNotOnSlack("no Slack user for this person")
        opened = await self.client.conversations_open(users=user_id)
        return opened["channel"]["id"]

    async def _rewrite(self, delivery: Delivery, ref: dict) -> dict:
        """chat.update with the new text and blocks (without `blocks` Slack would keep the old
        ones, report and buttons included). A message deleted meanwhile has nothing left to hide."""
        try:
            await self.client.chat_update(channel=ref["channel"], ts=ref["ts"], text=fallback_text(delivery.text),
                                          blocks=delivery_blocks(delivery, content=self.content))
        except SlackApiError as exc:
            if exc.response.get("error") != "message_not_found":
                raise
        return ref


def _retryable(exc: SlackApiError) -> Exception:
    """Slack's error as the outbox understands it, without the response body (it may echo the text)."""
    status = exc.response.status_code
    if status == 429:
        return RetryLater(float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1))),
                          "slack rate limit")
    return PlatformRefused(f"slack answered {status}: {exc.response.get('error', 'error')}")
