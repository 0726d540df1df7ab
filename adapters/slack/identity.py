"""Who the bot is on Slack, for bolt's authorization of each request.

bolt's single-workspace authorization asks Slack's `auth.test` on the first request and, while
Slack's Web API is down, refuses every request with an error message instead: a server restarted
during an outage could then take no report at all, though reports need only the database. Here
`auth.test` is asked with a short timeout and its answer kept; until it answers, requests go on
with the token alone (the bot's own messages are still ignored by their `bot_id`, see
conversation.py).
"""

from __future__ import annotations

import asyncio

import structlog
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

log = structlog.get_logger(__name__)
#: Seconds to wait for `auth.test` within a request that Slack wants answered in 3.
AUTH_TEST_SECONDS = 1.0


class BotIdentity:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._known: AuthorizeResult | None = None

        # bolt passes arguments by the names of a plain function's parameters (a bound method's
        # `self` would be taken for one of them).
        async def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
            return await self.result(enterprise_id, team_id, user_id)

        self.authorize = authorize

    async def result(self, enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        """The bot's token, and who it is once Slack has said."""
        if self._known is None:
            try:
                response = await asyncio.wait_for(self.client.auth_test(), AUTH_TEST_SECONDS)
                self._known = AuthorizeResult.from_auth_test_response(auth_test_response=response,
                                                                      bot_token=self.client.token)
            except Exception as exc:  # noqa: BLE001 - Slack's Web API away: serve with the token alone
                log.warning("slack_auth_test_unavailable", error=type(exc).__name__)
                return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                       bot_token=self.client.token)
        known = self._known
        return AuthorizeResult(enterprise_id=known.enterprise_id or enterprise_id, team_id=known.team_id or team_id,
                               user_id=user_id, bot_token=known.bot_token, bot_id=known.bot_id,
                               bot_user_id=known.bot_user_id)
