"""The Teams bot: personal-chat questions and drafts, `check …`, the report card, and the
handler's card actions, each turned into a core request and answered with an Adaptive Card.

Group chats and channels get only a pointer to personal chat: nothing about a ticket is ever
shown where others can read it.
"""

from __future__ import annotations

import re
import secrets
from http import HTTPStatus

import structlog
from botbuilder.core import ActivityHandler, CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

from adapters.teams import cards
from adapters.teams.people import TeamsPeople
from bot.conversation import Message, Reply
from bot.conversation.events import UNAVAILABLE, first_sighting
from bot.core import Core
from bot.notify.channel import Button
from bot.text import encodable_json
from bot.ticket.report import ReportInvalid, build_report
from bot.ticket.service import TicketError
from bot.ticket.workflow import buttons_for

log = structlog.get_logger(__name__)
CHECK = re.compile(r"^\s*(?:snp-)?check\b[:\s]*", re.IGNORECASE)
REPORT = re.compile(r"^\s*(?:snp-)?report\s*$", re.IGNORECASE)
CARD = "application/vnd.microsoft.card.adaptive"


class SnpTeamsBot(ActivityHandler):
    def __init__(self, core: Core, people: TeamsPeople, on_authenticated=None) -> None:  # noqa: ANN001
        self.core = core
        self.people = people
        self.content = core.ticket_content
        #: Called with each activity that passed authentication (the channel learns the service URL).
        self.on_authenticated = on_authenticated or (lambda activity: None)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.id and activity.type in ("message", "invoke"):
            seen = f"{activity.conversation.id if activity.conversation else ''}:{activity.id}"
            if not await first_sighting(self.core.db, "teams", seen[:200], self.core.clock.now()):
                if activity.type == "invoke":  # Teams waits for an answer to every invoke, a retry too
                    await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                              value=self._answer_again(activity)))
                return  # the same activity again: Teams retried it
        self.on_authenticated(activity)
        # Half an emoji cannot be encoded: mended here, or the reply echoing it could not be sent.
        activity.text, activity.value = encodable_json(activity.text), encodable_json(activity.value)
        await super().on_turn(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self.people.note_active(turn_context, await self.people.email_of(turn_context))

    async def on_members_added_activity(self, members_added, turn_context: TurnContext) -> None:  # noqa: ANN001
        if any(m.id == turn_context.activity.from_property.id for m in members_added or ()):
            await self.people.note_active(turn_context, await self.people.email_of(turn_context))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if (activity.conversation.conversation_type or "personal") != "personal":
            await turn_context.send_activity(self.content.say("teams_personal_only"))
            return
        email = await self.people.email_of(turn_context)
        await self.people.note_active(turn_context, email)
        if isinstance(activity.value, dict) and activity.value.get("snp"):
            await self._submitted(turn_context, activity.value, email)
            return
        text = TurnContext.remove_recipient_mention(activity) or activity.text or ""
        if REPORT.match(text):
            await self._send_report_form(turn_context, email)
            return
        if match := CHECK.match(text):
            text = "check: " + text[match.end():]
        await self._converse(turn_context, text, email, _attachments(activity))

    async def _converse(self, turn_context: TurnContext, text: str, email: str | None,
                        attachments: tuple[str, ...] = ()) -> None:
        reply = await self.core.turns.handle(Message(text, sender=email or "", platform="teams",
                                                     attachments=attachments))
        if reply.kind == "form":
            await self._send_report_form(turn_context, email)
            return
        await self._send_card(turn_context, self._reply_card(reply, text), reply.text)

    def _reply_card(self, reply: Reply, original: str) -> dict:
        offer = self.core.policy.message(f"offer_{reply.offer}") if reply.offer else ""
        return cards.reply_card(reply, self.core.policy.meta, self.core.settings.snp_policy_url or None, offer,
                                original=original, messages=self.core.policy.messages,
                                lexicon=self.core.reviewer.lexicon)

    async def _send_card(self, turn_context: TurnContext, card: dict, text: str = "") -> None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        if text:
            activity.summary = cards.text_fallback(text)[:200]
        await turn_context.send_activity(activity)

    async def _send_report_form(self, turn_context: TurnContext, email: str | None) -> None:
        if not await self._in_directory(email):
            await turn_context.send_activity(self.content.say("teams_not_in_directory"))
            return
        await self._send_card(turn_context, cards.report_card(self.content, title=self.core.policy.meta.title,
                                                              token=secrets.token_urlsafe(18)))

    async def _in_directory(self, email: str | None) -> bool:
        from bot.directory import service as directory

        if not email:
            return False
        async with self.core.db.session() as session:
            return await directory.by_email(session, email) is not None

    async def _submitted(self, turn_context: TurnContext, value: dict, email: str | None) -> None:
        """An Action.Submit: the other reading of a message, the report form, or (on clients
        without Action.Execute) a workflow step."""
        kind = value.get("snp")
        if kind == "offer":
            prefix = "ask: " if value.get("as") == "ask" else "check: "
            await self._converse(turn_context, prefix + str(value.get("text") or ""), email)
        elif kind == "open_report":
            await self._send_report_form(turn_context, email)
        elif kind == "report":
            await self._report(turn_context, value, email)
        elif kind == "ticket":
            response = await self._step(value, email or "", turn_context.activity.from_property.name)
            await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(response.value))
                                             if response.type == CARD else response.value)

    async def _report(self, turn_context: TurnContext, value: dict, email: str | None) -> None:
        """The report card sent. Teams waits for this turn before it answers the card, so the
        ticket is committed first; the reporter's confirmation comes through the outbox. A report
        the database cannot take comes back as the card with what was typed and the reason."""
        values = cards.report_values(value)
        token = str(value.get("form_token") or "")[:80]
        title = self.core.policy.meta.title
        try:
            report = build_report(self.content, values)
        except ReportInvalid as invalid:
            card = cards.report_card_with_error(self.content, values, invalid.field, str(invalid), title=title,
                                                token=token)
            await self._send_card(turn_context, card)
            return
        if not email or not await self._in_directory(email):
            await turn_context.send_activity(self.content.say("teams_not_in_directory"))
            return
        try:
            submitted = await self.core.tickets.submit(email, report, token=f"teams:{token}" if token else None)
        except Exception as exc:  # noqa: BLE001 - the database refused or is away: nothing was stored
            log.warning("teams_report_not_saved", error=type(exc).__name__)
            card = cards.report_card_with_error(self.content, values, "", self.content.say("report_not_saved"),
                                                title=title, token=token or secrets.token_urlsafe(18))
            await self._send_card(turn_context, card)
            return
        log.info("teams_report_submitted", reference=submitted.reference, again=submitted.duplicate)

    def _answer_again(self, activity) -> InvokeResponse:  # noqa: ANN001 - a botbuilder Activity
        if activity.name != "adaptiveCard/action":
            return _not_ours()
        return InvokeResponse(status=int(HTTPStatus.OK), body=_message(self.content.say("teams_already_done")))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Action.Execute on a handler's card: answered with the card in its new state (Teams
        replaces the card in place), or with a message only the clicker sees. Other invokes
        (message extensions, task modules, sign-in) are not this bot's: a 400 that says so."""
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return _not_ours()
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        data = action.get("data") if isinstance(action, dict) else None
        if not isinstance(data, dict) or data.get("snp") != "ticket":
            return InvokeResponse(status=int(HTTPStatus.OK), body=_message(self.content.say("teams_unknown_action")))
        email = await self.people.email_of(turn_context)
        return InvokeResponse(status=int(HTTPStatus.OK),
                              body=await self._step(data, email or "", activity.from_property.name))

    async def _step(self, data: dict, email: str, name: str | None) -> InvokeBody:
        ticket = str(data.get("ticket") or "")
        try:
            words = await self.core.tickets.act(ticket, email, str(data.get("step") or ""))
            view = await self.core.tickets.view(ticket, email)
        except TicketError as refusal:
            log.info("teams_step_refused", step=data.get("step"))
            return _message(str(refusal))
        except UNAVAILABLE as exc:
            log.warning("teams_step_failed", error=type(exc).__name__)
            return _message(self.content.say("chat_db_error"))
        buttons = [Button(str(a), self.content.actions[str(a)], view.public_id) for a in buttons_for(view.state)]
        note = self.content.say("step_taken_by", words=words, who=name or email)
        return InvokeBody(type=CARD, value=cards.ticket_card(view, self.content, buttons, note=note))


class InvokeBody(Model):
    """The body of an Action.Execute answer: a card or a message. botbuilder's own model types
    its value as a JSON object, which a message (a string) is not, so it cannot serialize one."""

    _attribute_map = {"status_code": {"key": "statusCode", "type": "int"}, "type": {"key": "type", "type": "str"},
                      "value": {"key": "value", "type": "object"}}

    def __init__(self, *, status_code: int = 200, type: str = "", value: object = None, **kwargs: object) -> None:  # noqa: A002
        super().__init__(**kwargs)
        self.status_code, self.type, self.value = status_code, type, value


def _message(text: str) -> InvokeBody:
    return InvokeBody(type="application/vnd.microsoft.activity.message", value=text)


class InvokeError(Model):
    """The body of a refused invoke."""

    _attribute_map = {"error": {"key": "error", "type": "str"}}

    def __init__(self, *, error: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.error = error


def _not_ours() -> InvokeResponse:
    return InvokeResponse(status=int(HTTPStatus.BAD_REQUEST),
                          body=InvokeError(error="this bot answers only its own Adaptive Card actions"))


def _attachments(activity) -> tuple[str, ...]:  # noqa: ANN001 - a botbuilder Activity
    """Kinds of what came with the message; Teams adds an HTML rendering of the text as an
    attachment to every message, which is not a file."""
    kinds = [a.content_type or "file" for a in activity.attachments or ()]
    return tuple(k for k in kinds if k not in ("text/html", CARD))
