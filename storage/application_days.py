"""The local day and age of applications stored before the day was kept (migration 0020).

The bot says how a UTC timestamp becomes a local day (``ZoneSpan``: the UTC offset
in force from an instant on); the day and the age on it are worked out here, in
SQL, once per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import fetch_all
from storage.dialect import month_day_of, shifted_day, year_of
from storage.timefmt import to_db


@dataclass(frozen=True)
class ZoneSpan:
    """From ``starts`` (UTC; None: since always) the local time is UTC + ``minutes``."""

    starts: datetime | None
    minutes: int


async def undated_range(conn: aiosqlite.Connection) -> tuple[str | None, str | None]:
    """The first and last stored time of the applications without a day (None, None: there are none)."""
    rows = await fetch_all(
        conn, "SELECT min(created_at) AS first, max(created_at) AS last FROM applications WHERE applied_on IS NULL"
    )
    return rows[0]["first"], rows[0]["last"]


def _offset_sql(zone: Sequence[ZoneSpan], params: list[Any]) -> str:
    """The offset in minutes in force at ``created_at``: the latest span that started by then."""
    since_always = next((span.minutes for span in zone if span.starts is None), 0)
    dated = sorted(((span.starts, span.minutes) for span in zone if span.starts is not None), reverse=True)
    if not dated:
        params.append(since_always)
        return "?"
    parts = ["CASE"]
    for starts, minutes in dated:
        parts.append("WHEN created_at >= ? THEN ?")
        params.extend((to_db(starts), minutes))
    parts.append("ELSE ? END")
    params.append(since_always)
    return " ".join(parts)


async def fill(conn: aiosqlite.Connection, zone: Sequence[ZoneSpan]) -> int:
    """Give every application without a day its local day, and the age on that day: from the birth
    date; after an erasure the age kept, or the birth year alone for rows older than the kept age.
    Returns how many rows were filled."""
    day_params: list[Any] = []
    day = shifted_day("created_at", _offset_sql(zone, day_params))
    age = (
        f"CASE WHEN birth_date IS NOT NULL THEN {year_of(day)} - {year_of('birth_date')}"
        f" - (CASE WHEN {month_day_of(day)} < {month_day_of('birth_date')} THEN 1 ELSE 0 END)"
        f" WHEN age_at_application IS NOT NULL THEN age_at_application"
        f" WHEN birth_year IS NOT NULL THEN {year_of(day)} - birth_year END"
    )
    # The day expression appears once in applied_on and three times in the age, each with its parameters.
    cur = await conn.execute(
        f"UPDATE applications SET applied_on = {day}, age_at_application = {age} WHERE applied_on IS NULL",
        [*day_params, *day_params, *day_params, *day_params],
    )
    return max(cur.rowcount, 0)
