"""Updates already handled, so a platform's redelivery is not handled twice."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import aiosqlite

from storage.timefmt import to_db

CLAIM = (
    "INSERT INTO handled_updates(channel, update_key, handled_at) VALUES (?, ?, ?)"
    " ON CONFLICT(channel, update_key) DO NOTHING"
)


async def claim(conn: aiosqlite.Connection, channel: str, update_key: str, now: datetime) -> bool:
    """Record the update as handled; False when it already was."""
    cur = await conn.execute(CLAIM, (channel, update_key, to_db(now)))
    return cur.rowcount == 1


def claim_sync(raw: sqlite3.Connection, channel: str, update_key: str, now: datetime) -> bool:
    """``claim`` as a plain sqlite3 call, for a function that runs several statements in one hop."""
    return raw.execute(CLAIM, (channel, update_key, to_db(now))).rowcount == 1


async def forget_older_than(conn: aiosqlite.Connection, moment: datetime) -> int:
    cur = await conn.execute("DELETE FROM handled_updates WHERE handled_at < ?", (to_db(moment),))
    return cur.rowcount


RETENTION = timedelta(days=2)
