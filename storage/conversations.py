"""Where each person is in a conversation: flow, step and answers so far."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from storage.connection import later_sql, run
from storage.timefmt import from_db, to_db

JSONValue = Any  # answers are JSON scalars, lists or objects


@dataclass
class ConversationState:
    flow: str
    step: str
    token: str = ""
    answers: dict[str, JSONValue] = field(default_factory=dict)
    data: dict[str, JSONValue] = field(default_factory=dict)
    started_at: datetime | None = None
    updated_at: datetime | None = None


def _state(row: sqlite3.Row) -> ConversationState:
    return ConversationState(
        flow=row["flow"],
        step=row["step"],
        token=row["token"],
        answers=json.loads(row["answers"]),
        data=json.loads(row["data"]),
        started_at=from_db(row["started_at"]),
        updated_at=from_db(row["updated_at"]),
    )


def load_sync(raw: sqlite3.Connection, user_id: int) -> ConversationState | None:
    """``load`` as a plain sqlite3 call, for a function that runs several look-ups in one hop."""
    row = raw.execute("SELECT * FROM conversations WHERE user_id = ?", (user_id,)).fetchone()
    return _state(row) if row is not None else None


async def load(conn: aiosqlite.Connection, user_id: int) -> ConversationState | None:
    return await run(conn, lambda raw: load_sync(raw, user_id))


def save(conn: aiosqlite.Connection, user_id: int, state: ConversationState, now: datetime) -> None:
    """Store the state as it is now; the write goes with the transaction's next statement or its commit."""
    started = state.started_at or now
    later_sql(
        conn,
        "INSERT INTO conversations(user_id, flow, step, token, answers, data, started_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,"
        " token = excluded.token, answers = excluded.answers, data = excluded.data,"
        " started_at = excluded.started_at, updated_at = excluded.updated_at",
        (
            user_id,
            state.flow,
            state.step,
            state.token,
            json.dumps(state.answers, ensure_ascii=False),
            json.dumps(state.data, ensure_ascii=False),
            to_db(started),
            to_db(now),
        ),
    )


def clear(conn: aiosqlite.Connection, user_id: int) -> None:
    """End the conversation; the delete goes with the transaction's next statement or its commit."""
    later_sql(conn, "DELETE FROM conversations WHERE user_id = ?", (user_id,))


async def count_active(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT count(*) FROM conversations") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
