"""`snp-bot directory import`: what the person running it sees, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.directory.importer import DirectoryFileError, ImportReport, import_directory, read_csv_file, run_import
from bot.directory.models import Person
from bot.policy import Policy

HEADER = "email,name,manager_email,role,slack_user_id,teams_user_id"
ENTRA_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
UNKNOWN_ROLE = "unknown role '{}' (use staff, manager, people_services, or leave it blank for staff)"

#: A small trust: a chief executive at the top of the chain, a manager, two staff and HR.
TRUST = [
    "ceo@example.nhs.uk,Chris Chief,ceo@example.nhs.uk,manager,U00CEO,",
    "mo@example.nhs.uk,Mo Manager,ceo@example.nhs.uk,manager,U00MO,",
    "sam@example.nhs.uk,Sam Staff,mo@example.nhs.uk,staff,U00SAM," + ENTRA_ID,
    "pat@example.nhs.uk,Pat People,ceo@example.nhs.uk,people_services,,",
]


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


async def run(db: Database, clock: ManualClock, *rows: str, header: str = HEADER) -> ImportReport:
    return await import_directory(db, csv_of(*rows, header=header), clock.now())


async def people(db: Database) -> dict[str, Person]:
    async with db.session() as session:
        return {person.email: person for person in await session.scalars(select(Person).order_by(Person.id))}


def reasons(report: ImportReport) -> dict[int, str]:
    return {line: reason for line, _email, reason in report.rejected}


# --- Added, changed, unchanged ------------------------------------------------------------------


async def test_a_new_directory_is_added(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, *TRUST)

    assert report.text() == "Directory import: 4 added, 0 changed, 0 unchanged, 0 rejected."
    directory = await people(db)
    assert list(directory) == ["ceo@example.nhs.uk", "mo@example.nhs.uk", "sam@example.nhs.uk", "pat@example.nhs.uk"]
    sam = directory["sam@example.nhs.uk"]
    assert (sam.name, sam.manager_email, sam.role) == ("Sam Staff", "mo@example.nhs.uk", "staff")
    assert (sam.slack_user_id, sam.teams_user_id) == ("U00SAM", ENTRA_ID)
    assert directory["pat@example.nhs.uk"].slack_user_id is None
    assert sam.updated_at == clock.now()


async def test_reimporting_the_same_file_changes_nothing(db: Database, clock: ManualClock) -> None:
    first = await run(db, clock, *TRUST)
    imported_at = clock.now()
    clock.advance(days=1)
    again = await run(db, clock, *TRUST)

    assert (first.added, again.added, again.changed, again.unchanged) == (4, 0, 0, 4)
    assert again.text() == "Directory import: 0 added, 0 changed, 4 unchanged, 0 rejected."
    assert all(person.updated_at == imported_at for person in (await people(db)).values())


async def test_a_changed_row_is_counted_and_updated(db: Database, clock: ManualClock) -> None:
    await run(db, clock, *TRUST)
    clock.advance(hours=3)
    edited = [*TRUST[:2], "sam@example.nhs.uk,Sam Senior,ceo@example.nhs.uk,manager,U00SAM," + ENTRA_ID, TRUST[3]]

    report = await run(db, clock, *edited)

    assert (report.added, report.changed, report.unchanged) == (0, 1, 3)
    sam = (await people(db))["sam@example.nhs.uk"]
    assert (sam.name, sam.manager_email, sam.role, sam.updated_at) == (
        "Sam Senior", "ceo@example.nhs.uk", "manager", clock.now())


async def test_people_missing_from_the_file_are_left_alone_and_counted(db: Database, clock: ManualClock) -> None:
    await run(db, clock, *TRUST)

    report = await run(db, clock, TRUST[0], TRUST[1])

    assert report.not_in_file == 2
    assert report.text() == ("Directory import: 0 added, 0 changed, 2 unchanged, 0 rejected.\n"
                             "2 people in the directory are not in this file; they were left as they are.")
    assert len(await people(db)) == 4
    assert (await run(db, clock, *TRUST[:3])).text().endswith(
        "1 person in the directory is not in this file; they were left as they are.")


async def test_emails_are_lower_cased_and_fields_trimmed(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "  Ceo@Example.NHS.uk , Chris Chief ,CEO@example.nhs.uk, Manager ,,")

    assert report.added == 1
    ceo = (await people(db))["ceo@example.nhs.uk"]
    assert (ceo.name, ceo.manager_email, ceo.role) == ("Chris Chief", "ceo@example.nhs.uk", "manager")


async def test_a_blank_role_means_staff_and_an_unknown_one_is_rejected(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "ann@example.nhs.uk,Ann,,,,", "bob@example.nhs.uk,Bob,,boss,,",
                       "cy@example.nhs.uk,Cy,,People Services,,")

    assert (await people(db))["ann@example.nhs.uk"].role == "staff"
    assert (await people(db))["cy@example.nhs.uk"].role == "people_services"
    assert report.rejected == [(3, "bob@example.nhs.uk", UNKNOWN_ROLE.format("boss"))]


async def test_header_columns_may_be_in_any_case_and_order_and_ids_optional(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "Manager,sam@example.nhs.uk,,Sam Staff", header="Role,EMAIL,Manager_Email,Name")

    assert report.added == 1
    sam = (await people(db))["sam@example.nhs.uk"]
    assert (sam.name, sam.role, sam.manager_email, sam.slack_user_id) == ("Sam Staff", "manager", None, None)


async def test_a_file_without_an_id_column_keeps_the_ids_already_known(db: Database, clock: ManualClock) -> None:
    await run(db, clock, *TRUST)

    report = await run(db, clock, "sam@example.nhs.uk,Sam Staff,mo@example.nhs.uk,staff",
                       header="email,name,manager_email,role")

    assert (report.changed, report.unchanged) == (0, 1)
    sam = (await people(db))["sam@example.nhs.uk"]
    assert (sam.slack_user_id, sam.teams_user_id) == ("U00SAM", ENTRA_ID)


async def test_blank_lines_are_skipped_and_lines_numbered_as_in_the_file(db: Database, clock: ManualClock) -> None:
    text = "\r\n".join([HEADER, "", TRUST[0], ",,,,,", "bad@,Bad,,,,", ""])

    report = await import_directory(db, text, clock.now())

    assert report.added == 1
    assert report.rejected == [(5, "", "bad email 'bad@': there must be something after the @-sign")]


# --- Rejections ---------------------------------------------------------------------------------


async def test_a_bad_email_is_rejected_and_the_rest_imported(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, TRUST[0], "sam at example,Sam,,,,", ",No Email,,,,", "eve@localhost,Eve,,,,")

    assert report.added == 1
    assert report.rejected[0] == (3, "", "bad email 'sam at example': an email address must have an @-sign")
    assert report.rejected[1] == (4, "", "no email")
    assert report.rejected[2][2].startswith("bad email 'eve@localhost'")
    assert report.text().splitlines()[:3] == [
        "Directory import: 1 added, 0 changed, 0 unchanged, 3 rejected.",
        "  line 3: bad email 'sam at example': an email address must have an @-sign",
        "  line 4: no email",
    ]


async def test_a_bad_manager_email_no_name_and_a_short_row_are_rejected(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "ann@example.nhs.uk,Ann,boss@,,,", "bob@example.nhs.uk,,,,,",
                       "cy@example.nhs.uk,Cy,,staff")

    assert reasons(report) == {
        2: "bad manager email 'boss@': there must be something after the @-sign",
        3: "no name",
        4: "has 4 fields; the header has 6",
    }
    assert report.rejected[0][1] == "ann@example.nhs.uk"
    assert await people(db) == {}


async def test_a_nul_byte_or_control_character_rejects_its_row_and_the_rest_import(
        db: Database, clock: ManualClock) -> None:
    """PostgreSQL refuses a NUL byte in text: without this check one stray byte in an export
    failed the whole import without saying where."""
    report = await run(db, clock, TRUST[0], "ann@example.nhs.uk,Ann\x00ette,,,,", "bob@example.nhs.uk,Bob,,,U0\x00BOB,",
                       "cy@example.nhs.uk,Cy\x1bCyan,,,,", "dee@example.nhs.uk,Dee,,staff\x7f,,")

    assert reasons(report) == {
        3: "name has a control character (U+0000) in it",
        4: "slack_user_id has a control character (U+0000) in it",
        5: "name has a control character (U+001B) in it",
        6: "role has a control character (U+007F) in it",
    }
    assert report.rejected[0][1] == "ann@example.nhs.uk"
    assert report.added == 1 and list(await people(db)) == ["ceo@example.nhs.uk"]


async def test_the_first_of_a_duplicated_email_wins(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "ann@example.nhs.uk,Ann One,,,,", TRUST[0], "ANN@example.nhs.uk,Ann Two,,,,")

    assert report.added == 2
    assert report.rejected == [(4, "ann@example.nhs.uk", "duplicate email (also on line 2)")]
    assert (await people(db))["ann@example.nhs.uk"].name == "Ann One"


async def test_an_unknown_manager_is_rejected(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "ann@example.nhs.uk,Ann,boss@example.nhs.uk,,,")

    assert report.rejected == [
        (2, "ann@example.nhs.uk", "unknown manager boss@example.nhs.uk (not in this file or the directory)")]


async def test_a_manager_may_come_later_in_the_file(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, *reversed(TRUST))

    assert (report.added, report.rejected) == (4, [])


async def test_a_manager_may_already_be_in_the_directory(db: Database, clock: ManualClock) -> None:
    await run(db, clock, TRUST[0], TRUST[1])

    report = await run(db, clock, "new@example.nhs.uk,New Starter,MO@example.nhs.uk,staff,,")

    assert (report.added, report.rejected, report.not_in_file) == (1, [], 2)
    assert (await people(db))["new@example.nhs.uk"].manager_email == "mo@example.nhs.uk"


async def test_a_person_may_manage_themselves_at_the_top_of_a_chain(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, TRUST[0])

    assert (report.added, report.rejected) == (1, [])
    assert (await people(db))["ceo@example.nhs.uk"].manager_email == "ceo@example.nhs.uk"


async def test_a_loop_of_two_is_rejected_whole(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, TRUST[0], "a@example.nhs.uk,A,b@example.nhs.uk,,,",
                       "b@example.nhs.uk,B,a@example.nhs.uk,,,")

    assert report.added == 1
    assert reasons(report) == {
        3: "loop in the management chain: a@example.nhs.uk → b@example.nhs.uk → a@example.nhs.uk",
        4: "loop in the management chain: b@example.nhs.uk → a@example.nhs.uk → b@example.nhs.uk",
    }


async def test_a_loop_of_three_is_rejected_whole_and_the_rows_below_it_too(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "a@example.nhs.uk,A,b@example.nhs.uk,,,", "b@example.nhs.uk,B,c@example.nhs.uk,,,",
                       "c@example.nhs.uk,C,a@example.nhs.uk,,,", "d@example.nhs.uk,D,c@example.nhs.uk,,,")

    assert report.added == 0
    assert reasons(report)[2] == ("loop in the management chain: "
                                  "a@example.nhs.uk → b@example.nhs.uk → c@example.nhs.uk → a@example.nhs.uk")
    assert reasons(report)[4].startswith("loop in the management chain: c@example.nhs.uk → a@example.nhs.uk")
    assert reasons(report)[5] == "manager's row was rejected (c@example.nhs.uk, line 4)"
    assert report.text().endswith("Nothing was imported: every row was rejected.")


async def test_a_loop_through_people_already_in_the_directory_is_rejected(db: Database, clock: ManualClock) -> None:
    await run(db, clock, *TRUST)

    report = await run(db, clock, "ceo@example.nhs.uk,Chris Chief,sam@example.nhs.uk,manager,U00CEO,")

    assert reasons(report) == {2: "loop in the management chain: ceo@example.nhs.uk → sam@example.nhs.uk → "
                                  "mo@example.nhs.uk → ceo@example.nhs.uk"}
    assert (await people(db))["ceo@example.nhs.uk"].manager_email == "ceo@example.nhs.uk"


async def test_rows_below_a_rejected_manager_are_rejected_in_turn(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "sam@example.nhs.uk,Sam,mo@example.nhs.uk,,,",
                       "boss@example.nhs.uk,Boss,,chief,,", "mo@example.nhs.uk,Mo,boss@example.nhs.uk,,,")

    assert reasons(report) == {
        2: "manager's row was rejected (mo@example.nhs.uk, line 4)",
        3: UNKNOWN_ROLE.format("chief"),
        4: "manager's row was rejected (boss@example.nhs.uk, line 3)",
    }
    assert await people(db) == {}


async def test_a_rejected_manager_already_in_the_directory_still_manages(db: Database, clock: ManualClock) -> None:
    await run(db, clock, TRUST[0], TRUST[1])

    report = await run(db, clock, "mo@example.nhs.uk,Mo Manager,ceo@example.nhs.uk,chief,,",
                       "new@example.nhs.uk,New Starter,mo@example.nhs.uk,,,")

    assert report.added == 1
    assert list(reasons(report)) == [2]


async def test_a_platform_id_used_twice_in_the_file_goes_to_the_first_row(db: Database, clock: ManualClock) -> None:
    report = await run(db, clock, "a@example.nhs.uk,A,,,U1,", "b@example.nhs.uk,B,,,U1,",
                       f"c@example.nhs.uk,C,,,,{ENTRA_ID}", f"d@example.nhs.uk,D,,,,{ENTRA_ID.upper()}")

    assert reasons(report) == {
        3: "slack_user_id U1 already belongs to a@example.nhs.uk (line 2)",
        5: f"teams_user_id {ENTRA_ID} already belongs to c@example.nhs.uk (line 4)",
    }


async def test_a_platform_id_owned_by_someone_in_the_directory_is_rejected(db: Database, clock: ManualClock) -> None:
    await run(db, clock, *TRUST)

    report = await run(db, clock, "new@example.nhs.uk,New,mo@example.nhs.uk,,U00SAM,")

    assert report.rejected == [
        (2, "new@example.nhs.uk", "slack_user_id U00SAM already belongs to sam@example.nhs.uk in the directory")]


async def test_people_may_swap_platform_ids_in_one_import(db: Database, clock: ManualClock) -> None:
    await run(db, clock, "a@example.nhs.uk,A,,,U1,", "b@example.nhs.uk,B,,,U2,")

    report = await run(db, clock, "a@example.nhs.uk,A,,,U2,", "b@example.nhs.uk,B,,,U1,", "c@example.nhs.uk,C,,,U3,")

    assert (report.added, report.changed, report.rejected) == (1, 2, [])
    assert {email: p.slack_user_id for email, p in (await people(db)).items()} == {
        "a@example.nhs.uk": "U2", "b@example.nhs.uk": "U1", "c@example.nhs.uk": "U3"}


# --- The file as a whole ------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "message"), [
    ("email,name,role", "missing column(s) in the header: manager_email"),
    ("email,name,manager_email,role,department", "unknown column(s) in the header: 'department'"),
    ("email,name,manager_email,role,email", "column(s) named twice in the header: email"),
    ("email;name;manager_email;role", "the header has one column; separate the columns with commas"),
])
async def test_a_bad_header_is_refused_and_nothing_written(
        db: Database, clock: ManualClock, header: str, message: str) -> None:
    with pytest.raises(DirectoryFileError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        await run(db, clock, "ann@example.nhs.uk,Ann,,,,", header=header)

    assert await people(db) == {}


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"), ("\n\n", "the file is empty"), (HEADER + "\n", "the file has a header but no people")])
async def test_an_empty_file_is_refused(db: Database, clock: ManualClock, text: str, message: str) -> None:
    with pytest.raises(DirectoryFileError, match=message):
        await import_directory(db, text, clock.now())


async def test_a_byte_order_mark_is_ignored(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_of(*TRUST).encode("utf-8-sig"))

    assert read_csv_file(path).startswith("email,")
    assert (await import_directory(db, "\ufeff" + csv_of(*TRUST), clock.now())).added == 4


def test_an_unreadable_or_non_utf8_file_is_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(csv_of("zoe@example.nhs.uk,Zoë,,,,").encode("latin-1"))

    with pytest.raises(DirectoryFileError, match="is not UTF-8 text"):
        read_csv_file(latin)
    with pytest.raises(DirectoryFileError, match="cannot be read"):
        read_csv_file(tmp_path / "missing.csv")


# --- The command --------------------------------------------------------------------------------


def test_the_command_prints_the_report(tmp_path: Path, policy: Policy, capsys: pytest.CaptureFixture[str]) -> None:
    def core() -> Core:
        return Core(Settings(snp_database_url=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'snp.sqlite3'}"),
                    policy, ManualClock())

    good, bad, rejected = tmp_path / "staff.csv", tmp_path / "bad.csv", tmp_path / "rejected.csv"
    good.write_text(csv_of(*TRUST, "bob@example.nhs.uk,Bob,nobody@example.nhs.uk,,,"), encoding="utf-8")
    bad.write_text(csv_of(*TRUST, header="email,name"), encoding="utf-8")
    rejected.write_text(csv_of("x@,X,,,,"), encoding="utf-8")

    assert run_import(core(), good) == 0
    assert capsys.readouterr().out == (
        "Directory import: 4 added, 0 changed, 0 unchanged, 1 rejected.\n"
        "  line 6 (bob@example.nhs.uk): unknown manager nobody@example.nhs.uk (not in this file or the directory)\n")
    assert run_import(core(), good) == 0
    assert capsys.readouterr().out.startswith("Directory import: 0 added, 0 changed, 4 unchanged, 1 rejected.")

    assert run_import(core(), bad) == 1
    assert capsys.readouterr().err == (f"snp-bot directory import: {bad}: missing column(s) in the header: "
                                       "manager_email, role (required: email, name, manager_email, role; "
                                       "optional: slack_user_id, teams_user_id)\n")
    assert run_import(core(), rejected) == 1
    assert "Nothing was imported: every row was rejected." in capsys.readouterr().out
    assert run_import(core(), tmp_path / "missing.csv") == 1
    assert "missing.csv: cannot be read" in capsys.readouterr().err
