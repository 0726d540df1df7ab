"""A terminal conversation with the bot, reading one message a line.

On a terminal it greets the user and prompts; fed from a pipe it prints only the replies, so
`printf 'question\\n' | snp-bot chat` is scriptable.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from bot.conversation import Conversation, Message, Reply

QUIT = {"quit", "exit", "/quit", "/exit", ":q"}
PROMPT = "you> "


def render(reply: Reply, offer_text: str = "") -> str:
    """Console rendering: the reply's plain text, indented under the bot's name, then the offer of
    the other reading (a button on Slack and Teams)."""
    text = f"{reply.text}\n{offer_text}" if offer_text else reply.text
    first, *rest = text.split("\n")
    return "\n".join(["snp-bot> " + first] + [("         " + line).rstrip() for line in rest])


def run_chat(conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    sender = getpass.getuser()
    if interactive:
        print(render(conversation.handle(Message("help", sender))), file=stdout)
        print("(type 'quit' or press Ctrl-D to leave)\n", file=stdout)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        try:
            line = stdin.readline()
        except (KeyboardInterrupt, UnicodeDecodeError) as exc:
            if isinstance(exc, KeyboardInterrupt):
                break
            line = " "
        if not line or line.strip().lower() in QUIT:
            break
        if not line.strip() and not interactive:
            continue
        reply = conversation.handle(Message(line, sender))
        offer = conversation.answerer.policy.message(f"offer_{reply.offer}") if reply.offer else ""
        print(render(reply, offer) + "\n", file=stdout, flush=True)
    return 0
