"""The connection carries a transaction's statements to the database thread together
(storage.connection): fewer hops, the same statements in the same order, the same all-or-nothing."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from storage import Database, conversations, steps, users
from storage.connection import StorageError, later, later_sql, run
from storage.conversations import ConversationState
from tests.support.trips import count_trips

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "db.sqlite3") as opened:
        async with opened.transaction() as tx:
            await tx.execute("CREATE TABLE notes (n INTEGER NOT NULL UNIQUE)")
        yield opened


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every trip to the database thread, in order (work run on the event loop's thread is not one)."""
    return count_trips(monkeypatch)


async def _notes(db: Database) -> list[int]:
    async with db.reading() as conn:
        return [row[0] for row in await conn.execute_fetchall("SELECT n FROM notes ORDER BY rowid")]


async def test_begin_goes_with_the_first_statement_and_commit_with_the_waiting_writes(
    db: Database, hops: list[str]
) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO notes VALUES (1)")
        later_sql(tx, "INSERT INTO notes VALUES (2)")
        later_sql(tx, "INSERT INTO notes VALUES (3)")
    assert len(hops) == 1  # BEGIN + the insert; the two waiting inserts + COMMIT run on the loop
    assert await _notes(db) == [1, 2, 3]


async def test_a_transaction_that_ran_nothing_costs_no_hop(db: Database, hops: list[str]) -> None:
    async with db.transaction():
        pass
    assert hops == []
    async with db.transaction() as tx:  # and the next one still opens and commits
        await tx.execute("INSERT INTO notes VALUES (1)")
    assert await _notes(db) == [1]


async def test_waiting_writes_run_before_the_next_statement_in_the_order_given(db: Database) -> None:
    async with db.transaction() as tx:
        later_sql(tx, "INSERT INTO notes VALUES (5)")
        later_sql(tx, "INSERT INTO notes VALUES (4)")
        rows = await tx.execute_fetchall("SELECT n FROM notes ORDER BY rowid")
        assert [row[0] for row in rows] == [5, 4]  # the read sees them
        await tx.execute("INSERT INTO notes VALUES (6)")
    assert await _notes(db) == [5, 4, 6]


async def test_a_failing_waiting_write_fails_the_transaction_and_nothing_of_it_stays(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes VALUES (1)")
            later_sql(tx, "INSERT INTO notes VALUES (1)")  # breaks UNIQUE, at the commit
    assert await _notes(db) == []
    assert not db.conn.in_transaction
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO notes VALUES (2)")
    assert await _notes(db) == [2]


async def test_an_error_in_the_block_drops_the_waiting_writes(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes VALUES (1)")
            later_sql(tx, "INSERT INTO notes VALUES (2)")
            raise RuntimeError("boom")
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO notes VALUES (3)")
    assert await _notes(db) == [3]  # neither 1 nor 2, and 2 did not go with the next statement


async def test_a_step_cancelled_on_the_database_thread_leaves_no_open_transaction(db: Database) -> None:
    entered = asyncio.Event()

    def slow(raw: sqlite3.Connection) -> None:
        raw.execute("INSERT INTO notes VALUES (1)")
        entered.set()  # the thread is in the transaction now; the task is cancelled meanwhile

    async def step() -> None:
        async with db.transaction() as tx:
            await run(tx, slow)
            await asyncio.sleep(3600)

    task = asyncio.create_task(step())
    while not entered.is_set():
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO notes VALUES (2)")
    assert await _notes(db) == [2]


async def test_run_takes_several_statements_in_one_hop(db: Database, hops: list[str]) -> None:
    def two(raw: sqlite3.Connection) -> int:
        raw.execute("INSERT INTO notes VALUES (7)")
        raw.execute("INSERT INTO notes VALUES (8)")
        return int(raw.execute("SELECT count(*) FROM notes").fetchone()[0])

    async with db.transaction() as tx:
        assert await run(tx, two) == 2
    assert len(hops) == 1  # BEGIN + both inserts + the count; then COMMIT on the loop
    assert await _notes(db) == [7, 8]


async def test_a_persons_step_starts_and_saves_without_a_trip_to_the_thread(db: Database, hops: list[str]) -> None:
    async with db.transaction() as tx:
        start = await steps.start(tx, "telegram", "42", "42", "Arta", "u1", NOW)
        assert start.first_time and start.new_user and start.state is None and start.staff_account is None
        conversations.save(tx, start.user.id, ConversationState("apply", "name", token="t", answers={"a": 1}), NOW)
    async with db.transaction() as tx:
        again = await steps.start(tx, "telegram", "42", "42", "Arta", "u1", NOW)
    assert hops == []
    assert not again.first_time and not again.new_user and again.user.id == start.user.id
    assert again.state is not None and again.state.step == "name" and again.state.answers == {"a": 1}


async def test_a_returning_person_on_a_new_chat_is_reachable_there(db: Database) -> None:
    async with db.transaction() as tx:
        first, _ = await users.get_or_create(tx, "telegram", "42", "42", None, NOW)
        await users.mark_unreachable(tx, "telegram", "42", NOW)
    async with db.transaction() as tx:
        start = await steps.start(tx, "telegram", "42", "43", None, None, NOW)
    assert start.user.id == first.id and start.user.reachable and start.user.chat_id == "43"
    async with db.reading() as conn:
        stored = await users.get(conn, first.id)
    assert stored == start.user


async def test_the_helpers_refuse_a_connection_of_another_kind(tmp_path: Path) -> None:

    async with aiosqlite.connect(tmp_path / "plain.sqlite3") as plain:
        with pytest.raises(StorageError):
            later(plain, lambda raw: None)
        with pytest.raises(StorageError):
            await run(plain, lambda raw: None)


async def test_work_for_the_loop_waits_while_a_cancelled_trip_is_still_on_the_thread(
    db: Database, hops: list[str]
) -> None:
    """A step cancelled twice (while its statement ran, then while its rollback waited) gives
    up its turn with both still on the thread; the next step must queue behind them, not run
    beside them on the loop (its statements would land in the other's transaction)."""
    started, release = threading.Event(), threading.Event()

    def slow(raw: sqlite3.Connection) -> None:
        raw.execute("INSERT INTO notes VALUES (1)")
        started.set()
        release.wait(10)
        raw.execute("INSERT INTO notes VALUES (3)")  # still the cancelled step's transaction

    async def first() -> None:
        async with db.transaction() as tx:
            await run(tx, slow)

    task = asyncio.create_task(first())
    while not started.is_set():
        await asyncio.sleep(0.001)
    task.cancel()
    await asyncio.sleep(0.01)  # now waiting for its rollback, behind ``slow``
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def second() -> None:
        async with db.transaction() as tx:
            start = await steps.start(tx, "telegram", "7", "7", None, "u7", NOW)
            await run(tx, lambda raw: raw.execute("INSERT INTO notes VALUES (2)"))
            assert start.new_user

    trips_before = len(hops)
    follower = asyncio.create_task(second())
    await asyncio.sleep(0.05)
    assert not follower.done()  # it waits for the thread
    release.set()
    await follower
    assert len(hops) >= trips_before + 2  # its start and its insert went to the thread, behind the rollback
    assert await _notes(db) == [2]  # neither of the cancelled step's rows
    async with db.reading() as conn:
        assert await users.find(conn, "telegram", "7") is not None


async def test_a_step_waits_for_another_processs_write_lock_on_the_thread_not_on_the_loop(
    db: Database, tmp_path: Path
) -> None:
    """The CLI writing meanwhile holds the lock: the step waits (busy timeout) on the database
    thread while the event loop goes on serving everyone else, then goes through."""
    other = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES (1)")

    async def step() -> None:
        async with db.transaction() as tx:
            await steps.start(tx, "telegram", "9", "9", None, "u9", NOW)
            later_sql(tx, "INSERT INTO notes VALUES (2)")

    task = asyncio.create_task(step())
    ticks = 0
    for _ in range(20):  # the loop keeps turning while the step waits for the lock
        await asyncio.sleep(0.005)
        ticks += 1
    assert ticks == 20 and not task.done()
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(task, 10)
    assert await _notes(db) == [1, 2]
