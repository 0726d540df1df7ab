"""Breach reports on Slack: `/snp-report` opens a modal at once (a trigger id lives 3 seconds)
carrying a one-time form token; the submission is checked field by field with inline errors.

The submission is answered only once its ticket is committed: Slack never sends a
view_submission again, so a report acknowledged before its commit is a report that can be lost.
The answer is the modal turned into "received" with the reference, or, when the database cannot
take the report in time, the form again with the reason and what was typed; pressing Send again
carries the same token, so it can never open a second ticket. The reporter's DM with the
reference comes through the outbox like every other message about a ticket.
"""

from __future__ import annotations

import asyncio
import secrets

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.slack.blocks import field_errors, notice_modal, report_modal, report_values
from adapters.slack.context import SlackContext, log
from bot.ticket.report import Report, ReportInvalid, build_report
from bot.ticket.service import Submitted

#: Seconds a submission may take to commit before the reporter is asked to press Send again;
#: Slack waits 3 seconds for the answer in all.
SUBMIT_SECONDS = 2.4
#: Submissions one server commits at once. Past this a report is answered at once with "press Send
#: again in a moment" rather than queued: under a burst, queued reports would all outlive Slack's 3
#: seconds together, where those let in are answered in time.
SUBMITTING_AT_MOST = 32


class NotInDirectory(Exception):
    """The reporter is not in the staff directory: nobody could be given the case."""


def register(app: AsyncApp, ctx: SlackContext) -> None:
    content = ctx.core.ticket_content
    title = ctx.core.policy.meta.title
    in_hand: set[asyncio.Future] = set()

    async def open_form(trigger_id: str, user_id: str) -> None:
        form = report_modal(content, title=title, private_metadata=secrets.token_urlsafe(18))
        opened = await ctx.client.views_open(trigger_id=trigger_id, view=form)
        email = await ctx.people.email_of(user_id)
        if not await ctx.people.in_directory(email):
            await ctx.client.views_update(view_id=opened["view"]["id"],
                                          view=notice_modal(content.say("slack_not_in_directory")))

    @app.command("/snp-report")
    async def snp_report(ack: AsyncAck, command: dict) -> None:
        await ack()
        await open_form(command["trigger_id"], command["user_id"])

    @app.action("snp_open_report")
    async def open_report_button(ack: AsyncAck, body: dict) -> None:
        await ack()
        await open_form(body["trigger_id"], body["user"]["id"])

    async def submit(user_id: str, values: dict[str, str], report: Report, token: str) -> Submitted:
        if values.get("who_user"):
            named = await ctx.people.email_of(values["who_user"]) or values["who_user"]
            report = build_report(content, {**values, "who": f"{named} {values.get('who', '')}".strip()[:200]})
        email = await ctx.people.active(user_id)
        if not email or not await ctx.people.in_directory(email):
            raise NotInDirectory
        return await ctx.core.tickets.submit(email, report, token=token)

    @app.view("snp_report")
    async def report_submitted(ack: AsyncAck, body: dict, view: dict) -> None:
        values = report_values(view["state"]["values"])
        try:
            report = build_report(content, values)
        except ReportInvalid as invalid:
            await ack(**field_errors(invalid.field, str(invalid)))
            return
        token = "slack:" + (view.get("private_metadata") or view["id"])
        if len(in_hand) >= SUBMITTING_AT_MOST:
            log.warning("slack_report_busy", in_hand=len(in_hand))
            await ack(**field_errors("what", content.say("report_not_saved_busy")))
            return
        await ack(**await answer(submit(body["user"]["id"], values, report, token)))

    async def answer(submitting) -> dict:  # noqa: ANN001 - the coroutine of `submit`
        """The view_submission's answer, once the ticket is committed or could not be."""
        task = asyncio.ensure_future(submitting)
        in_hand.add(task)
        task.add_done_callback(in_hand.discard)
        try:
            submitted = await asyncio.wait_for(asyncio.shield(task), SUBMIT_SECONDS)
        except TimeoutError:
            # It may still commit: the outbox then tells the reporter, and Send again finds it.
            log.warning("slack_report_slow")
            task.add_done_callback(_settled_late)
            return field_errors("what", content.say("report_not_saved_slow"))
        except NotInDirectory:
            return {"response_action": "update", "view": notice_modal(content.say("slack_not_in_directory"))}
        except Exception as exc:  # noqa: BLE001 - the database refused or is away: nothing was stored
            log.warning("slack_report_not_saved", error=type(exc).__name__)
            return field_errors("what", content.say("report_not_saved"))
        log.info("slack_report_submitted", reference=submitted.reference, again=submitted.duplicate)
        return {"response_action": "update",
                "view": notice_modal(submitted.text, title=content.say("report_received_title"))}


def _settled_late(task: asyncio.Future) -> None:
    """A submission that failed after its answer was given is logged (by its class only)."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("slack_report_failed_late", error=type(task.exception()).__name__)
