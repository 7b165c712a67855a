"""Updates already handled, so a platform's redelivery is not handled twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from storage.timefmt import to_db


async def claim(conn: aiosqlite.Connection, channel: str, update_key: str, now: datetime) -> bool:
    """Record the update as handled; False when it already was."""
    cur = await conn.execute(
        "INSERT INTO handled_updates(channel, update_key, handled_at) VALUES (?, ?, ?)"
        " ON CONFLICT(channel, update_key) DO NOTHING",
        (channel, update_key, to_db(now)),
    )
    return cur.rowcount == 1


async def forget_older_than(conn: aiosqlite.Connection, moment: datetime) -> int:
    cur = await conn.execute("DELETE FROM handled_updates WHERE handled_at < ?", (to_db(moment),))
    return cur.rowcount


RETENTION = timedelta(days=2)
