"""People's steps that come together share one COMMIT (storage.db, Database._step): each
still ends only once its work is on disk, a failing one undoes only its own work, and a
COMMIT that fails takes the whole group with it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database
from storage.connection import later_sql
from storage.db import GROUP_MOST, mark_erased


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "db.sqlite3") as opened:
        async with opened.transaction() as tx:
            await tx.execute("CREATE TABLE notes (n INTEGER NOT NULL UNIQUE)")
            await tx.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
            await tx.execute("CREATE TABLE kids (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)")
        yield opened


@pytest.fixture
def commits(db: Database) -> list[str]:
    """Every COMMIT the bot's connection runs, on whichever thread."""
    seen: list[str] = []
    raw = db.conn._connection
    assert raw is not None
    raw.set_trace_callback(lambda sql: seen.append(sql) if sql.strip().upper() == "COMMIT" else None)
    return seen


def on_disk(db: Database) -> list[int]:
    """What another connection (another process) reads: only what was committed."""
    other = sqlite3.connect(db.path)
    try:
        return sorted(row[0] for row in other.execute("SELECT n FROM notes"))
    finally:
        other.close()


async def note_step(db: Database, n: int) -> list[int]:
    """A person's step writing one note; what is on disk right after its block ends."""
    async with db.transaction(here=True) as tx:
        await tx.execute("INSERT INTO notes VALUES (?)", (n,))
    return on_disk(db)


async def test_steps_that_come_together_share_one_commit_and_each_ends_with_its_work_on_disk(
    db: Database, commits: list[str]
) -> None:
    seen = await asyncio.gather(*(note_step(db, n) for n in range(10)))
    assert len(commits) == 1
    for n, committed in enumerate(seen):
        assert n in committed  # the block ended only after the COMMIT that holds its work
    assert on_disk(db) == list(range(10))


async def test_a_lone_step_commits_without_waiting_for_anyone(db: Database, commits: list[str]) -> None:
    assert await asyncio.wait_for(note_step(db, 1), 1) == [1]
    assert len(commits) == 1


async def test_a_group_has_at_most_group_most_steps(db: Database, commits: list[str]) -> None:
    await asyncio.gather(*(note_step(db, n) for n in range(GROUP_MOST + 5)))
    assert len(commits) == 2
    assert on_disk(db) == list(range(GROUP_MOST + 5))


async def test_a_failing_step_undoes_its_own_work_only(db: Database, commits: list[str]) -> None:
    async def failing() -> None:
        async with db.transaction(here=True) as tx:
            await tx.execute("INSERT INTO notes VALUES (99)")
            raise RuntimeError("the flow failed")

    results = await asyncio.gather(note_step(db, 1), failing(), note_step(db, 2), return_exceptions=True)
    assert isinstance(results[1], RuntimeError)
    assert on_disk(db) == [1, 2]
    assert len(commits) == 1


async def test_a_waiting_write_that_fails_fails_its_own_step_not_the_next(db: Database) -> None:
    async def breaking() -> None:
        async with db.transaction(here=True) as tx:
            await tx.execute("INSERT INTO notes VALUES (5)")
            later_sql(tx, "INSERT INTO notes VALUES (1)")  # breaks UNIQUE with the step before it

    results = await asyncio.gather(note_step(db, 1), breaking(), note_step(db, 2), return_exceptions=True)
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert not isinstance(results[2], BaseException)
    assert on_disk(db) == [1, 2]  # neither 5 nor the second 1


async def test_a_commit_that_fails_fails_every_step_of_the_group_and_keeps_nothing(db: Database) -> None:
    async def orphan() -> None:
        async with db.transaction(here=True) as tx:
            await tx.execute("INSERT INTO kids VALUES (7)")  # no parent 7: refused only at the COMMIT

    results = await asyncio.gather(note_step(db, 1), orphan(), note_step(db, 2), return_exceptions=True)
    assert all(isinstance(result, sqlite3.IntegrityError) for result in results), results
    assert on_disk(db) == []
    assert await note_step(db, 3) == [3]  # and the next step starts afresh


async def test_whoever_takes_the_connection_next_commits_the_group_first(db: Database) -> None:
    step = asyncio.create_task(note_step(db, 1))
    await asyncio.sleep(0)  # the step runs and hands over, its COMMIT still to come
    assert not step.done() and on_disk(db) == []
    async with db.reading():  # a staff page, say, before the group's own COMMIT comes
        assert on_disk(db) == [1]
    assert await step == [1]


async def test_a_step_that_erases_commits_at_once_and_truncates_the_log(db: Database, commits: list[str]) -> None:
    async with db.transaction(here=True) as tx:
        await tx.execute("INSERT INTO notes VALUES (1)")
        mark_erased(tx)
    assert len(commits) == 1
    wal = Path(f"{db.path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_a_step_cancelled_while_it_waits_for_the_commit_leaves_the_others_committed(db: Database) -> None:
    first = asyncio.create_task(note_step(db, 1))
    await asyncio.sleep(0)  # it handed over and waits for the group's COMMIT
    first.cancel()
    assert await note_step(db, 2) == [1, 2]  # its work was already part of the group
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_closing_the_database_commits_the_steps_waiting_for_it(tmp_path: Path) -> None:
    db = await Database(tmp_path / "db.sqlite3").open()
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE notes (n INTEGER NOT NULL UNIQUE)")
    step = asyncio.create_task(note_step(db, 1))
    await asyncio.sleep(0)  # handed over, its COMMIT still to come
    await db.close()
    assert await step == [1]
    assert on_disk(db) == [1]
