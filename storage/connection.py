"""aiosqlite's connection, with fewer trips to its thread for a person's step.

Each statement aiosqlite runs is a trip: queued to its thread, the result handed back to
the event loop through a wake-up of the loop. A trip costs about 80 µs of CPU on the
benchmark machine, spread over both threads; the indexed look-ups and writes of a
person's step cost 90 µs all together. So a step of eleven statements spent most of its
database time on trips. This connection lets a transaction pay for fewer of them:

- ``BEGIN`` is not a trip of its own: it goes with the transaction's first statement, and
  a transaction that ran nothing costs nothing;
- ``later(conn, work)``: a write nobody reads back in the step goes with the next trip (at
  the latest the ``COMMIT``);
- ``run(conn, work)``: several statements written as one function go in one trip;
- ``run(conn, work, here=True)``, every statement of a transaction opened with
  ``here=True`` (a person's step: ``Database.transaction(here=True)``) and every
  ``COMMIT``/``ROLLBACK`` run on the event loop's own thread when the database thread has
  nothing on its way: a step's start (``storage.steps``), its reads and writes and its
  commit take microseconds there. Work that reads many rows (reports, exports, the
  console's pages, the outbox's groups) goes to the thread, so the loop does not wait
  long on the database; a staff command's report inside a step is the exception;
- ``begin_step``/``end_step``: a person's step inside a transaction that several steps
  share (group commit, ``Database._step``) runs after a SAVEPOINT of its own and ends with
  its waiting work and the RELEASE in one hop, so a failure is its own.

Waiting work always runs before the statement it goes with, in the order it was given, and
nothing runs on the loop while a trip (even one whose task was cancelled) is still on the
thread: the statements of a transaction run one at a time, in the order the code wrote them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], object]


class StorageError(RuntimeError):
    """The database cannot be opened or migrated, or was used as it cannot be."""


class Connection(aiosqlite.Connection):
    """The bot's one connection (``Database.conn``); storage functions see a plain aiosqlite one."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout_ms: int) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self.busy_timeout_ms = busy_timeout_ms  # set on the connection by Database.open
        self._waiting: list[Work] = []
        # Trips handed to the database thread (counted on the event loop) and finished there
        # (counted on that thread): equal when nothing is on its way, even after a cancellation.
        self._sent = 0
        self._done = 0
        self._here = False  # the open transaction's statements run on the loop (begin_transaction)
        self.in_step = False  # a step's SAVEPOINT ran and was neither released nor rolled back to

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Every statement of aiosqlite (and its cursors) comes here: add the waiting work."""
        return await self._hop(partial(fn, *args, **kwargs), self._here)

    async def _hop(self, call: Callable[[], T], here: bool = False) -> T:
        """``call`` after the waiting work: on this thread when ``here`` and the database thread
        has nothing on its way (so the statements still run one at a time, in order), else one
        trip there through aiosqlite's queue."""
        waiting, self._waiting = self._waiting, []
        if here and self._sent == self._done and self._connection is not None:
            raw = self._connection
            if not waiting or waiting[0] is not _begin:
                return _after(waiting, raw, call)
            if _begin_at_once(raw, self.busy_timeout_ms):
                return _after(waiting[1:], raw, call)
        if waiting:
            call = partial(_after, waiting, self._conn, call)
        self._sent += 1
        result: T = await super()._execute(partial(_counted, self, call))  # type: ignore[no-untyped-call]
        return result

    def wait(self, work: Work) -> None:
        """Give ``work`` to the next hop (see ``later``)."""
        self._waiting.append(work)

    def begin_transaction(self, here: bool = False) -> None:
        """Open a write transaction with the next hop (dropping one a cancelled task left open);
        ``here``: its statements run on the event loop's thread, as ``run(here=True)`` does."""
        self._waiting = [_begin]
        self._here = here

    def begin_step(self, opens: bool) -> None:
        """A person's step inside a group transaction (``Database.transaction(here=True)``): its
        statements follow a SAVEPOINT, so a failing step undoes its own work and nobody else's;
        ``opens``: the first step of the group also opens the transaction. Its statements run
        on the event loop's thread, as ``begin_transaction(here=True)`` has them."""
        if opens:
            self.in_step = False  # _begin drops what a cancelled task may have left open
        self._waiting = [_begin, self._open_step] if opens else [self._open_step]
        self._here = True

    async def end_step(self) -> bool:
        """The step's waiting work and its RELEASE in one hop; whether it ran anything. When any
        of it fails, the step is rolled back to its SAVEPOINT before the error is raised."""
        waiting, self._waiting = self._waiting, []
        self._here = False
        if waiting[-1:] == [self._open_step]:
            return False  # no statement and no waiting work: not even the SAVEPOINT ran
        await self._hop(partial(_end_step, self, waiting, self._conn), here=True)
        return True

    def _open_step(self, raw: sqlite3.Connection) -> None:
        raw.execute(f"SAVEPOINT {STEP}")
        self.in_step = True

    async def undo_step(self) -> None:
        """Drop the step's waiting work and roll back what of it ran (to its SAVEPOINT)."""
        self._waiting = []
        self._here = False
        if self.in_step:
            await self._hop(partial(_undo_step, self, self._conn), here=True)

    async def commit_transaction(self) -> None:
        """The waiting work and ``COMMIT`` in one hop; none at all when the transaction ran nothing.
        When any of it fails, the transaction is rolled back before the error is raised."""
        waiting, self._waiting = self._waiting, []
        self._here = False
        if waiting == [_begin]:
            return
        await self._hop(partial(_commit, waiting, self._conn), here=True)

    async def rollback_transaction(self) -> None:
        """Drop the waiting work and undo what ran."""
        self._waiting = []
        self._here = False
        try:
            await self._hop(partial(_rollback, self._conn), here=True)
        finally:
            self.in_step = False

    async def run(self, work: Callable[[sqlite3.Connection], T], here: bool = False) -> T:
        """``work(connection)`` in one hop after the waiting work; ``here``: see ``run`` below
        (a transaction opened with ``here`` runs it on the loop as it does its statements)."""
        return await self._hop(partial(work, self._conn), here or self._here)


def _counted(conn: Connection, call: Callable[[], T]) -> T:
    """Runs on the database thread: count the trip done, even when its task was cancelled."""
    try:
        return call()
    finally:
        conn._done += 1


def _after(waiting: list[Work], raw: sqlite3.Connection, call: Callable[[], T]) -> T:
    for work in waiting:
        work(raw)
    return call()


def _begin(raw: sqlite3.Connection) -> None:
    # A task cancelled while its statements were on the database thread may have left a
    # transaction open: nothing of it was committed, so drop it.
    _rollback(raw)
    raw.execute("BEGIN IMMEDIATE")


def _begin_at_once(raw: sqlite3.Connection, busy_timeout_ms: int) -> bool:
    """``_begin`` without waiting: False when another process holds the write lock, since
    waiting for it (up to the busy timeout) must happen on the database thread, not the loop."""
    _rollback(raw)
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    return True


STEP = "step"  # the name of a step's SAVEPOINT; one is open at a time


def _end_step(conn: Connection, waiting: list[Work], raw: sqlite3.Connection) -> None:
    try:
        for work in waiting:
            work(raw)
        raw.execute(f"RELEASE {STEP}")
        conn.in_step = False
    except BaseException:
        _undo_step(conn, raw)
        raise


def _undo_step(conn: Connection, raw: sqlite3.Connection) -> None:
    if conn.in_step:
        raw.execute(f"ROLLBACK TO {STEP}")
        raw.execute(f"RELEASE {STEP}")
        conn.in_step = False


def _commit(waiting: list[Work], raw: sqlite3.Connection) -> None:
    try:
        for work in waiting:
            work(raw)
        raw.execute("COMMIT")
    except BaseException:
        _rollback(raw)
        raise


def _rollback(raw: sqlite3.Connection) -> None:
    if raw.in_transaction:
        raw.execute("ROLLBACK")


def _steps(conn: aiosqlite.Connection) -> Connection:
    if not isinstance(conn, Connection):
        raise StorageError("this needs the connection of storage.Database")
    return conn


async def run(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T], here: bool = False) -> T:
    """Run ``work(connection)`` — several statements written as plain sqlite3 calls — in one hop.

    ``here``: on the event loop's own thread (when the database thread has nothing on its way),
    for work of a few indexed statements only: it then costs microseconds instead of a trip,
    and nothing else on the loop waits long for it. Anything that reads many rows (reports,
    exports, pages of the console) goes to the thread, so the loop never waits on it."""
    return await _steps(conn).run(work, here)


def later(conn: aiosqlite.Connection, work: Work) -> None:
    """Run a write whose result nobody reads with the transaction's next hop, at the latest
    its COMMIT; a failure then fails that statement, and the transaction rolls back."""
    _steps(conn).wait(work)


def later_sql(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()) -> None:
    """``later`` for one statement."""
    later(conn, lambda raw: raw.execute(sql, params))
