"""`snp-bot`: the command line of interfaces.md.

Each command imports what it needs inside its handler, so `snp-bot ask` never pays for the
server's or the platforms' libraries at start-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO


def _batch_items(stream: TextIO) -> Iterator[str]:
    """Batch input: one item a line; a line that is a JSON string literal carries text with newlines."""
    for line in stream:
        line = line.rstrip("\n")
        if line.startswith('"'):
            try:
                value = json.loads(line)
            except ValueError:
                value = line
            yield value if isinstance(value, str) else line
        else:
            yield line


def _run(item: str, as_json: bool, handle: Callable[[str], tuple[dict, str]]) -> int:
    """One item, or one a line from stdin when `item` is "-": printed as JSON or as text."""
    batch = item == "-"
    for text in _batch_items(sys.stdin) if batch else [item]:
        data, words = handle(text)
        print(json.dumps(data, ensure_ascii=False) if as_json else words + ("\n" if batch else ""), flush=True)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.core import Core

    core = Core.from_settings()

    def handle(question: str) -> tuple[dict, str]:
        answer = core.answerer.answer(question)
        return answer.to_json(core.policy.meta), answer.text

    return _run(args.question, args.json, handle)


def cmd_check(args: argparse.Namespace) -> int:
    from bot.core import Core

    core = Core.from_settings()

    def handle(draft: str) -> tuple[dict, str]:
        review = core.reviewer.review(draft)
        return review.to_json(), core.describe_review(review)

    return _run(args.draft, args.json, handle)


def cmd_chat(args: argparse.Namespace) -> int:
    from adapters.console.chat import run_chat
    from bot.core import Core

    return run_chat(Core.from_settings().conversation)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from bot.server import run

    print(f"snp-bot serving on http://{args.host}:{args.port or get_settings().port}", file=sys.stderr)
    run(args.host, args.port or get_settings().port)
    return 0


def cmd_policy_import(args: argparse.Namespace) -> int:
    from bot.policy.importer import PolicyFormatError, write_policy_folder

    try:
        report = write_policy_folder(args.file, args.out)
    except (OSError, UnicodeDecodeError, PolicyFormatError) as exc:
        print(f"snp-bot policy import: {args.file}: {exc}", file=sys.stderr)
        return 1
    print(report)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="snp-bot", description="The Social Networking Policy in every pocket.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = sub.add_parser("chat", help="talk to the bot in the terminal, as in a direct message")
    chat.set_defaults(handler=cmd_chat)

    ask = sub.add_parser("ask", help="answer one question ('-' reads one question a line from stdin)")
    ask.add_argument("question", help="the question, or '-' for batch mode")
    ask.add_argument("--json", action="store_true", help="print JSON (one object a line in batch mode)")
    ask.set_defaults(handler=cmd_ask)

    check = sub.add_parser("check", help="review one draft post ('-' reads one draft a line from stdin)")
    check.add_argument("draft", help="the draft, or '-' for batch mode")
    check.add_argument("--json", action="store_true", help="print JSON (one object a line in batch mode)")
    check.set_defaults(handler=cmd_check)

    serve = sub.add_parser("serve", help="run the HTTP server (health checks and metrics; platforms as configured)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 in a container)")
    serve.add_argument("--port", type=int, default=None, help="port (default: $PORT or 3978)")
    serve.set_defaults(handler=cmd_serve)

    policy = sub.add_parser("policy", help="manage the policy content")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    imp = policy_sub.add_parser("import", help="turn a numbered policy document (.txt) into policy content")
    imp.add_argument("file", type=Path, help="the policy document as text")
    imp.add_argument("--out", type=Path, default=Path("policy_content"),
                     help="folder to write policy.yaml into (default: ./policy_content)")
    imp.set_defaults(handler=cmd_policy_import)
    return top


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from bot.policy.loader import PolicyContentError

    args = parser().parse_args(argv)
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        return args.handler(args)
    except PolicyContentError as exc:
        print(f"snp-bot: the policy content cannot be loaded: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"snp-bot: invalid setting in the environment: {problems}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
