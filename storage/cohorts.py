"""Cohorts and the enrolment of accepted applicants into them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import inserted_id
from storage.timefmt import to_db


@dataclass(frozen=True)
class Cohort:
    id: int
    programme_id: int
    code: str
    name: str
    starts_on: date | None
    graduates_on: date | None
    ends_on: date | None = None  # the planned last day of training


@dataclass(frozen=True)
class Enrolment:
    id: int
    cohort_id: int
    application_id: int
    user_id: int | None
    status: str


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _cohort(row: aiosqlite.Row) -> Cohort:
    return Cohort(
        id=row["id"],
        programme_id=row["programme_id"],
        code=row["code"],
        name=row["name"],
        starts_on=date.fromisoformat(row["starts_on"]) if row["starts_on"] else None,
        graduates_on=date.fromisoformat(row["graduates_on"]) if row["graduates_on"] else None,
        ends_on=date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
    )


def _enrolment(row: aiosqlite.Row) -> Enrolment:
    return Enrolment(row["id"], row["cohort_id"], row["application_id"], row["user_id"], row["status"])


async def create(
    conn: aiosqlite.Connection,
    programme_id: int,
    code: str,
    name: str,
    now: datetime,
    starts_on: date | None = None,
    graduates_on: date | None = None,
    ends_on: date | None = None,
) -> Cohort:
    cur = await conn.execute(
        "INSERT INTO cohorts(programme_id, code, name, starts_on, graduates_on, ends_on, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (programme_id, code, name, _iso(starts_on), _iso(graduates_on), _iso(ends_on), to_db(now)),
    )
    cohort = await get(conn, inserted_id(cur))
    assert cohort is not None
    return cohort


async def get(conn: aiosqlite.Connection, cohort_id: int) -> Cohort | None:
    async with conn.execute("SELECT * FROM cohorts WHERE id = ?", (cohort_id,)) as cur:
        row = await cur.fetchone()
    return _cohort(row) if row else None


async def by_code(conn: aiosqlite.Connection, code: str) -> Cohort | None:
    async with conn.execute("SELECT * FROM cohorts WHERE code = ?", (code,)) as cur:
        row = await cur.fetchone()
    return _cohort(row) if row else None


async def list_all(conn: aiosqlite.Connection) -> list[Cohort]:
    async with conn.execute("SELECT * FROM cohorts ORDER BY starts_on DESC, id DESC") as cur:
        return [_cohort(row) for row in await cur.fetchall()]


async def update(
    conn: aiosqlite.Connection,
    cohort_id: int,
    *,
    programme_id: int,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    graduates_on: date | None,
) -> None:
    """Staff edit a cohort (its code, the name staff type in commands and files, stays)."""
    await conn.execute(
        "UPDATE cohorts SET programme_id = ?, name = ?, starts_on = ?, ends_on = ?, graduates_on = ? WHERE id = ?",
        (programme_id, name, _iso(starts_on), _iso(ends_on), _iso(graduates_on), cohort_id),
    )


async def set_graduation(conn: aiosqlite.Connection, cohort_id: int, graduates_on: date) -> None:
    await conn.execute("UPDATE cohorts SET graduates_on = ? WHERE id = ?", (graduates_on.isoformat(), cohort_id))


async def enrol(conn: aiosqlite.Connection, cohort_id: int, application_id: int, now: datetime) -> Enrolment | None:
    """Enrol the applicant of an application (once); marks the application accepted.
    Returns None when the application was already enrolled."""
    async with conn.execute("SELECT user_id FROM applications WHERE id = ?", (application_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise LookupError(f"no application {application_id}")
    cur = await conn.execute(
        "INSERT INTO enrolments(cohort_id, application_id, user_id, enrolled_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(application_id) DO NOTHING",
        (cohort_id, application_id, row["user_id"], to_db(now)),
    )
    if cur.rowcount == 0:
        return None
    await conn.execute("UPDATE applications SET status = 'accepted' WHERE id = ?", (application_id,))
    async with conn.execute("SELECT * FROM enrolments WHERE id = ?", (inserted_id(cur),)) as c:
        row = await c.fetchone()
    return _enrolment(row) if row else None


async def complete(conn: aiosqlite.Connection, cohort_id: int, now: datetime) -> int:
    """Mark every enrolled trainee of the cohort as a graduate; returns how many."""
    cur = await conn.execute(
        "UPDATE enrolments SET status = 'completed', completed_at = ? WHERE cohort_id = ? AND status = 'enrolled'",
        (to_db(now), cohort_id),
    )
    return cur.rowcount


async def get_enrolment(conn: aiosqlite.Connection, enrolment_id: int) -> Enrolment | None:
    async with conn.execute("SELECT * FROM enrolments WHERE id = ?", (enrolment_id,)) as cur:
        row = await cur.fetchone()
    return _enrolment(row) if row else None


async def mark_completed(conn: aiosqlite.Connection, enrolment_id: int, now: datetime) -> bool:
    """One enrolled trainee completed the training; False when they were not enrolled (any more)."""
    cur = await conn.execute(
        "UPDATE enrolments SET status = 'completed', completed_at = ? WHERE id = ? AND status = 'enrolled'",
        (to_db(now), enrolment_id),
    )
    return cur.rowcount == 1


async def mark_dropped(conn: aiosqlite.Connection, enrolment_id: int, on: date, reason: str | None) -> bool:
    """One enrolled trainee dropped out on ``on``; False when they were not enrolled (any more)."""
    cur = await conn.execute(
        "UPDATE enrolments SET status = 'dropped', dropped_on = ?, dropout_reason = ? WHERE id = ? AND status = 'enrolled'",
        (on.isoformat(), reason, enrolment_id),
    )
    return cur.rowcount == 1


async def has_enrolments(conn: aiosqlite.Connection, cohort_id: int) -> bool:
    async with conn.execute("SELECT 1 FROM enrolments WHERE cohort_id = ? LIMIT 1", (cohort_id,)) as cur:
        return await cur.fetchone() is not None


async def enrolments_of(conn: aiosqlite.Connection, cohort_id: int, status: str = "enrolled") -> list[Enrolment]:
    async with conn.execute(
        "SELECT * FROM enrolments WHERE cohort_id = ? AND status = ? ORDER BY id", (cohort_id, status)
    ) as cur:
        return [_enrolment(row) for row in await cur.fetchall()]


async def enrolments_of_user(conn: aiosqlite.Connection, user_id: int) -> list[Enrolment]:
    async with conn.execute("SELECT * FROM enrolments WHERE user_id = ? ORDER BY id", (user_id,)) as cur:
        return [_enrolment(row) for row in await cur.fetchall()]
