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

    return run_chat(Core.from_settings(), args.as_email)


def cmd_serve(args: argparse.Namespace) -> int:
    from adapters import configured_platforms
    from bot.config import ConfigurationError, get_settings
    from bot.server import run

    settings = get_settings()
    if args.socket_mode and not (settings.slack_bot_token and settings.slack_app_token):
        raise ConfigurationError("--socket-mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (an app-level token, xapp-…)")
    platforms = configured_platforms(settings, socket_mode=args.socket_mode, host=args.host)
    run(args.host, args.port or settings.port, platforms)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    import asyncio

    from bot.core import Core

    if args.db_command == "key":
        from bot.confidential import new_key

        print(new_key())
        return 0
    core = Core.from_settings()

    async def run() -> str:
        try:
            if args.db_command == "upgrade":
                await core.db.upgrade(args.revision)
            elif args.db_command == "downgrade":
                await core.db.downgrade(args.revision)
            return f"database at revision {await core.db.revision() or 'none (empty)'} (head: {await core.db.head()})"
        finally:
            await core.db.dispose()

    print(asyncio.run(run()))
    return 0


def cmd_directory_import(args: argparse.Namespace) -> int:
    from bot.core import Core
    from bot.directory.importer import run_import

    return run_import(Core.from_settings(), args.file)


def cmd_tickets(args: argparse.Namespace) -> int:
    from bot.core import Core
    from bot.ticket.commands import run_tickets

    return run_tickets(Core.from_settings(), args)


def cmd_teams_package(args: argparse.Namespace) -> int:
    from adapters.teams.package import run_package
    from bot.config import get_settings

    return run_package(get_settings(), args.out)


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
    chat.add_argument("--as", dest="as_email", metavar="EMAIL", default=None,
                      help="who you are in the staff directory, for /snp-report and tickets (default: its first entry)")
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
    serve.add_argument("--socket-mode", action="store_true",
                       help="connect to Slack over Socket Mode (SLACK_APP_TOKEN) instead of serving /slack/events")
    serve.set_defaults(handler=cmd_serve)

    policy = sub.add_parser("policy", help="manage the policy content")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    imp = policy_sub.add_parser("import", help="turn a numbered policy document (.txt) into policy content")
    imp.add_argument("file", type=Path, help="the policy document as text")
    imp.add_argument("--out", type=Path, default=Path("policy_content"),
                     help="folder to write policy.yaml into (default: ./policy_content)")
    imp.set_defaults(handler=cmd_policy_import)
    _database_commands(sub)
    teams = sub.add_parser("teams", help="Microsoft Teams")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True, metavar="ACTION")
    package = teams_sub.add_parser("package", help="zip the Teams app manifest and icons with MICROSOFT_APP_ID filled in")
    package.add_argument("--out", type=Path, default=None, help="the zip to write (default: ./snp-bot-teams.zip)")
    package.set_defaults(handler=cmd_teams_package)
    return top


def _database_commands(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="the ticket database: migrations and the encryption key")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply the migrations to SNP_DATABASE_URL")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    down = db_sub.add_parser("downgrade", help="undo migrations down to REVISION ('base' empties the database)")
    down.add_argument("revision", help="target revision, or -1 for one step, or base")
    db_sub.add_parser("current", help="print the revision the database is at")
    db_sub.add_parser("key", help="print a new key for SNP_ENCRYPTION_KEY")
    db.set_defaults(handler=cmd_db)

    directory = sub.add_parser("directory", help="the staff directory")
    directory_sub = directory.add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    imp = directory_sub.add_parser("import", help="load or update the directory from a CSV file")
    imp.add_argument("file", type=Path, help="CSV: email,name,manager_email,role,slack_user_id,teams_user_id")
    imp.set_defaults(handler=cmd_directory_import)

    tickets = sub.add_parser("tickets", help="People Services' view of breach report tickets")
    tickets_sub = tickets.add_subparsers(dest="tickets_command", required=True, metavar="ACTION")
    for name, text in (("list", "tickets you may see (People Services: all)"), ("show", "one ticket"),
                       ("stats", "statistics for People Services (section 4.1.2)")):
        action = tickets_sub.add_parser(name, help=text)
        if name == "show":
            action.add_argument("reference", help="SNP-YYYY-NNNN")
        action.add_argument("--as", dest="as_email", metavar="EMAIL", required=True,
                            help="who you are in the staff directory; what you see depends on your role")
        action.add_argument("--json", action="store_true", help="print JSON")
        action.set_defaults(handler=cmd_tickets)


def _is_database_failure(exc: BaseException) -> bool:
    """A refused connection or a database error: an operator's problem to be told, not a traceback."""
    return isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in ("sqlalchemy", "asyncpg", "sqlite3")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    from bot.config import get_settings

    return make_url(get_settings().database_url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from bot.config import ConfigurationError
    from bot.policy.loader import PolicyContentError

    args = parser().parse_args(argv)
    if args.command not in ("ask", "check", "policy"):  # those log nothing: spare them the import
        from bot.logs import configure_logging

        configure_logging(level=30)  # warnings only, on stderr; `serve` logs at info
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        return args.handler(args)
    except PolicyContentError as exc:
        print(f"snp-bot: the policy content cannot be loaded: {exc}", file=sys.stderr)
        return 1
    except ConfigurationError as exc:
        print(f"snp-bot: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"snp-bot: invalid setting in the environment: {problems}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if not _is_database_failure(exc):
            raise
        print(f"snp-bot: the database does not answer ({_safe_url()}): {type(exc).__name__}: {exc}".splitlines()[0],
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
