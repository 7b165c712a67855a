"""Trainees as the reminders see them: who is enrolled and wants reminders.

Also the lookups staff need to accept an applicant into a cohort.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.timefmt import to_db


@dataclass(frozen=True)
class Recipient:
    """Where a trainee's proactive messages go. The enrolment id names the trainee in
    dedup keys: it stays the same when /link moves the person to another account."""

    user_id: int
    channel: str
    chat_id: str
    enrolment_id: int


@dataclass(frozen=True)
class Applicant:
    """An application as staff see it when accepting it into a cohort."""

    application_id: int
    reference: str
    user_id: int | None
    programme_id: int
    status: str
    full_name: str | None


# Unreachable people (they blocked the bot) are planned for too: the worker skips
# them while they stay unreachable, and they get what is still ahead if they come back.
_RECIPIENTS = (
    "SELECT u.id AS user_id, u.channel, u.chat_id, e.id AS enrolment_id FROM enrolments e JOIN users u ON u.id = e.user_id"
    " WHERE e.cohort_id = ? AND e.status = 'enrolled'"
)
_WANTS_REMINDERS = (
    " AND NOT EXISTS (SELECT 1 FROM reminder_preferences p WHERE p.user_id = u.id AND p.reminders_on = 0)"
)


def _recipient(row: aiosqlite.Row) -> Recipient:
    return Recipient(row["user_id"], row["channel"], row["chat_id"], row["enrolment_id"])


async def notice_recipients(conn: aiosqlite.Connection, cohort_id: int) -> list[Recipient]:
    """Enrolled trainees: they hear of a moved or cancelled session."""
    async with conn.execute(_RECIPIENTS + " ORDER BY u.id", (cohort_id,)) as cur:
        return [_recipient(row) for row in await cur.fetchall()]


async def reminder_recipients(
    conn: aiosqlite.Connection, cohort_id: int, user_id: int | None = None
) -> list[Recipient]:
    """Enrolled trainees who have not turned reminders off (optionally just one)."""
    sql, params = _RECIPIENTS + _WANTS_REMINDERS, [cohort_id]
    if user_id is not None:
        sql += " AND u.id = ?"
        params.append(user_id)
    async with conn.execute(sql + " ORDER BY u.id", params) as cur:
        return [_recipient(row) for row in await cur.fetchall()]


async def is_enrolled(conn: aiosqlite.Connection, cohort_id: int, user_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM enrolments WHERE cohort_id = ? AND user_id = ? AND status = 'enrolled'", (cohort_id, user_id)
    ) as cur:
        return await cur.fetchone() is not None


async def enrolled_cohort_ids(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    async with conn.execute(
        "SELECT cohort_id FROM enrolments WHERE user_id = ? AND status = 'enrolled' ORDER BY id", (user_id,)
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def reminders_on(conn: aiosqlite.Connection, user_id: int) -> bool:
    async with conn.execute("SELECT reminders_on FROM reminder_preferences WHERE user_id = ?", (user_id,)) as cur:
        row = await cur.fetchone()
    return row is None or bool(row[0])


async def set_reminders(conn: aiosqlite.Connection, user_id: int, on: bool, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO reminder_preferences(user_id, reminders_on, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET reminders_on = excluded.reminders_on, updated_at = excluded.updated_at",
        (user_id, int(on), to_db(now)),
    )


async def applicant(conn: aiosqlite.Connection, reference: str) -> Applicant | None:
    """The application with this reference number (typed by staff, any letter case)."""
    async with conn.execute(
        "SELECT id, reference, user_id, programme_id, status, full_name FROM applications WHERE reference = ?",
        (reference.strip().upper(),),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return Applicant(row["id"], row["reference"], row["user_id"], row["programme_id"], row["status"], row["full_name"])


async def enrolled_cohort_of_application(conn: aiosqlite.Connection, application_id: int) -> int | None:
    async with conn.execute("SELECT cohort_id FROM enrolments WHERE application_id = ?", (application_id,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else None


async def cohorts_of_programme(conn: aiosqlite.Connection, programme_id: int) -> list[int]:
    async with conn.execute(
        "SELECT id FROM cohorts WHERE programme_id = ? ORDER BY starts_on DESC, id DESC", (programme_id,)
    ) as cur:
        return [row[0] for row in await cur.fetchall()]
