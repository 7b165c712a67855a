"""What a platform reports about a message after sending it: delivered, seen, failed.

Viber sends these callbacks for every message it carried; only outbox rows
(proactive messages) are tracked, matched by the platform's message id.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.timefmt import to_db


async def delivered(conn: aiosqlite.Connection, channel: str, platform_message_id: str, at: datetime) -> bool:
    """Record the first delivery report; False when no outbox row has this message id."""
    return await _stamp(conn, "delivered_at", channel, platform_message_id, at)


async def seen(conn: aiosqlite.Connection, channel: str, platform_message_id: str, at: datetime) -> bool:
    return await _stamp(conn, "seen_at", channel, platform_message_id, at)


async def failed(conn: aiosqlite.Connection, channel: str, platform_message_id: str, description: str) -> bool:
    cur = await conn.execute(
        "UPDATE outbox SET failure = ? WHERE channel = ? AND platform_message_id = ?",
        (description[:500] or "failed", channel, platform_message_id),
    )
    return cur.rowcount > 0


async def _stamp(conn: aiosqlite.Connection, column: str, channel: str, platform_message_id: str, at: datetime) -> bool:
    sql = {
        "delivered_at": "UPDATE outbox SET delivered_at = coalesce(delivered_at, ?) WHERE channel = ? AND platform_message_id = ?",
        "seen_at": "UPDATE outbox SET seen_at = coalesce(seen_at, ?) WHERE channel = ? AND platform_message_id = ?",
    }[column]
    cur = await conn.execute(sql, (to_db(at), channel, platform_message_id))
    return cur.rowcount > 0
