"""The application funnel's anonymous records: a random token per start of /apply, the steps it reached."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import partial

import aiosqlite

from storage.connection import later
from storage.db import fetch_all


@dataclass(frozen=True)
class FunnelCounts:
    started: int
    submitted: int
    reached: dict[str, int]  # step id → starts that reached it


STARTED = "_started"  # the daily counts' rows for the starts and the submitted ones
SUBMITTED = "_submitted"


def _count(raw: sqlite3.Connection, token: str, step: str) -> None:
    raw.execute(
        "INSERT INTO apply_funnel_daily (started_on, step, reached) SELECT started_on, ?, 1 FROM apply_funnel"
        " WHERE token = ? ON CONFLICT (started_on, step) DO UPDATE SET reached = reached + 1",
        (step, token),
    )


def _start(raw: sqlite3.Connection, token: str, started_on: date) -> None:
    cur = raw.execute(
        "INSERT OR IGNORE INTO apply_funnel (token, started_on) VALUES (?, ?)", (token, started_on.isoformat())
    )
    if cur.rowcount:
        _count(raw, token, STARTED)


def _reach(raw: sqlite3.Connection, token: str, step: str) -> None:
    cur = raw.execute(
        "INSERT OR IGNORE INTO apply_funnel_steps (funnel_id, step) SELECT id, ? FROM apply_funnel WHERE token = ?",
        (step, token),
    )
    if cur.rowcount:
        _count(raw, token, step)


def _submit(raw: sqlite3.Connection, token: str) -> None:
    cur = raw.execute("UPDATE apply_funnel SET submitted = 1 WHERE token = ? AND submitted = 0", (token,))
    if cur.rowcount:
        _count(raw, token, SUBMITTED)


# The records are only counted, never read back in the step that writes them: each write
# goes with the transaction's next statement or its commit (storage.connection.later).


def start(conn: aiosqlite.Connection, token: str, started_on: date) -> None:
    later(conn, partial(_start, token=token, started_on=started_on))


def reach(conn: aiosqlite.Connection, token: str, step: str) -> None:
    """Mark ``step`` reached (once; an unknown token changes nothing)."""
    later(conn, partial(_reach, token=token, step=step))


def submit(conn: aiosqlite.Connection, token: str) -> None:
    later(conn, partial(_submit, token=token))


async def counts(conn: aiosqlite.Connection, start_on: date | None, end_on: date | None) -> FunnelCounts:
    """Starts whose day falls within the period (inclusive; None: open-ended)."""
    rows = await fetch_all(
        conn,
        "SELECT step, SUM(reached) AS reached FROM apply_funnel_daily WHERE started_on >= ? AND started_on <= ?"
        " GROUP BY step",
        (start_on.isoformat() if start_on else "0000-00-00", end_on.isoformat() if end_on else "9999-99-99"),
    )
    reached = {r["step"]: int(r["reached"]) for r in rows}
    return FunnelCounts(reached.pop(STARTED, 0), reached.pop(SUBMITTED, 0), reached)
