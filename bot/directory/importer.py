"""`snp-bot directory import FILE.csv`: load or update the staff directory from a CSV file.

The file is the organisation's own export (HR or Entra), so it is never trusted whole: each row is
checked on its own (email, name, role, ids) and then against the rest (duplicates, managers that
exist, management chains without loops, platform ids owned by one person). A bad row is reported
with a reason a person can act on and left out; the good rows go in together, in one transaction,
so a run either writes all that it reports or nothing.

The checks are made against the directory as it will be after the import: the people already in
the database, overlaid with the accepted rows. Rejecting a row can make others wrong (its reports
lose their manager, or the old copy of the person keeps an id someone else now claims), so the
checks repeat until no further row is rejected. A rejection is never undone.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.directory.models import Person, Role
from bot.directory.service import normalise_email

if TYPE_CHECKING:
    from bot.core import Core

REQUIRED = ("email", "name", "manager_email", "role")
OPTIONAL = ("slack_user_id", "teams_user_id")
COLUMNS = REQUIRED + OPTIONAL
PLATFORM_IDS = OPTIONAL
#: Longest values the `people` table holds (PostgreSQL refuses longer ones; SQLite would keep them).
MAX_LENGTH = {"name": 200, "slack_user_id": 40, "teams_user_id": 64}
ROLES = tuple(role.value for role in Role)
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: Control characters (a tab or line break inside a field too) and halves of a surrogate pair: no
#: name, email, role or id has one, and PostgreSQL refuses a NUL byte in any text.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class DirectoryFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, empty, bad header); nothing was written."""


class _RowRejected(ValueError):
    """One row cannot be imported; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Row:
    """One person as the file gives them, checked and normalised."""

    line: int
    email: str
    name: str
    manager_email: str | None
    role: str
    slack_user_id: str | None
    teams_user_id: str | None

    def fields(self) -> tuple[str, str | None, str, str | None, str | None]:
        """What an import may change, to tell "changed" from "unchanged"."""
        return (self.name, self.manager_email, self.role, self.slack_user_id, self.teams_user_id)

    def platform_ids(self) -> Iterator[tuple[str, str]]:
        for column in PLATFORM_IDS:
            value = getattr(self, column)
            if value:
                yield column, value


Rejection = tuple[int, str, str]


@dataclass
class ImportReport:
    """What an import did, for the person who ran it."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    #: (line number, email or "", reason), in line order.
    rejected: list[Rejection] = field(default_factory=list)
    #: People in the directory whom the file does not mention (they are left as they are).
    not_in_file: int = 0

    @property
    def everything_rejected(self) -> bool:
        return bool(self.rejected) and not (self.added or self.changed or self.unchanged)

    def text(self) -> str:
        lines = [f"Directory import: {self.added} added, {self.changed} changed, {self.unchanged} unchanged, "
                 f"{len(self.rejected)} rejected."]
        for line, email, reason in self.rejected:
            lines.append(f"  line {line}{f' ({email})' if email else ''}: {reason}")
        if self.everything_rejected:
            lines.append("Nothing was imported: every row was rejected.")
        if self.not_in_file:
            people = "1 person in the directory is" if self.not_in_file == 1 else \
                f"{self.not_in_file} people in the directory are"
            lines.append(f"{people} not in this file; they were left as they are.")
        return "\n".join(lines)


@dataclass
class _Parsed:
    """The file read row by row: rows that passed their own checks, and those that did not."""

    columns: set[str]
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: Every valid email in the file and the line that first gave it.
    emails: dict[str, int] = field(default_factory=dict)


# --- Reading the file ---------------------------------------------------------------------------


def read_csv_file(path: Path) -> str:
    """The file's text. Excel's "CSV UTF-8" starts with a byte-order mark, which is dropped."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DirectoryFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(
            f"{path}: is not UTF-8 text (byte {exc.start + 1}); save it as \"CSV UTF-8\"") from exc


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DirectoryFileError(f"line {reader.line_num}: not readable as CSV ({exc})") from exc


def _blank(record: list[str]) -> bool:
    return not any(value.strip() for value in record)


def _column_name(value: str) -> str:
    """'Manager Email' and 'manager-email' name the column manager_email."""
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def _header(record: list[str]) -> list[str]:
    """The header's column names; a DirectoryFileError says what is wrong with it."""
    names = [_column_name(value) for value in record]
    if len(names) == 1 and any(sep in record[0] for sep in ";\t|"):
        raise DirectoryFileError("the header has one column; separate the columns with commas")
    unknown = [f"'{name}'" if name else f"an unnamed column (column {i})"
               for i, name in enumerate(names, 1) if name not in COLUMNS]
    if unknown:
        raise DirectoryFileError(f"unknown column(s) in the header: {', '.join(unknown)} "
                                 f"(expected {', '.join(COLUMNS)})")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DirectoryFileError(f"column(s) named twice in the header: {', '.join(repeated)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise DirectoryFileError(f"missing column(s) in the header: {', '.join(missing)} "
                                 f"(required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)})")
    return names


def _parse(text: str) -> _Parsed:
    """Read the header and check each row on its own; duplicates of an earlier email are rejected."""
    records = (item for item in _records(text) if not _blank(item[1]))
    first = next(records, None)
    if first is None:
        raise DirectoryFileError("the file is empty")
    names = _header(first[1])
    parsed = _Parsed(columns=set(names))
    for line, record in records:
        _add_record(parsed, names, line, record)
    if not parsed.rows and not parsed.rejected:
        raise DirectoryFileError("the file has a header but no people")
    return parsed


def _add_record(parsed: _Parsed, names: list[str], line: int, record: list[str]) -> None:
    email = ""
    try:
        if len(record) != len(names):
            raise _RowRejected(f"has {len(record)} fields; the header has {len(names)}")
        values = dict(zip(names, (value.strip() for value in record), strict=True))
        email = _email(values["email"], "email")
        _no_control_characters(values)
        if email in parsed.emails:
            raise _RowRejected(f"duplicate email (also on line {parsed.emails[email]})")
        parsed.emails[email] = line
        parsed.rows.append(_row(line, email, values))
    except _RowRejected as exc:
        parsed.rejected.append((line, email, str(exc)))


def _no_control_characters(values: dict[str, str]) -> None:
    """Refuse the row, naming the column and the character, rather than let one byte fail the
    whole import in the database without saying where."""
    for column, value in values.items():
        if found := CONTROL.search(value):
            raise _RowRejected(f"{column} has a control character (U+{ord(found.group()):04X}) in it")


def _email(value: str, what: str) -> str:
    """A normalised email (as the directory looks people up), or the reason it is not one."""
    if not value:
        raise _RowRejected(f"no {what}")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        detail = str(exc).rstrip(".")
        raise _RowRejected(f"bad {what} '{value}': {detail[:1].lower()}{detail[1:]}") from exc
    return normalise_email(value)


def _row(line: int, email: str, values: dict[str, str]) -> Row:
    """Check the fields other than the email."""
    if not values["name"]:
        raise _RowRejected("no name")
    for column, limit in MAX_LENGTH.items():
        if len(values.get(column, "")) > limit:
            raise _RowRejected(f"{column} is longer than {limit} characters")
    manager = values["manager_email"]
    return Row(line=line, email=email, name=values["name"],
               manager_email=_email(manager, "manager email") if manager else None,
               role=_role(values["role"]),
               slack_user_id=_platform_id(values.get("slack_user_id", ""), "slack_user_id"),
               teams_user_id=_teams_id(values.get("teams_user_id", "")))


def _role(value: str) -> str:
    role = _column_name(value) or Role.STAFF.value
    if role not in ROLES:
        raise _RowRejected(f"unknown role '{value}' (use {', '.join(ROLES)}, or leave it blank for staff)")
    return role


def _platform_id(value: str, column: str) -> str | None:
    if any(char.isspace() for char in value):
        raise _RowRejected(f"{column} '{value}' has a space in it")
    return value or None


def _teams_id(value: str) -> str | None:
    """An Entra object id is a GUID, which Teams sends in lower case; other values are kept as given."""
    value = _platform_id(value, "teams_user_id") or ""
    return (value.lower() if GUID.match(value) else value) or None


# --- Checking rows against each other and the directory -----------------------------------------


def _keep_absent_columns(parsed: _Parsed, existing: dict[str, Person]) -> list[Row]:
    """A file without an id column leaves the ids already in the directory as they are."""
    absent = [column for column in OPTIONAL if column not in parsed.columns]
    rows = []
    for row in parsed.rows:
        person = existing.get(row.email)
        kept = {column: getattr(person, column) for column in absent} if person else {}
        rows.append(replace(row, **kept) if kept else row)
    return rows


def _settle(rows: list[Row], existing: dict[str, Person], emails: dict[str, int]) -> dict[int, str]:
    """The reason for each row (by line) that cannot go in, rejecting until the rest is consistent.

    Managers and loops are settled first; platform ids are checked only among rows whose chain is
    sound, so a row is not refused an id by a row that is itself refused for its manager.
    """
    rejected: dict[int, str] = {}
    while True:
        live = [row for row in rows if row.line not in rejected]
        found = _chain_problems(live, existing, emails) or _platform_problems(live, existing)
        if not found:
            return rejected
        rejected.update(found)


def _chart(live: list[Row], existing: dict[str, Person]) -> dict[str, str | None]:
    """Everyone's manager after the import; a self-managed person (top of a chain) has none."""
    chart = {email: person.manager_email for email, person in existing.items()}
    chart.update({row.email: row.manager_email for row in live})
    return {email: None if manager == email else manager for email, manager in chart.items()}


def _chain_problems(live: list[Row], existing: dict[str, Person], emails: dict[str, int]) -> dict[int, str]:
    """Rows whose manager is nowhere, or that sit on a loop, and the rows below them."""
    chart = _chart(live, existing)
    found: dict[int, str] = {}
    for row in live:
        manager = chart[row.email]
        if manager is not None and manager not in chart:
            found[row.line] = _missing_manager(manager, emails)
    rows = {row.email: row for row in live}
    for email, cycle in _cycles(chart).items():
        if email in rows:
            found[rows[email].line] = "loop in the management chain: " + " → ".join(cycle)
    _cascade(found, live, existing)
    return found


def _missing_manager(manager: str, emails: dict[str, int]) -> str:
    if manager in emails:
        return f"manager's row was rejected ({manager}, line {emails[manager]})"
    return f"unknown manager {manager} (not in this file or the directory)"


def _cycles(chart: dict[str, str | None]) -> dict[str, list[str]]:
    """Each person on a loop of two or more, with the loop written from them back to them.

    Everyone has at most one manager, so walking up from each person once finds every loop.
    """
    done: set[str] = set()
    found: dict[str, list[str]] = {}
    for start in chart:
        path: dict[str, int] = {}
        email: str | None = start
        while email is not None and email in chart and email not in done and email not in path:
            path[email] = len(path)
            email = chart[email]
        if email is not None and email in path:
            loop = list(path)[path[email]:]
            for i, member in enumerate(loop):
                found[member] = loop[i:] + loop[:i] + [member]
        done.update(path)
    return found


def _cascade(found: dict[int, str], live: list[Row], existing: dict[str, Person]) -> None:
    """Reject the rows below a rejected row, unless the directory already has that manager."""
    below: dict[str, list[Row]] = defaultdict(list)
    for row in live:
        if row.manager_email and row.manager_email != row.email:
            below[row.manager_email].append(row)
    queue = [row for row in live if row.line in found and row.email not in existing]
    while queue:
        manager = queue.pop()
        for row in below[manager.email]:
            if row.line not in found:
                found[row.line] = f"manager's row was rejected ({manager.email}, line {manager.line})"
                if row.email not in existing:
                    queue.append(row)


def _platform_problems(live: list[Row], existing: dict[str, Person]) -> dict[int, str]:
    """Rows claiming a Slack or Teams id that someone else keeps; the first row in the file wins."""
    in_file = {row.email for row in live}
    owners: dict[tuple[str, str], str] = {}
    for person in existing.values():
        if person.email not in in_file:
            for column in PLATFORM_IDS:
                if getattr(person, column):
                    owners[(column, getattr(person, column))] = f"{person.email} in the directory"
    found: dict[int, str] = {}
    for row in live:
        taken = [(key, owners[key]) for key in row.platform_ids() if key in owners]
        if taken:
            (column, value), owner = taken[0]
            found[row.line] = f"{column} {value} already belongs to {owner}"
            continue
        owners.update({key: f"{row.email} (line {row.line})" for key in row.platform_ids()})
    return found


# --- Writing ------------------------------------------------------------------------------------


async def _write(session: AsyncSession, rows: list[Row], existing: dict[str, Person], now: datetime) -> ImportReport:
    """Insert new people and update changed ones; ids that move are released first."""
    report = ImportReport()
    changed = [row for row in rows if row.email in existing and _fields(existing[row.email]) != row.fields()]
    new = [row for row in rows if row.email not in existing]
    report.added, report.changed = len(new), len(changed)
    report.unchanged = len(rows) - len(new) - len(changed)
    moving = [existing[row.email] for row in changed if _ids(existing[row.email]) != _ids(row)]
    for person in moving:
        person.slack_user_id = person.teams_user_id = None
    await session.flush()
    for row in changed:
        _apply(existing[row.email], row, now)
    session.add_all(_apply(Person(email=row.email), row, now) for row in new)
    await session.flush()
    return report


def _fields(person: Person) -> tuple[str, str | None, str, str | None, str | None]:
    return (person.name, person.manager_email, person.role, person.slack_user_id, person.teams_user_id)


def _ids(item: Person | Row) -> tuple[str | None, str | None]:
    return item.slack_user_id, item.teams_user_id


def _apply(person: Person, row: Row, now: datetime) -> Person:
    person.name, person.manager_email, person.role = row.name, row.manager_email, row.role
    person.slack_user_id, person.teams_user_id = row.slack_user_id, row.teams_user_id
    person.updated_at = now
    return person


async def import_directory(db: Database, text: str, now: datetime) -> ImportReport:
    """Load or update the directory from a CSV file's text, in one transaction.

    Re-importing the same file changes nothing. People the file does not mention are kept: an
    export that misses a department must not delete its people and orphan their tickets.
    """
    parsed = _parse(text)
    async with db.session() as session, session.begin():
        existing = {person.email: person for person in await session.scalars(select(Person))}
        rows = _keep_absent_columns(parsed, existing)
        refused = _settle(rows, existing, parsed.emails)
        report = await _write(session, [row for row in rows if row.line not in refused], existing, now)
    refused_rows = [(row.line, row.email, refused[row.line]) for row in rows if row.line in refused]
    report.rejected = sorted(parsed.rejected + refused_rows)
    report.not_in_file = len(existing.keys() - parsed.emails.keys())
    return report


# --- The command --------------------------------------------------------------------------------


def run_import(core: Core, path: Path) -> int:
    """`snp-bot directory import FILE.csv`: 0 when anything was imported (even with rejected rows)."""
    return asyncio.run(_run_import(core, path))


async def _run_import(core: Core, path: Path) -> int:
    try:
        text = read_csv_file(path)
        db = core.db
    except DirectoryFileError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"the database cannot be opened ({exc})")
    try:
        return await _import_and_print(db, text, core.clock.now())
    except DirectoryFileError as exc:
        return _fail(f"{path}: {exc}")
    except OSError as exc:
        return _fail(f"the database cannot be reached ({exc})")
    except SQLAlchemyError as exc:
        return _fail(f"the database refused the import ({type(exc).__name__}); nothing was written")
    finally:
        await db.dispose()


async def _import_and_print(db: Database, text: str, now: datetime) -> int:
    if not await db.ensure_schema():
        return _fail("the database is behind this version of snp-bot; run `snp-bot db upgrade` first")
    report = await import_directory(db, text, now)
    print(report.text())
    return 1 if report.everything_rejected else 0


def _fail(message: str) -> int:
    print(f"snp-bot directory import: {message}", file=sys.stderr)
    return 1


__all__ = ["DirectoryFileError", "ImportReport", "import_directory", "read_csv_file", "run_import"]
