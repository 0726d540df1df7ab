"""Breach reports on Slack: `/snp-report` opens a modal at once (a trigger id lives 3 seconds),
the submission is checked field by field with inline errors, and the ticket is opened after the
acknowledgement; the reporter hears the reference in a DM."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.slack.blocks import field_errors, notice_modal, report_modal, report_values
from adapters.slack.context import SlackContext, log
from bot.conversation.events import first_sighting
from bot.ticket.report import ReportInvalid, build_report


def register(app: AsyncApp, ctx: SlackContext) -> None:
    content = ctx.core.ticket_content
    title = ctx.core.policy.meta.title

    async def open_form(trigger_id: str, user_id: str) -> None:
        opened = await ctx.client.views_open(trigger_id=trigger_id, view=report_modal(content, title=title))
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

    @app.view("snp_report")
    async def report_submitted(ack: AsyncAck, body: dict, view: dict) -> None:
        values = report_values(view["state"]["values"])
        try:
            report = build_report(content, values)
        except ReportInvalid as invalid:
            await ack(**field_errors(invalid.field, str(invalid)))
            return
        await ack()
        if not await first_sighting(ctx.core.db, "slack-view", view["id"],
                                    ctx.core.clock.now()):
            return  # the same submission again (a retry or a double click)
        user_id = body["user"]["id"]
        if values.get("who_user"):
            named = await ctx.people.email_of(values["who_user"]) or values["who_user"]
            report = build_report(content, {**values, "who": f"{named} {values.get('who', '')}".strip()[:200]})
        email = await ctx.people.active(user_id)
        if not email or not await ctx.people.in_directory(email):
            await ctx.dm(user_id, content.say("slack_not_in_directory"))
            return
        submitted = await ctx.core.tickets.submit(email, report)
        await ctx.dm(user_id, submitted.text)
        log.info("slack_report_submitted", reference=submitted.reference)
