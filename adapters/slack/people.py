"""Who a Slack user is in the staff directory, and how to reach a directory person on Slack.

A Slack user is matched by the directory's `slack_user_id`, or else by the email Slack gives for
them (`users.info`, which needs the `users:read.email` scope). Answers are cached for a while:
every click and message would otherwise cost a Web API call and count against Slack's rate limits.

The directory is bookkeeping for a question or a draft: while the database is away, a person is
known by their Slack profile's email alone (not cached) and their address is not noted, and they
still get their answer.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import aiohttp
import structlog
from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.events import BOOKKEEPING_SECONDS, UNAVAILABLE
from bot.db import Database
from bot.directory import service as directory
from bot.directory.addresses import remember, remembered_email
from bot.notify.channel import Recipient

CACHE_SECONDS = 600.0
#: People each cache holds at most (the least recently used go first): a workspace far larger
#: than the staff directory, or ids that are not people at all, cannot make it grow without end.
CACHE_SIZE = 20_000
#: Cached: no email (None) is an answer too, so a miss is told apart by this.
_MISSING = object()
#: Seconds to wait for users.info: the shared HTTP session does not apply slack-sdk's own timeout.
PROFILE_SECONDS = 1.5


class SlackUnavailable(Exception):
    """Slack's Web API did not answer, or answered with an error of its own."""
log = structlog.get_logger(__name__)


class SlackPeople:
    def __init__(self, db: Database, client: AsyncWebClient) -> None:
        self.db = db
        self.client = client
        self._emails: TTLCache[str, str | None] = TTLCache(CACHE_SIZE, CACHE_SECONDS)
        self._user_ids: TTLCache[str, str | None] = TTLCache(CACHE_SIZE, CACHE_SECONDS)
        self._noted: TTLCache[str, bool] = TTLCache(CACHE_SIZE, CACHE_SECONDS)

    async def email_of(self, user_id: str) -> str | None:
        """The user's email: the directory's entry for their Slack id, or their Slack profile's."""
        if (cached := self._emails.get(user_id, _MISSING)) is not _MISSING:
            return cached
        try:
            async with asyncio.timeout(BOOKKEEPING_SECONDS), self.db.session() as session:
                person = await directory.by_platform_id(session, "slack", user_id)
        except UNAVAILABLE as exc:
            log.warning("slack_directory_unavailable", error=type(exc).__name__)
            try:
                return await self._profile_email(user_id)
            except SlackUnavailable:
                return None
        if person:
            email: str | None = person.email
        else:
            try:
                email = await self._profile_email(user_id)
            except SlackUnavailable:
                # Slack cannot say just now: the email seen with this user before, not cached.
                async with self.db.session() as session:
                    return await remembered_email(session, "slack", user_id)
        self._emails[user_id] = email
        return email

    async def _profile_email(self, user_id: str) -> str | None:
        """The profile's email; None when Slack says there is none; SlackUnavailable when Slack
        does not answer in time or answers with an error of its own (never taken as "nobody")."""
        try:
            async with asyncio.timeout(PROFILE_SECONDS):
                response = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.status_code == 429 or exc.response.status_code >= 500:
                raise SlackUnavailable from None
            return None
        except (TimeoutError, OSError, aiohttp.ClientError):
            raise SlackUnavailable from None
        profile = (response.get("user") or {}).get("profile") or {}
        email = profile.get("email")
        return directory.normalise_email(email) if email else None

    async def active(self, user_id: str) -> str | None:
        """The user's email, noting that they are active on Slack (at most every ten minutes), so a
        person on Slack and Teams is notified on the one they used last."""
        email = await self.email_of(user_id)
        if email and user_id not in self._noted:
            self._noted[user_id] = True
            try:
                async with asyncio.timeout(BOOKKEEPING_SECONDS):
                    await remember(self.db, "slack", user_id, email, {"user_id": user_id}, datetime.now(UTC))
            except UNAVAILABLE as exc:
                self._noted.pop(user_id, None)  # noted next time instead
                log.warning("slack_address_not_noted", error=type(exc).__name__)
        return email

    async def in_directory(self, email: str | None) -> bool:
        if not email:
            return False
        async with self.db.session() as session:
            return await directory.by_email(session, email) is not None

    async def user_id_for(self, recipient: Recipient) -> str | None:
        """The Slack id to DM a directory person: the directory's, or a lookup by email."""
        if recipient.slack_user_id:
            return recipient.slack_user_id
        if (cached := self._user_ids.get(recipient.email, _MISSING)) is not _MISSING:
            return cached
        try:
            response = await self.client.users_lookupByEmail(email=recipient.email)
            user_id = (response.get("user") or {}).get("id")
        except SlackApiError as exc:
            if exc.response.status_code == 429 or exc.response.status_code >= 500:
                raise
            user_id = None
        self._user_ids[recipient.email] = user_id
        return user_id
