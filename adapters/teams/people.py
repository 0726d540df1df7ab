"""Who a Teams user is in the staff directory, and remembering how to reach them.

A user is matched by their Microsoft Entra object id (`from.aadObjectId`, the directory's
`teams_user_id`), or else by the email or user principal name Teams gives for them (TeamsInfo
member lookup, one connector call, cached). Every authenticated activity from a person in a 1:1
chat refreshes their conversation reference, so a notification can reach them later.

Both are bookkeeping for a question or a draft: while the database is away, a person is known by
the member lookup alone (not cached) and their reference is noted later, and they still get their
answer.
"""

from __future__ import annotations

import asyncio
import time

import structlog
from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.conversation.events import BOOKKEEPING_SECONDS, UNAVAILABLE
from bot.core import Core
from bot.directory import service as directory
from bot.directory.addresses import remember

CACHE_SECONDS = 600.0
log = structlog.get_logger(__name__)


class TeamsPeople:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._emails: dict[str, tuple[float, str | None]] = {}
        self._noted: dict[str, tuple[float, tuple | None]] = {}

    async def email_of(self, context: TurnContext) -> str | None:
        sender = context.activity.from_property
        key = (sender.aad_object_id or sender.id or "").lower()
        cached = self._emails.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            async with asyncio.timeout(BOOKKEEPING_SECONDS), self.core.db.session() as session:
                person = await directory.by_platform_id(session, "teams", key) if sender.aad_object_id else None
        except UNAVAILABLE as exc:
            log.warning("teams_directory_unavailable", error=type(exc).__name__)
            return await self._member_email(context)
        email = person.email if person else await self._member_email(context)
        self._emails[key] = (time.monotonic() + CACHE_SECONDS, email)
        return email

    async def _member_email(self, context: TurnContext) -> str | None:
        try:
            member = await TeamsInfo.get_member(context, context.activity.from_property.id)
        except Exception:  # noqa: BLE001 - an unknown member or a connector error: not matched
            return None
        address = member.email or member.user_principal_name
        return directory.normalise_email(address) if address else None

    async def note_active(self, context: TurnContext, email: str | None) -> None:
        """Store the 1:1 conversation reference: the way back to this person for notifications.
        Written when it changes, or at most every ten minutes (the time of last activity decides
        which platform a person on two is notified on)."""
        activity = context.activity
        if (activity.conversation.conversation_type or "personal") != "personal":
            return
        key = (activity.from_property.aad_object_id or activity.from_property.id or "").lower()
        noted = (activity.conversation.id, activity.service_url)
        if self._noted.get(key, (0.0, None))[1] == noted and self._noted[key][0] > time.monotonic():
            return  # the same conversation, noted in the last ten minutes
        self._noted[key] = (time.monotonic() + CACHE_SECONDS, noted)
        reference = TurnContext.get_conversation_reference(activity).serialize()
        try:
            async with asyncio.timeout(BOOKKEEPING_SECONDS):
                await remember(self.core.db, "teams", key, email,
                               {"reference": reference, "tenant": tenant_of(activity)}, self.core.clock.now())
        except UNAVAILABLE as exc:
            self._noted.pop(key, None)  # noted next time instead
            log.warning("teams_address_not_noted", error=type(exc).__name__)


def tenant_of(activity) -> str | None:  # noqa: ANN001 - a botbuilder Activity
    """The Entra tenant an activity came from."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    return (tenant.get("id") if isinstance(tenant, dict) else None) or getattr(activity.conversation, "tenant_id", None)
