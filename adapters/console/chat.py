"""A terminal conversation with the bot, reading one message a line.

On a terminal it greets the user and prompts; fed from a pipe it prints only the replies, so
`printf 'question\\n' | snp-bot chat` is scriptable.

The chat is run as one person of the staff directory (`--as EMAIL`, or its first entry): that is
who a `/snp-report` comes from, whose notifications are shown here, and who works tickets with
`/snp-tickets` and `/snp-ticket REFERENCE [ACTION [TEXT]]`. The core decides who may see or do
what; this module only asks and prints. What a reporter writes is printed back to them alone and
never logged.
"""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from sqlalchemy.exc import SQLAlchemyError

from adapters.console import terminal
from adapters.console.channel import ConsoleChannel
from adapters.console.terminal import is_terminal, read_message
from bot.config import ConfigurationError
from bot.conversation import Message, Reply
from bot.directory import service as directory
from bot.ticket.report import ReportInvalid, build_report, check_field
from bot.ticket.service import TicketError
from bot.ticket.views import describe_list, describe_ticket
from bot.ticket.workflow import Action

if TYPE_CHECKING:
    from bot.core import Core
    from bot.db import Database
    from bot.notify.worker import DeliveryWorker
    from bot.ticket.content import TicketContent

QUIT = {"quit", "exit", "/quit", "/exit", ":q"}
PROMPT = "you> "
CANCEL = "cancel"
YES = {"y", "yes"}
NO = {"n", "no", CANCEL}
#: Ticket commands, handled here before the conversation (which knows no such commands).
TICKETS_COMMAND = re.compile(r"^/?snp-tickets\b", re.IGNORECASE)
TICKET_COMMAND = re.compile(r"^/?snp-ticket(?:\s+(?P<rest>.*))?$", re.IGNORECASE | re.DOTALL)
#: How many rounds of the delivery worker one turn runs at most (each round takes up to a batch).
DELIVERY_ROUNDS = 10
#: Database failures that end a ticket request, not the chat.
DATABASE_ERRORS = (SQLAlchemyError, OSError)


def render(reply: Reply, offer_text: str = "") -> str:
    """Console rendering: the reply's plain text, indented under the bot's name, then the offer of
    the other reading (a button on Slack and Teams)."""
    return bubble(f"{reply.text}\n{offer_text}" if offer_text else reply.text)


def bubble(text: str) -> str:
    first, *rest = text.split("\n")
    return "\n".join(["snp-bot> " + first] + [("         " + line).rstrip() for line in rest])


def run_chat(core: Core, as_email: str | None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    try:
        asyncio.run(Chat(core, as_email, stdin, stdout).run())
    except KeyboardInterrupt:
        pass
    finally:
        terminal.restore()
    return 0


async def _readline(stream: TextIO, echo: TextIO | None = None) -> str:
    """One line from `stream`, read on a daemon thread so the event loop is not blocked.

    Not the loop's default executor: `asyncio.run` waits for its threads on the way out, so a
    Ctrl-C at the prompt would hang until Enter; a daemon thread is left to the interpreter.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(line: str, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line)

    def read() -> None:
        line, error = "", None
        try:
            line = read_message(stream, echo) if echo is not None else stream.readline()
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, who decides
            error = exc
        try:
            loop.call_soon_threadsafe(settle, line, error)
        except RuntimeError:  # the loop has closed: the chat is over
            pass

    threading.Thread(target=read, name="snp-chat-stdin", daemon=True).start()
    return await future


class Chat:
    def __init__(self, core: Core, as_email: str | None, stdin: TextIO, stdout: TextIO) -> None:
        self.core = core
        self.as_email = directory.normalise_email(as_email) if as_email and as_email.strip() else None
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty() and stdout.isatty()
        #: Who the chat is run as, or None (an empty directory).
        self.email: str | None = None
        #: Why tickets don't work here ("" when they do).
        self.unavailable = ""
        self.worker: DeliveryWorker | None = None
        self.db: Database | None = None

    @property
    def content(self) -> TicketContent:
        return self.core.ticket_content

    def show(self, text: str) -> None:
        print(bubble(text) + "\n", file=self.stdout, flush=True)

    async def read(self) -> str | None:
        """The next line, or None at the end of the input."""
        if self.interactive:
            print(PROMPT, end="", file=self.stdout, flush=True)
        try:
            line = await _readline(self.stdin, self.stdout if self.interactive and is_terminal(self.stdin) else None)
        except UnicodeDecodeError:
            return " "
        return line or None

    # --- the conversation -----------------------------------------------------------------------

    async def run(self) -> None:
        try:
            await self.start()
            while True:
                line = await self.read()
                if line is None or line.strip().lower() in QUIT:
                    return
                if not line.strip() and not self.interactive:
                    continue
                if not await self.turn(line):
                    return
        finally:
            if self.db is not None:
                await self.db.dispose()

    async def start(self) -> None:
        conversation = self.core.conversation
        if self.interactive:
            print(render(conversation.handle(Message("help", self.sender))), file=self.stdout)
            print("(type 'quit' or press Ctrl-D to leave)\n", file=self.stdout, flush=True)
        person = None
        try:
            self.db = self.core.db
            if not await self.db.ensure_schema():
                self.unavailable = self.content.say("chat_db_behind")
            else:
                self.core.tickets  # noqa: B018 - the encryption key, now rather than half-way through a report
                async with self.core.db.session() as session:
                    if self.as_email:
                        person = await directory.by_email(session, self.as_email)
                    else:
                        person = await directory.first_person(session)
        except ConfigurationError as exc:
            self.unavailable = self.content.say("chat_db_unavailable", error=str(exc).rstrip("."))
        except DATABASE_ERRORS as exc:
            self.unavailable = self.content.say("chat_db_unavailable", error=_reason(exc))
        self.email = self.as_email or (person.email if person else None)
        if self.unavailable:
            self.show(self.unavailable)
            return
        if self.as_email and person is None:
            self.show(self.content.say("chat_not_in_directory", email=self.as_email))
        if self.interactive and self.email:
            who = f"{person.name} <{self.email}>" if person and person.name else self.email
            self.show(self.content.say("chat_you_are", who=who))
        if self.email:
            from bot.notify.worker import DeliveryWorker
            from bot.ticket.messages import NotificationRenderer

            channel = ConsoleChannel(self.email, self.show)
            renderer = NotificationRenderer(self.core.tickets, self.core.settings.snp_ack_reminder_hours)
            self.worker = DeliveryWorker(self.core.db, [channel], renderer, self.core.clock, recipient=self.email)
            await self.deliver()

    @property
    def sender(self) -> str:
        return self.email or getpass.getuser()

    async def turn(self, line: str) -> bool:
        """Answer one message; False when the input ended in the middle (the chat is over)."""
        command = line.strip()
        if TICKETS_COMMAND.match(command):
            await self.list_tickets()
            return True
        if match := TICKET_COMMAND.match(command):
            await self.ticket(match["rest"] or "")
            return True
        conversation = self.core.conversation
        reply = conversation.handle(Message(line, self.sender))
        if reply.kind == "form" and reply.form == "report":
            return await self.report()
        offer = conversation.answerer.policy.message(f"offer_{reply.offer}") if reply.offer else ""
        print(render(reply, offer) + "\n", file=self.stdout, flush=True)
        return True

    async def deliver(self) -> None:
        """Show the chat user's waiting notifications (others' stay in the outbox)."""
        if self.worker is None:
            return
        for _ in range(DELIVERY_ROUNDS):
            try:
                if await self.worker.run_once() == 0:
                    return
            except DATABASE_ERRORS:
                return  # they wait in the outbox for the next turn

    def can_use_tickets(self) -> bool:
        if self.unavailable:
            self.show(self.unavailable)
            return False
        if self.email is None:
            self.show(self.content.say("chat_directory_empty"))
            return False
        return True

    # --- /snp-report ----------------------------------------------------------------------------

    async def report(self) -> bool:
        """The breach report form, one field a line, then a confirmation. False when the input
        ended (nothing is submitted) or the user quit."""
        if not self.can_use_tickets():
            return True
        content = self.content
        assert self.email is not None
        self.show(content.say("report_intro", title=self.core.policy.meta.title))
        values: dict[str, str] = {}
        for spec in content.form:
            self.show(spec.prompt)
            while True:
                line = await self.read()
                if line is None:
                    return False
                answer = line.strip().lower()
                if answer == CANCEL or answer in QUIT:
                    self.show(content.say("report_cancelled"))
                    return answer == CANCEL
                try:
                    values[spec.name] = check_field(content, spec.name, line)
                    break
                except ReportInvalid as exc:
                    self.show(str(exc))
        report = build_report(content, values)
        self.show(content.say("report_confirm", summary=report.summary(content)))
        while True:
            line = await self.read()
            if line is None:
                return False
            answer = line.strip().lower()
            if answer in YES:
                break
            if answer in NO or answer in QUIT:
                self.show(content.say("report_cancelled"))
                return answer in NO
            self.show(content.say("report_yes_or_no"))
        try:
            await self.core.tickets.submit(self.email, report)
        except DATABASE_ERRORS:
            self.show(content.say("chat_db_error"))
            return True
        await self.deliver()  # the confirmation comes through the outbox, like every message about a ticket
        return True

    # --- /snp-tickets and /snp-ticket -----------------------------------------------------------

    async def list_tickets(self) -> None:
        if not self.can_use_tickets():
            return
        assert self.email is not None
        try:
            tickets = await self.core.tickets.tickets_for(self.email)
        except DATABASE_ERRORS:
            self.show(self.content.say("chat_db_error"))
            return
        self.show(describe_list(tickets, self.content))

    async def ticket(self, rest: str) -> None:
        """`/snp-ticket REF` shows a ticket; `/snp-ticket REF ACTION [TEXT]` works on it."""
        if not self.can_use_tickets():
            return
        assert self.email is not None
        reference, after = (rest.split(maxsplit=1) + ["", ""])[:2]
        if not reference:
            self.show(self.content.say("ticket_usage", actions=_action_list()))
            return
        try:
            if not after.strip():
                self.show(describe_ticket(await self.core.tickets.view(reference, self.email), self.content))
                return
            parsed = parse_action(after, self.content)
            if parsed is None:
                self.show(self.content.say("ticket_unknown_action", action=after.split()[0], actions=_action_list()))
                return
            action, text = parsed
            words = await self.core.tickets.act(reference, self.email, action, note=text, assignee=text)
        except TicketError as exc:
            self.show(str(exc))
            return
        except DATABASE_ERRORS:
            self.show(self.content.say("chat_db_error"))
            return
        self.show(words)
        await self.deliver()


def parse_action(text: str, content: TicketContent) -> tuple[Action, str] | None:
    """(action, the text after it) from "acknowledge", "ask_people_services", "ask-people-services"
    or a button's label in any case ("Ask People Services"); None when it names no action."""
    first, after = (text.split(maxsplit=1) + ["", ""])[:2]
    name = first.lower().replace("-", "_")
    if name in set(Action):
        return Action(name), after.strip()
    for action, label in sorted(content.actions.items(), key=lambda item: -len(item[1])):
        pattern = r"\s+".join(re.escape(word) for word in label.split())
        if match := re.match(rf"\s*{pattern}(?:\s+|$)", text, re.IGNORECASE):
            return Action(action), text[match.end():].strip()
    return None


def _action_list() -> str:
    return ", ".join(action.value for action in Action)


def _reason(exc: BaseException) -> str:
    """The first line of what went wrong with the database (without the SQL), or its kind."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().split("\n")[0]
    return text or type(cause).__name__
