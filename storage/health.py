"""Whether the database answers, for the web server's health check."""

from __future__ import annotations

import aiosqlite


async def ping(conn: aiosqlite.Connection) -> bool:
    async with conn.execute("SELECT 1") as cur:
        row = await cur.fetchone()
    return row is not None and row[0] == 1
