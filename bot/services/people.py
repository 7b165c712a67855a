"""Changes to a person's own record: their language, where they came from, and erasing them on request."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage import applications, users


async def set_language(tx: aiosqlite.Connection, user_id: int, language: str, now: datetime) -> None:
    await users.set_language(tx, user_id, language, now)


async def set_source(tx: aiosqlite.Connection, user_id: int, source: str, now: datetime) -> None:
    """Where the person first came from (a campaign link's code)."""
    await users.set_source(tx, user_id, source, now)


async def erase(tx: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    """Forget a person: their applications keep only what the statistics need, the account goes."""
    await applications.anonymise_for_user(tx, user_id, now)
    await users.delete(tx, user_id)
