"""aiosqlite's connection, carrying a transaction's statements to the database thread together.

Each statement aiosqlite runs is a hop: queued to its thread, the result handed back to
the event loop through a wake-up of the loop. The hop costs about 80 µs of CPU on the
benchmark machine; the indexed look-ups of a person's step cost 2–10 µs each. So a step
of eleven statements spent most of its database time on hops. This connection lets a
transaction pay for fewer of them:

- ``BEGIN`` is not a hop of its own: it goes with the transaction's first statement, and
  a transaction that ran nothing costs nothing;
- ``later(conn, work)``: a write nobody reads back in the step goes with the next hop (at
  the latest the ``COMMIT``);
- ``run(conn, work)``: several statements written as one function run in one hop
  (``storage.steps`` opens a person's step that way).

Waiting work always runs before the statement it goes with, in the order it was given, so
the statements of a transaction still run exactly in the order the code wrote them.
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

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._waiting: list[Work] = []

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Every statement of aiosqlite (and its cursors) comes here: add the waiting work."""
        if not self._waiting:
            return await self._hop(partial(fn, *args, **kwargs))
        waiting, self._waiting = self._waiting, []
        return await self._hop(partial(_after, waiting, self._conn, partial(fn, *args, **kwargs)))

    async def _hop(self, call: Callable[[], T]) -> T:
        """One trip to the database thread: aiosqlite's queue, whose entry point is untyped."""
        result: T = await super()._execute(call)  # type: ignore[no-untyped-call]
        return result

    def wait(self, work: Work) -> None:
        """Give ``work`` to the next hop (see ``later``)."""
        self._waiting.append(work)

    def begin_transaction(self) -> None:
        """Open a write transaction with the next hop (dropping one a cancelled task left open)."""
        self._waiting = [_begin]

    async def commit_transaction(self) -> None:
        """The waiting work and ``COMMIT`` in one hop; none at all when the transaction ran nothing.
        When any of it fails, the transaction is rolled back before the error is raised."""
        waiting, self._waiting = self._waiting, []
        if waiting == [_begin]:
            return
        await self._hop(partial(_commit, waiting, self._conn))

    async def rollback_transaction(self) -> None:
        """Drop the waiting work and undo what ran."""
        self._waiting = []
        await self._hop(partial(_rollback, self._conn))

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(connection)`` on the database thread in one hop, after the waiting work."""
        return await self._execute(work, self._conn)


def _after(waiting: list[Work], raw: sqlite3.Connection, call: Callable[[], T]) -> T:
    for work in waiting:
        work(raw)
    return call()


def _begin(raw: sqlite3.Connection) -> None:
    if raw.in_transaction:
        # A task cancelled while its statements were on the database thread left a
        # transaction open: nothing of it was committed, so drop it.
        raw.execute("ROLLBACK")
    raw.execute("BEGIN IMMEDIATE")


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


async def run(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``work(connection)`` — several statements written as plain sqlite3 calls — in one hop."""
    return await _steps(conn).run(work)


def later(conn: aiosqlite.Connection, work: Work) -> None:
    """Run a write whose result nobody reads with the transaction's next hop, at the latest
    its COMMIT; a failure then fails that statement, and the transaction rolls back."""
    _steps(conn).wait(work)


def later_sql(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()) -> None:
    """``later`` for one statement."""
    later(conn, lambda raw: raw.execute(sql, params))
