"""Proactive messages waiting to go out, one row per recipient.

A row moves pending -> sending -> sent; a failure moves it back to pending with
a later ``not_before``, or to failed/unreachable. Rows left in ``sending`` by a
crash are put back to pending at start-up (at least once delivery).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import aiosqlite

from storage.timefmt import to_db


@dataclass(frozen=True)
class OutboxItem:
    id: int
    user_id: int | None
    channel: str
    chat_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int


def _item(row: aiosqlite.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        user_id=row["user_id"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
    )


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    channel: str,
    chat_id: str,
    user_id: int | None,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO outbox(user_id, channel, chat_id, kind, payload, not_before, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            user_id, channel, chat_id, kind, json.dumps(payload, ensure_ascii=False),
            to_db(not_before or now), to_db(now),
        ),
    )
    return int(cur.lastrowid)


async def claim_due(
    conn: aiosqlite.Connection, channels: list[str], now: datetime, limit: int
) -> list[OutboxItem]:
    """Mark up to ``limit`` due rows of the given channels as sending and return them,
    each with ``attempts`` counting this attempt."""
    placeholders = ",".join("?" * len(channels))
    async with conn.execute(
        f"SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ?"
        f" AND channel IN ({placeholders}) ORDER BY not_before, id LIMIT ?",
        (to_db(now), *channels, limit),
    ) as cur:
        rows = await cur.fetchall()
    items = [_item(row) for row in rows]
    if items:
        ids = [item.id for item in items]
        await conn.execute(
            f"UPDATE outbox SET status = 'sending', attempts = attempts + 1"
            f" WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        )
    return [replace(item, attempts=item.attempts + 1) for item in items]


async def mark_sent(conn: aiosqlite.Connection, item_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, error = NULL WHERE id = ?",
        (to_db(now), item_id),
    )


async def retry_later(conn: aiosqlite.Connection, item_id: int, at: datetime, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, error = ? WHERE id = ?",
        (to_db(at), error, item_id),
    )


async def mark_failed(conn: aiosqlite.Connection, item_id: int, status: str, error: str) -> None:
    if status not in ("failed", "unreachable"):
        raise ValueError(status)
    await conn.execute("UPDATE outbox SET status = ?, error = ? WHERE id = ?", (status, error, item_id))


async def release_interrupted(conn: aiosqlite.Connection) -> int:
    """Put rows a crash left in 'sending' back in the queue."""
    cur = await conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cur.rowcount


async def next_due_at(conn: aiosqlite.Connection, channels: list[str]) -> str | None:
    placeholders = ",".join("?" * len(channels))
    async with conn.execute(
        f"SELECT min(not_before) FROM outbox WHERE status = 'pending' AND channel IN ({placeholders})",
        channels,
    ) as cur:
        row = await cur.fetchone()
    return row[0]


async def counts(conn: aiosqlite.Connection) -> dict[str, int]:
    async with conn.execute("SELECT status, count(*) FROM outbox GROUP BY status") as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}
