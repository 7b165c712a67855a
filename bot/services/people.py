"""Changes to a person's own record: their language, where they came from, and erasing them on request."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage import personal_data, users
from storage.personal_data import Erased


async def set_language(tx: aiosqlite.Connection, user_id: int, language: str, now: datetime) -> None:
    await users.set_language(tx, user_id, language, now)


async def set_source(tx: aiosqlite.Connection, user_id: int, source: str, now: datetime) -> None:
    """Where the person first came from (a campaign link's code)."""
    await users.set_source(tx, user_id, source, now)


async def erase(tx: aiosqlite.Connection, user_id: int, now: datetime, *, withdraw: bool = True) -> Erased:
    """Forget a person everywhere storage declares personal data (storage/personal_data.py).

    Their applications keep only what the reports count, under a new reference; ``withdraw``
    (the person asked) marks them withdrawn, as /forget's confirmation says. The accounts go,
    with the ones joined by /link.
    """
    return await personal_data.erase_person(tx, user_id, now, withdraw=withdraw)
