"""One connection, one lock, numbered migrations.

SQLite allows one writer at a time. Inside the bot every statement goes
through a single aiosqlite connection taken in turns (``storage.turns``:
people's steps before the outbox), so two users' steps never interleave
inside a transaction and no coroutine ever sees "database is locked". Other
processes (the CLI exporting while the bot runs) wait on ``busy_timeout``
instead of failing. A step's start and every commit run on the event loop's
thread when the connection's thread is idle (``storage.connection``): the
connection is opened for use from both, and the turns keep it to one at a time.
People's steps that come together share one COMMIT, each in a savepoint of its
own (``Database._step``), and each ends only once its work is committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.connection import Connection as StepConnection
from storage.connection import StorageError as StorageError
from storage.turns import Turns

log = logging.getLogger(__name__)

# The connection every storage function takes; flows and services name it through storage,
# so a second backend changes this one line, not their imports.
Connection = aiosqlite.Connection

BUSY_TIMEOUT_MS = 30_000
# People's steps that come together share one transaction and one COMMIT (Database._step):
# at most this many. A COMMIT writes every page a step touched to the log;
# steps of one group touch mostly the same pages (the updates claimed, the conversations, the
# funnel's counts), so the log and its checkpoints shrink with the commits.
GROUP_MOST = 64
# Pages in the write-ahead log before a commit copies them into the database file (SQLite's
# default: 1,000). A person's step writes about ten pages and commits on the event loop's
# thread, so the commit that passes the mark waits there for the disk twice (fsync): four
# times fewer of those, and a page written by many steps is copied once. Up to about 4,060
# pages the log's index is one hash table, so reading a page costs what it did.
CHECKPOINT_PAGES = 4000


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
    """The first row of a query, in one trip to the database thread (a cursor costs three)."""
    rows = await conn.execute_fetchall(sql, params)
    return next(iter(rows), None)


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    """Every row of a query, in one trip to the database thread."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_count(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """The first column of the one row a ``SELECT count(*) …`` returns."""
    row = await fetch_one(conn, sql, params)
    if row is None:
        raise StorageError(f"no row from a count query: {sql[:60]}")
    return int(row[0])


def joined_text(column: str) -> str:
    """SQL for the values of ``column`` in a group as one comma-separated text: SQLite's
    ``group_concat``; a second backend gives its own (PostgreSQL's ``string_agg``)."""
    return f"group_concat({column}, ',')"


def inserted_id(cur: aiosqlite.Cursor) -> int:
    """The id of the row an INSERT just added (the driver's last row id)."""
    if cur.lastrowid is None:
        raise StorageError("the INSERT added no row")
    return int(cur.lastrowid)


# Connections on which a person was erased in the open transaction: after its commit the
# write-ahead log is checkpointed and truncated, since its old frames still hold the erased values.
_erased: weakref.WeakKeyDictionary[aiosqlite.Connection, bool] = weakref.WeakKeyDictionary()


def mark_erased(conn: aiosqlite.Connection) -> None:
    """Say that personal data was erased in the current transaction (see ``Database.transaction``)."""
    _erased[conn] = True


async def truncate_log(conn: aiosqlite.Connection) -> None:
    """Copy the write-ahead log into the database and empty it (outside a transaction)."""
    _erased.pop(conn, None)
    await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")  # stepped to its end, or the next COMMIT fails


SQLITE_HEADER = b"SQLite format 3\x00"


def _refuse(path: Path, problem: str) -> StorageError:
    return StorageError(f"cannot use {path} as the database (DATABASE_PATH): {problem}")


def _prepare_file(path: Path) -> None:
    """Check an existing database file, or create a new one (and its folder) readable by the owner only.

    A file or folder the bot did not create keeps its mode: only what is made here is made private.
    """
    if path.is_dir():
        raise _refuse(path, "it is a folder; give the path of a database file inside it")
    if path.exists():
        try:
            with path.open("rb") as existing:
                header = existing.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise _refuse(path, exc.strerror or str(exc)) from None
        if header and header != SQLITE_HEADER:
            raise _refuse(path, "the file exists and is not an SQLite database")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it a moment ago
    except OSError as exc:
        raise _refuse(path, exc.strerror or str(exc)) from None
    os.close(fd)


def migration_files() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every file in ``storage/migrations``."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        version = int(name.split("_", 1)[0])
        found.append((version, name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StorageError(f"two migrations share a number: {versions}")
    return found


async def _connected(conn: StepConnection) -> StepConnection:
    """Start the connection's thread and connect (aiosqlite types the result as its own class)."""
    await conn
    return conn


class _Group:
    """People's steps whose work waits in one open transaction for its COMMIT."""

    def __init__(self) -> None:
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.done.add_done_callback(_seen)
        self.steps = 0  # steps whose work is in the transaction
        self.committer: asyncio.Task[None] | None = None  # takes the next turn and commits

    def finish(self, error: BaseException | None = None) -> None:
        if not self.done.done():
            if error is None:
                self.done.set_result(None)
            else:
                self.done.set_exception(error)


def _seen(done: asyncio.Future[None]) -> None:
    """A group's failure reaches the steps that wait for it; none may be left waiting."""
    if not done.cancelled():
        done.exception()


class Database:
    """The bot's database: open it once, then run every step in ``transaction()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: StepConnection | None = None
        self._turns = Turns()
        self._group: _Group | None = None  # steps waiting for their COMMIT (_step)

    async def open(self) -> Database:
        if str(self.path) != ":memory:":
            _prepare_file(self.path)
        try:
            path = str(self.path)
            self._conn = await _connected(
                StepConnection(
                    lambda: sqlite3.connect(path, isolation_level=None, check_same_thread=False), BUSY_TIMEOUT_MS
                )
            )
            self._conn.row_factory = aiosqlite.Row
            await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await self._conn.execute("PRAGMA journal_mode = WAL")
            await self._conn.execute("PRAGMA synchronous = NORMAL")
            await self._conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
            await self._conn.execute("PRAGMA foreign_keys = ON")
            # Deleted values are overwritten with zeros, not left in free pages of the file.
            await self._conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error as exc:
            await self.close()
            raise _refuse(self.path, str(exc)) from None
        await self.migrate()
        return self

    async def close(self) -> None:
        group = self._group
        if group is not None and group.committer is not None and self._conn is not None:
            await asyncio.wait([group.committer])  # it commits the steps waiting for it
        if self._group is not None and self._conn is not None:
            async with self._turn(False):  # the same, should it have been cancelled
                pass
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> StepConnection:
        if self._conn is None:
            raise StorageError("database is not open")
        return self._conn

    @asynccontextmanager
    async def _turn(self, background: bool) -> AsyncIterator[None]:
        await self._turns.acquire(background)
        try:
            await self._close_group(raise_errors=False)  # whoever follows a group of steps commits it
            yield
        finally:
            self._turns.release()

    @asynccontextmanager
    async def transaction(self, background: bool = False, here: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block as one write transaction: all of it commits, or none of it.

        ``background``: work nobody is waiting on (the outbox) lets people's steps go first
        (``storage.turns``). ``here``: a person's step, a block of short statements: they run
        on the event loop's thread instead of a trip to the database thread each
        (``storage.connection``), and steps that come together share one COMMIT (``_step``);
        the block ends when its work is committed either way."""
        if here and not background:
            async with self._step() as conn:
                yield conn
            return
        async with self._turn(background):
            conn = self.conn
            conn.begin_transaction(here)  # BEGIN goes with the first statement (storage.connection)
            try:
                yield conn
            except BaseException:
                _erased.pop(conn, None)
                await conn.rollback_transaction()
                raise
            else:
                await conn.commit_transaction()
                if _erased.get(conn):
                    await truncate_log(conn)

    @asynccontextmanager
    async def _step(self) -> AsyncIterator[aiosqlite.Connection]:
        """A person's step in the group transaction (group commit).

        The step runs after a SAVEPOINT, so failing it undoes its own work only. It then hands
        the connection over with the transaction still open and waits for its COMMIT, which a
        task started at the end of the group's first step makes: the event loop runs it after
        everything that was ready to run before it, so the steps of the people whose messages
        came together (python-telegram-bot hands over a hundred at once) share that COMMIT,
        while a lone step waits only for the loop's next turn. The group's ``GROUP_MOST``-th
        step commits at once, and so does an erasure (its log is then truncated); whoever
        takes the connection next for anything else commits the group first. The block ends
        only once its work is committed, so a reply still goes out only after what it
        answers is on disk. When a step cannot be undone or the COMMIT fails, the whole group
        is rolled back and every step of it raises."""
        await self._turns.acquire(False)
        conn = self.conn
        group = self._group
        if group is None:
            group = self._group = _Group()
        conn.begin_step(opens=group.steps == 0)
        failure: BaseException | None = None
        hand_over = False
        try:
            try:
                yield conn
                if await conn.end_step():  # when it fails, the step was rolled back to its savepoint
                    group.steps += 1
            except BaseException as exc:
                failure = exc
                _erased.pop(conn, None)
                await conn.undo_step()
            erased = _erased.get(conn, False)
            hand_over = bool(group.steps) and not erased and group.steps < GROUP_MOST
            if hand_over and group.committer is None:
                group.committer = asyncio.get_running_loop().create_task(self._commit_soon(), name="group-commit")
            if not hand_over:
                await self._close_group(raise_errors=failure is None)
                if erased:
                    await truncate_log(conn)
        except BaseException:
            await self._abort_group()
            raise
        finally:
            self._turns.release()
        if failure is not None:
            raise failure
        if hand_over:
            await asyncio.shield(group.done)

    async def _close_group(self, raise_errors: bool) -> None:
        """COMMIT the steps waiting for it, if any, and let them go on (their replies wait for it)."""
        group, self._group = self._group, None
        if group is None:
            return
        try:
            if group.steps:
                await self.conn.commit_transaction()
            else:
                await self.conn.rollback_transaction()  # a lone step that failed, or that ran nothing
        except BaseException as exc:
            group.finish(exc if isinstance(exc, Exception) else StorageError("the commit was interrupted"))
            if raise_errors or not isinstance(exc, Exception):
                raise
            log.warning("a group of steps failed to commit: %s", type(exc).__name__)
        else:
            group.finish()

    async def _abort_group(self) -> None:
        """Roll back the open transaction and fail the steps waiting in it."""
        group, self._group = self._group, None
        try:
            await self.conn.rollback_transaction()
        finally:
            if group is not None:
                group.finish(StorageError("the steps' transaction was rolled back"))

    async def _commit_soon(self) -> None:
        """The group's COMMIT, in the next turn (``_step``); taking the turn commits it."""
        async with self._turn(False):
            pass

    @asynccontextmanager
    async def reading(self, background: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block of reads that sees no half-done transaction of another task."""
        async with self._turn(background):
            yield self.conn

    async def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; return the versions applied."""
        conn = self.conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
        )
        async with conn.execute("SELECT version FROM schema_migrations") as cur:
            done = {row[0] for row in await cur.fetchall()}
        applied = []
        async with self._turn(False):
            for version, name, sql in migration_files():
                if version in done:
                    continue
                try:
                    # The script opens the transaction and leaves it open, so the
                    # record of the migration commits together with its changes.
                    await conn.executescript("BEGIN IMMEDIATE;\n" + sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations(version, name) VALUES (?, ?)",
                        (version, name),
                    )
                    await conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                    raise StorageError(f"migration {name} failed: {exc}") from exc
                applied.append(version)
        return applied
