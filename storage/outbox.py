"""Proactive messages waiting to go out, one row per recipient.

A row's life: ``pending`` → ``sending`` (committed just before the platform
call) → ``sent``; or back to ``pending`` with a later ``not_before`` (retry),
or ``failed`` / ``unreachable``. A pending row past ``expires_at`` becomes
``expired``; one withdrawn by its owner (a cancelled session) ``cancelled``.
A row still ``sending`` at start-up was cut off by a crash mid-call: it
becomes ``interrupted`` and is never sent again, because nobody can know
whether the platform delivered it (at most once beats twice).

Bulk rows (broadcasts, alerts: ``bulk=True``) are taken after every due
one-off row, so a reminder is not queued behind a broadcast to thousands.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one, inserted_id
from storage.timefmt import from_db, to_db
from storage.users import User, user_from_row

FINAL = ("sent", "failed", "unreachable", "expired", "cancelled", "interrupted")

# Rows queued through each open connection so far (committed or not), forgotten with it.
_queued: weakref.WeakKeyDictionary[aiosqlite.Connection, int] = weakref.WeakKeyDictionary()


def queued_in(conn: aiosqlite.Connection) -> int:
    """How many rows were queued through this connection so far: the engine compares it
    before and after a step, so the channel wakes the outbox worker only when there is news."""
    return _queued.get(conn, 0)


def _count_queued(conn: aiosqlite.Connection, added: int) -> None:
    _queued[conn] = _queued.get(conn, 0) + added


@dataclass(frozen=True)
class OutboxItem:
    id: int
    user_id: int | None
    channel: str
    chat_id: str
    kind: str
    ref: str | None
    payload: dict[str, Any]
    attempts: int
    expires_at: datetime | None


@dataclass(frozen=True)
class NewMessage:
    channel: str
    chat_id: str
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    ref: str | None = None
    dedup_key: str | None = None
    not_before: datetime | None = None
    expires_at: datetime | None = None
    bulk: bool = False


def _item(row: aiosqlite.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        user_id=row["user_id"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        ref=row["ref"],
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
        expires_at=from_db(row["expires_at"]) if row["expires_at"] else None,
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
    ref: str | None = None,
    dedup_key: str | None = None,
    expires_at: datetime | None = None,
    bulk: bool = False,
) -> int | None:
    """Queue one message; returns its id, or None when ``dedup_key`` was already queued."""
    cur = await conn.execute(
        "INSERT INTO outbox(user_id, channel, chat_id, kind, ref, dedup_key, payload, not_before,"
        " expires_at, created_at, bulk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(dedup_key) DO NOTHING",
        (
            user_id,
            channel,
            chat_id,
            kind,
            ref,
            dedup_key,
            json.dumps(payload, ensure_ascii=False),
            to_db(not_before or now),
            to_db(expires_at) if expires_at else None,
            to_db(now),
            int(bulk),
        ),
    )
    if cur.rowcount != 1:
        return None
    _count_queued(conn, 1)
    return inserted_id(cur)


async def enqueue_many(conn: aiosqlite.Connection, messages: Iterable[NewMessage], now: datetime) -> int:
    """Queue many messages in one statement batch; returns how many were new."""
    rows = [
        (
            m.user_id,
            m.channel,
            m.chat_id,
            m.kind,
            m.ref,
            m.dedup_key,
            json.dumps(m.payload, ensure_ascii=False),
            to_db(m.not_before or now),
            to_db(m.expires_at) if m.expires_at else None,
            to_db(now),
            int(m.bulk),
        )
        for m in messages
    ]
    before = conn.total_changes
    await conn.executemany(
        "INSERT INTO outbox(user_id, channel, chat_id, kind, ref, dedup_key, payload, not_before,"
        " expires_at, created_at, bulk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(dedup_key) DO NOTHING",
        rows,
    )
    added = conn.total_changes - before
    _count_queued(conn, added)
    return added


async def due(
    conn: aiosqlite.Connection, channels: list[str], now: datetime, limit: int, skip_ids: Iterable[int] = ()
) -> list[OutboxItem]:
    """Pending rows that are due: one-off rows first, then bulk ones, each oldest first
    (not yet marked: see ``mark_sending``)."""
    skip = list(skip_ids)
    placeholders = ",".join("?" * len(channels))
    skip_sql = f" AND id NOT IN ({','.join('?' * len(skip))})" if skip else ""
    rows: list[sqlite3.Row] = []
    # One query per value of ``bulk``: with it fixed, the index bounds not_before, so a
    # query finding few due rows does not walk every pending row planned for later, and
    # the index's order is the wanted order (no sort of a big broadcast's rows).
    for bulk in (0, 1):
        rows += await fetch_all(
            conn,
            f"SELECT * FROM outbox INDEXED BY outbox_due_bulk WHERE status = 'pending' AND bulk = ?"
            f" AND not_before <= ? AND channel IN ({placeholders}){skip_sql} ORDER BY not_before, id LIMIT ?",
            (bulk, to_db(now), *channels, *skip, limit - len(rows)),
        )
        if len(rows) >= limit:
            break
    return [_item(row) for row in rows]


async def mark_sending(conn: aiosqlite.Connection, item_id: int) -> bool:
    """Take a pending row for sending; False when it is no longer pending (cancelled meanwhile)."""
    cur = await conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
        (item_id,),
    )
    return cur.rowcount == 1


async def mark_sending_many(conn: aiosqlite.Connection, item_ids: list[int]) -> set[int]:
    """Take many pending rows for sending at once; returns the ids taken (a row cancelled
    since it was read is not taken)."""
    if not item_ids:
        return set()
    marks = ",".join("?" * len(item_ids))
    cur = await conn.execute(
        f"UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ({marks}) AND status = 'pending'",
        item_ids,
    )
    if cur.rowcount == len(item_ids):
        return set(item_ids)
    rows = await conn.execute_fetchall(f"SELECT id FROM outbox WHERE id IN ({marks}) AND status = 'sending'", item_ids)
    return {row[0] for row in rows}


async def release(conn: aiosqlite.Connection, item_ids: list[int]) -> None:
    """Give back rows taken for sending whose call never started (a pause began, or a stop):
    pending again, the attempt not counted."""
    if item_ids:
        await conn.execute(
            f"UPDATE outbox SET status = 'pending', attempts = attempts - 1"
            f" WHERE id IN ({','.join('?' * len(item_ids))}) AND status = 'sending'",
            item_ids,
        )


async def recipients(conn: aiosqlite.Connection, user_ids: Iterable[int]) -> dict[int, User]:
    """The people some rows go to, read in one query (rows are prepared in groups)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = await conn.execute_fetchall(f"SELECT * FROM users WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {row["id"]: user_from_row(row) for row in rows}


async def mark_sent(
    conn: aiosqlite.Connection, item_id: int, now: datetime, platform_message_id: str | None = None
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, platform_message_id = ?, error = NULL WHERE id = ?",
        (to_db(now), platform_message_id, item_id),
    )


async def mark_sent_many(conn: aiosqlite.Connection, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """Mark many rows sent in one statement batch: (row id, platform message id)."""
    if not sent:
        return
    await conn.executemany(
        "UPDATE outbox SET status = 'sent', sent_at = ?, platform_message_id = ?, error = NULL WHERE id = ?",
        [(to_db(now), message_id, item_id) for item_id, message_id in sent],
    )


async def retry_later(conn: aiosqlite.Connection, item_id: int, at: datetime, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, error = ? WHERE id = ?",
        (to_db(at), error[:500], item_id),
    )


async def retry_later_many(conn: aiosqlite.Connection, rows: list[tuple[int, datetime, str]]) -> None:
    """``retry_later`` for many rows in one statement batch: (row id, due again at, error)."""
    if rows:
        await conn.executemany(
            "UPDATE outbox SET status = 'pending', not_before = ?, error = ? WHERE id = ?",
            [(to_db(at), error[:500], item_id) for item_id, at, error in rows],
        )


async def mark_final_many(conn: aiosqlite.Connection, rows: list[tuple[int, str, str]]) -> None:
    """``mark_final`` for many rows in one statement batch: (row id, status, error)."""
    if any(status not in FINAL or status == "sent" for _id, status, _error in rows):
        raise ValueError([status for _id, status, _error in rows])
    if rows:
        await conn.executemany(
            "UPDATE outbox SET status = ?, error = ? WHERE id = ?",
            [(status, error[:500] or None, item_id) for item_id, status, error in rows],
        )


async def mark_final(conn: aiosqlite.Connection, item_id: int, status: str, error: str = "") -> None:
    if status not in FINAL or status == "sent":
        raise ValueError(status)
    await conn.execute("UPDATE outbox SET status = ?, error = ? WHERE id = ?", (status, error[:500] or None, item_id))


async def interrupt_unfinished(conn: aiosqlite.Connection) -> int:
    """Rows a crash left in 'sending': mark them interrupted, never to be sent again."""
    cur = await conn.execute(
        "UPDATE outbox SET status = 'interrupted', error = 'cut off by a restart while sending'"
        " WHERE status = 'sending'"
    )
    return cur.rowcount


async def cancel_pending(conn: aiosqlite.Connection, ref: str, kind: str | None = None) -> int:
    """Withdraw the pending rows of something (a moved or cancelled session, a stopped broadcast)."""
    sql = "UPDATE outbox SET status = 'cancelled' WHERE ref = ? AND status = 'pending'"
    params: tuple[str, ...] = (ref,)
    if kind is not None:
        sql += " AND kind = ?"
        params += (kind,)
    cur = await conn.execute(sql, params)
    return cur.rowcount


async def next_due_at(conn: aiosqlite.Connection, channels: list[str]) -> datetime | None:
    placeholders = ",".join("?" * len(channels))
    row = await fetch_one(
        conn, f"SELECT min(not_before) FROM outbox WHERE status = 'pending' AND channel IN ({placeholders})", channels
    )
    return from_db(row[0]) if row and row[0] else None


async def counts(conn: aiosqlite.Connection, ref: str | None = None) -> dict[str, int]:
    """Rows by status, for everything or for one ``ref``."""
    params: tuple[str, ...] = ()
    if ref is None:
        sql = "SELECT status, count(*) FROM outbox GROUP BY status"
    else:
        sql, params = "SELECT status, count(*) FROM outbox WHERE ref = ? GROUP BY status", (ref,)
    async with conn.execute(sql, params) as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}
