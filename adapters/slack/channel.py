"""Delivering the core's notifications as Slack DMs (the `Channel` of bot/notify).

Slack's 429 becomes `RetryLater` with its Retry-After, and a 5xx an ordinary failure, so the
outbox, not the Slack client, decides when to try again: a notification is never lost to a rate
limit and never sent twice by two retry mechanisms at once.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import delivery_blocks, fallback_text
from adapters.slack.people import SlackPeople
from bot.notify.channel import Delivery, NotReachable, Recipient, RetryLater
from bot.ticket.content import TicketContent


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

    async def send(self, delivery: Delivery) -> None:
        try:
            user_id = await self.people.user_id_for(delivery.recipient)
            if not user_id:
                raise RecipientNotOnSlack("no Slack user for this person")
            opened = await self.client.conversations_open(users=user_id)
            await self.client.chat_postMessage(
                channel=opened["channel"]["id"], text=fallback_text(delivery.text), blocks=delivery_blocks(delivery, content=self.content),
                unfurl_links=False, unfurl_media=False,
                metadata={"event_type": "snp_notification", "event_payload": {"key": delivery.key}})
        except SlackApiError as exc:
            raise _retryable(exc) from None


def _retryable(exc: SlackApiError) -> Exception:
    """Slack's error as the outbox understands it, without the response body (it may echo the text)."""
    status = exc.response.status_code
    if status == 429:
        return RetryLater(float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1))),
                          "slack rate limit")
    return ConnectionError(f"slack answered {status}: {exc.response.get('error', 'error')}")
