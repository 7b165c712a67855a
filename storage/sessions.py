"""Training sessions of a cohort: when and where, scheduled or cancelled.

Times are UTC. ``revision`` grows by one each time a session is moved, so
the reminders planned for the old time and those for the new one never
share a dedup key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import inserted_id
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class SessionDetails:
    """What staff enter for a session."""

    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    topic: str | None


@dataclass(frozen=True)
class Session:
    id: int
    cohort_id: int
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    topic: str | None
    status: str  # scheduled, cancelled
    revision: int

    @property
    def scheduled(self) -> bool:
        return self.status == "scheduled"

    def details(self) -> SessionDetails:
        return SessionDetails(self.starts_at, self.ends_at, self.place, self.online_url, self.topic)


def row_to_session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        cohort_id=row["cohort_id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        place=row["place"],
        online_url=row["online_url"],
        topic=row["topic"],
        status=row["status"],
        revision=row["revision"],
    )


async def create(conn: aiosqlite.Connection, cohort_id: int, details: SessionDetails, now: datetime) -> Session:
    cur = await conn.execute(
        "INSERT INTO sessions(cohort_id, starts_at, ends_at, place, online_url, topic, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cohort_id,
            to_db(details.starts_at),
            to_db(details.ends_at),
            details.place,
            details.online_url,
            details.topic,
            to_db(now),
            to_db(now),
        ),
    )
    session = await get(conn, inserted_id(cur))
    assert session is not None
    return session


async def get(conn: aiosqlite.Connection, session_id: int) -> Session | None:
    async with conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)) as cur:
        row = await cur.fetchone()
    return row_to_session(row) if row else None


async def at_start(conn: aiosqlite.Connection, cohort_id: int, starts_at: datetime) -> Session | None:
    """The session of a cohort starting at that moment; a scheduled one before a cancelled one."""
    async with conn.execute(
        "SELECT * FROM sessions WHERE cohort_id = ? AND starts_at = ?"
        " ORDER BY status = 'scheduled' DESC, id DESC LIMIT 1",
        (cohort_id, to_db(starts_at)),
    ) as cur:
        row = await cur.fetchone()
    return row_to_session(row) if row else None


async def move(
    conn: aiosqlite.Connection, session_id: int, starts_at: datetime, ends_at: datetime, now: datetime
) -> Session:
    """Give a session a new time; its revision grows so its reminders are planned afresh."""
    await conn.execute(
        "UPDATE sessions SET starts_at = ?, ends_at = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
        (to_db(starts_at), to_db(ends_at), to_db(now), session_id),
    )
    session = await get(conn, session_id)
    assert session is not None
    return session


async def update_details(conn: aiosqlite.Connection, session_id: int, details: SessionDetails, now: datetime) -> None:
    """Change place, link, topic or end time; the start (and so the reminders' times) stays."""
    await conn.execute(
        "UPDATE sessions SET ends_at = ?, place = ?, online_url = ?, topic = ?, updated_at = ? WHERE id = ?",
        (to_db(details.ends_at), details.place, details.online_url, details.topic, to_db(now), session_id),
    )


async def cancel(conn: aiosqlite.Connection, session_id: int, now: datetime) -> bool:
    """Cancel a scheduled session; False when it was not scheduled."""
    cur = await conn.execute(
        "UPDATE sessions SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'scheduled'",
        (to_db(now), session_id),
    )
    return cur.rowcount == 1


async def of_cohort(conn: aiosqlite.Connection, cohort_id: int, only_scheduled: bool = False) -> list[Session]:
    sql = "SELECT * FROM sessions WHERE cohort_id = ?"
    if only_scheduled:
        sql += " AND status = 'scheduled'"
    async with conn.execute(sql + " ORDER BY starts_at, id", (cohort_id,)) as cur:
        return [row_to_session(row) for row in await cur.fetchall()]


async def upcoming_of_cohort(conn: aiosqlite.Connection, cohort_id: int, now: datetime) -> list[Session]:
    """Scheduled sessions that have not started yet, soonest first."""
    async with conn.execute(
        "SELECT * FROM sessions WHERE cohort_id = ? AND status = 'scheduled' AND starts_at > ? ORDER BY starts_at, id",
        (cohort_id, to_db(now)),
    ) as cur:
        return [row_to_session(row) for row in await cur.fetchall()]


async def upcoming_for_user(conn: aiosqlite.Connection, user_id: int, now: datetime, limit: int) -> list[Session]:
    """Scheduled, not yet ended sessions of the cohorts a person is enrolled in."""
    async with conn.execute(
        "SELECT s.* FROM sessions s JOIN enrolments e ON e.cohort_id = s.cohort_id"
        " WHERE e.user_id = ? AND e.status = 'enrolled' AND s.status = 'scheduled' AND s.ends_at > ?"
        " ORDER BY s.starts_at, s.id LIMIT ?",
        (user_id, to_db(now), limit),
    ) as cur:
        return [row_to_session(row) for row in await cur.fetchall()]
