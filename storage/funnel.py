"""The application funnel's anonymous records: a random token per start of /apply, the steps it reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import aiosqlite

from storage.db import fetch_all, fetch_one


@dataclass(frozen=True)
class FunnelCounts:
    started: int
    submitted: int
    reached: dict[str, int]  # step id → starts that reached it


async def start(conn: aiosqlite.Connection, token: str, started_on: date) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO apply_funnel (token, started_on) VALUES (?, ?)", (token, started_on.isoformat())
    )


async def reach(conn: aiosqlite.Connection, token: str, step: str) -> None:
    """Mark ``step`` reached (once; an unknown token changes nothing)."""
    await conn.execute(
        "INSERT OR IGNORE INTO apply_funnel_steps (funnel_id, step) SELECT id, ? FROM apply_funnel WHERE token = ?",
        (step, token),
    )


async def submit(conn: aiosqlite.Connection, token: str) -> None:
    await conn.execute("UPDATE apply_funnel SET submitted = 1 WHERE token = ?", (token,))


async def counts(conn: aiosqlite.Connection, start_on: date | None, end_on: date | None) -> FunnelCounts:
    """Starts whose day falls within the period (inclusive; None: open-ended)."""
    where = " WHERE f.started_on >= ? AND f.started_on <= ?"
    params = (start_on.isoformat() if start_on else "0000-00-00", end_on.isoformat() if end_on else "9999-99-99")
    total = await fetch_one(
        conn,
        "SELECT COUNT(*) AS started, COALESCE(SUM(f.submitted), 0) AS submitted FROM apply_funnel f" + where,
        params,
    )
    assert total is not None
    rows = await fetch_all(
        conn,
        "SELECT s.step, COUNT(*) AS reached FROM apply_funnel_steps s JOIN apply_funnel f ON f.id = s.funnel_id"
        + where
        + " GROUP BY s.step",
        params,
    )
    return FunnelCounts(int(total["started"]), int(total["submitted"]), {r["step"]: int(r["reached"]) for r in rows})
