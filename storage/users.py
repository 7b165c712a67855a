"""People who talk to the bot, one row per channel account."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from storage.connection import StorageError, run
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class User:
    id: int
    channel: str
    platform_id: str
    chat_id: str
    display_name: str | None
    language: str | None
    source: str | None
    reachable: bool
    created_at: datetime


def user_from_row(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        channel=row["channel"],
        platform_id=row["platform_id"],
        chat_id=row["chat_id"],
        display_name=row["display_name"],
        language=row["language"],
        source=row["source"],
        reachable=bool(row["reachable"]),
        created_at=from_db(row["created_at"]),
    )


def get_sync(raw: sqlite3.Connection, user_id: int) -> User | None:
    row = raw.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return user_from_row(row) if row else None


async def get(conn: aiosqlite.Connection, user_id: int) -> User | None:
    return await run(conn, lambda raw: get_sync(raw, user_id))


MINUTE = len("YYYY-MM-DDTHH:MM")  # the part of a stored timestamp that names its minute


def _row_sync(raw: sqlite3.Connection, channel: str, platform_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = raw.execute(
        "SELECT * FROM users WHERE channel = ? AND platform_id = ?", (channel, platform_id)
    ).fetchone()
    return row


def find_sync(raw: sqlite3.Connection, channel: str, platform_id: str) -> User | None:
    """``find`` as a plain sqlite3 call, for a function that runs several look-ups in one hop."""
    row = _row_sync(raw, channel, platform_id)
    return user_from_row(row) if row else None


async def find(conn: aiosqlite.Connection, channel: str, platform_id: str) -> User | None:
    return await run(conn, lambda raw: find_sync(raw, channel, platform_id))


def get_or_create_sync(
    raw: sqlite3.Connection,
    channel: str,
    platform_id: str,
    chat_id: str,
    display_name: str | None,
    now: datetime,
) -> tuple[User, bool]:
    """``get_or_create`` as plain sqlite3 calls, for a function that runs several look-ups in one hop."""
    row = _row_sync(raw, channel, platform_id)
    stamp = to_db(now)
    if row is not None:
        existing = user_from_row(row)
        if not existing.reachable or existing.chat_id != chat_id:
            raw.execute(
                "UPDATE users SET reachable = 1, chat_id = ?, updated_at = ?, last_seen_at = ? WHERE id = ?",
                (chat_id, stamp, stamp, existing.id),
            )
            return replace(existing, reachable=True, chat_id=chat_id), False
        # The last contact is kept to the minute (what the console shows): written only when
        # the one stored is from an earlier minute, so a person answering the form writes it
        # about once a minute instead of at every step (docs/performance.md). Stored text sorts
        # as time, and its first 16 characters are the minute (YYYY-MM-DDTHH:MM).
        if (row["last_seen_at"] or "")[:MINUTE] < stamp[:MINUTE]:
            raw.execute("UPDATE users SET last_seen_at = ? WHERE id = ?", (stamp, existing.id))
        return existing, False
    cur = raw.execute(
        "INSERT INTO users(channel, platform_id, chat_id, display_name, created_at, updated_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (channel, platform_id, chat_id, display_name, stamp, stamp, stamp),
    )
    user = get_sync(raw, int(cur.lastrowid or 0))
    if user is None:
        raise StorageError("the INSERT added no row")
    return user, True


async def get_or_create(
    conn: aiosqlite.Connection,
    channel: str,
    platform_id: str,
    chat_id: str,
    display_name: str | None,
    now: datetime,
) -> tuple[User, bool]:
    """Return the user and whether the row is new. A returning user is reachable again;
    every call is the person writing, so it is their last contact."""
    return await run(conn, lambda raw: get_or_create_sync(raw, channel, platform_id, chat_id, display_name, now))


async def set_language(conn: aiosqlite.Connection, user_id: int, language: str, now: datetime) -> None:
    await conn.execute("UPDATE users SET language = ?, updated_at = ? WHERE id = ?", (language, to_db(now), user_id))


async def set_source(conn: aiosqlite.Connection, user_id: int, source: str, now: datetime) -> None:
    await conn.execute("UPDATE users SET source = ?, updated_at = ? WHERE id = ?", (source, to_db(now), user_id))


async def mark_unreachable(conn: aiosqlite.Connection, channel: str, chat_id: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE users SET reachable = 0, updated_at = ? WHERE channel = ? AND chat_id = ?",
        (to_db(now), channel, chat_id),
    )


async def mark_unreachable_many(conn: aiosqlite.Connection, chats: list[tuple[str, str]], now: datetime) -> None:
    """``mark_unreachable`` for many (channel, chat id) pairs in one statement batch."""
    if chats:
        await conn.executemany(
            "UPDATE users SET reachable = 0, updated_at = ? WHERE channel = ? AND chat_id = ?",
            [(to_db(now), channel, chat_id) for channel, chat_id in chats],
        )


async def delete(conn: aiosqlite.Connection, user_id: int) -> None:
    await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
