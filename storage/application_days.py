"""The applications stored before their local day was kept (migration 0020), and filling it in.

The bot works out each one's day and age (``bot.services.application_days``);
this module reads the rows that lack them and writes them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import fetch_all
from storage.timefmt import from_db


@dataclass(frozen=True)
class Undated:
    """An application without its local day: what its day and age are worked out from."""

    id: int
    created_at: datetime
    birth_date: date | None  # None after an erasure
    birth_year: int | None
    age_at_application: int | None  # kept after an erasure (migration 0015 computed it on the UTC day)


@dataclass(frozen=True)
class Dated:
    id: int
    applied_on: date
    age_at_application: int | None


async def undated(conn: aiosqlite.Connection) -> list[Undated]:
    """Every application without a local day (none after the first start-up since migration 0020)."""
    rows = await fetch_all(
        conn,
        "SELECT id, created_at, birth_date, birth_year, age_at_application FROM applications"
        " WHERE applied_on IS NULL ORDER BY id",
    )
    return [
        Undated(
            id=row["id"],
            created_at=from_db(row["created_at"]),
            birth_date=date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
            birth_year=row["birth_year"],
            age_at_application=row["age_at_application"],
        )
        for row in rows
    ]


async def set_days(conn: aiosqlite.Connection, days: Sequence[Dated]) -> None:
    """Store each application's local day and the age on it, in one statement batch."""
    await conn.executemany(
        "UPDATE applications SET applied_on = ?, age_at_application = ? WHERE id = ?",
        [(d.applied_on.isoformat(), d.age_at_application, d.id) for d in days],
    )
