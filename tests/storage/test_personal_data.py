"""The declared list of where a person's data lives matches the schema, and erasure misses nothing."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.reports.attendance import attendance_csv
from bot.reports.exports import applications_csv
from bot.reports.indicators import build_report
from bot.reports.survey_export import survey_csv
from bot.runtime import Runtime
from bot.services import people
from bot.surveys.loader import catalogue_for
from storage import Database, outbox, users
from storage.personal_data import NOT_ABOUT_A_PERSON, PERSON_TABLES
from tests.support.privacy import NAME, PHONE, every_row, full_person, traces

# A column that points at one of these points at a person (or at something that does).
PERSON_KEYS = {"users", "applications", "enrolments", "survey_invitations"}


async def undeclared(conn: aiosqlite.Connection) -> list[str]:
    """What the schema has that storage/personal_data.py does not account for."""
    problems = []
    declared = {entry.table: entry for entry in PERSON_TABLES}
    tables = [
        row[0]
        for row in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        columns = [row[1] for row in await conn.execute_fetchall(f"PRAGMA table_info('{table}')")]
        keys = {row[3]: row[2] for row in await conn.execute_fetchall(f"PRAGMA foreign_key_list('{table}')")}
        entry = declared.get(table)
        if entry is None and table not in NOT_ABOUT_A_PERSON:
            problems.append(f"table {table} is neither declared as a person's nor as about no one")
            continue
        if entry is None:
            for column, target in keys.items():
                if target in PERSON_KEYS:
                    problems.append(f"{table}.{column} refers to {target} but {table} is declared about no one")
            continue
        if table in NOT_ABOUT_A_PERSON:
            problems.append(f"table {table} is declared twice")
        if not entry.delete:
            for column in columns:
                if column not in entry.columns:
                    problems.append(f"{table}.{column}: how erasure treats it is not declared")
            for column in entry.columns:
                if column not in columns:
                    problems.append(f"{table}.{column} is declared but does not exist")
    for table in set(declared) | set(NOT_ABOUT_A_PERSON):
        if table not in tables:
            problems.append(f"table {table} is declared but does not exist")
    return problems


async def test_every_table_and_column_is_declared(runtime: Runtime) -> None:
    async with runtime.db.reading() as conn:
        assert await undeclared(conn) == []


async def test_a_migration_adding_personal_data_without_its_erasure_fails(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        conn = db.conn
        await conn.execute(
            "CREATE TABLE pets (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), name TEXT)"
        )
        await conn.execute("ALTER TABLE applications ADD COLUMN nickname TEXT")
        await conn.execute("ALTER TABLE programmes ADD COLUMN owner_id INTEGER REFERENCES users(id)")
        problems = await undeclared(conn)
    assert "table pets is neither declared as a person's nor as about no one" in problems
    assert "applications.nickname: how erasure treats it is not declared" in problems
    assert "programmes.owner_id refers to users but programmes is declared about no one" in problems


async def test_erasure_leaves_nothing_identifying_in_any_table(runtime: Runtime) -> None:
    person = await full_person(runtime)
    catalogue = catalogue_for(runtime.settings.survey_dir)
    async with runtime.db.reading() as conn:
        before = await build_report(conn, catalogue, runtime.clock.now())
    everything = await every_row(runtime)
    # the person is really everywhere before
    ids = [person.user_id, person.viber_user_id]
    assert len(traces(everything, person.identifying(), ids)) > 20

    async with runtime.db.transaction() as tx:
        erased = await people.erase(tx, person.user_id, runtime.clock.now())
    assert erased.accounts == 2 and erased.applications == 1 and erased.scrubbed_messages == 2

    after_rows = await every_row(runtime)
    assert traces(after_rows, person.identifying(), ids) == []
    (application,) = after_rows["applications"]
    assert application["status"] == "withdrawn"  # as the confirmation says
    assert str(application["reference"]).startswith("X-")
    assert application["birth_year"] == 2010 and application["age_at_application"] == 16
    assert application["municipality"] == "prishtine" and application["gender"] == "female"
    assert [h["to_status"] for h in after_rows["application_status_history"]][-1] == "withdrawn"
    notices = [r for r in after_rows["outbox"] if r["kind"] == "staff_notice"]
    assert notices and all(r["status"] == "cancelled" and r["payload"] == '{"erased": true}' for r in notices)
    assert not [r for r in after_rows["conversations"] if r["flow"] == "accept"]  # staff's form held the reference
    assert after_rows["survey_answers"] and all(not r["free_text"] for r in after_rows["survey_answers"])
    async with runtime.db.reading() as conn:
        after = await build_report(conn, catalogue, runtime.clock.now())
        survey = catalogue.get("employment-followup")
        assert survey is not None
        exports = [
            (await applications_csv(conn))[0],
            (await survey_csv(conn, survey, runtime.settings.timezone))[0],
            (await attendance_csv(conn, runtime.settings.timezone))[0],
        ]
    assert after == before  # the report counts the same
    for content in exports:  # and the staff exports hold nothing of the person
        text = content.decode("utf-8-sig")
        assert [value for value in person.identifying() if value in text] == []
    assert "prishtine" in exports[0].decode("utf-8-sig")  # the anonymous columns are still there


async def test_erased_values_are_not_left_in_the_database_files(runtime: Runtime) -> None:
    person = await full_person(runtime)
    path = runtime.settings.database_path
    wal = Path(f"{path}-wal")
    async with runtime.db.reading() as conn:
        await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert NAME.encode() in path.read_bytes()  # the check can see a value that is there
    async with runtime.db.transaction() as tx:
        await people.erase(tx, person.user_id, runtime.clock.now())
    assert not wal.exists() or wal.stat().st_size == 0  # the log was truncated after the erasure
    content = path.read_bytes()
    for value in (NAME, PHONE, person.reference):
        assert value.encode() not in content, value


async def test_after_an_erasure_the_next_step_commits(runtime: Runtime) -> None:
    """The log's truncation after an erasure is a statement that returns a row: left half-read,
    it kept a statement in progress and the next COMMIT on the connection failed."""
    person = await full_person(runtime)
    async with runtime.db.transaction() as tx:
        await people.erase(tx, person.user_id, runtime.clock.now())
    async with runtime.db.transaction(here=True) as tx:  # a person's step, as the engine runs it
        other, _ = await users.get_or_create(tx, "telegram", "777", "777", "Next", runtime.clock.now())
    async with runtime.db.reading() as conn:
        assert await users.get(conn, other.id) is not None


async def test_someone_elses_message_that_happens_to_name_them_stays(runtime: Runtime) -> None:
    person = await full_person(runtime)
    async with runtime.db.transaction() as tx:
        await outbox.enqueue(
            tx, channel="telegram", chat_id="5555", user_id=None, kind="broadcast",
            payload={"text": f"Meet our trainer {NAME} on Friday!"}, now=runtime.clock.now(), bulk=True,
        )  # fmt: skip
        await people.erase(tx, person.user_id, runtime.clock.now())
    (broadcast,) = [r for r in (await every_row(runtime))["outbox"] if r["kind"] == "broadcast"]
    assert broadcast["status"] == "pending" and NAME in str(broadcast["payload"])
