"""Trainees' answers to "will you attend?", per session and person, and the staff's view of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.sessions import Session, row_to_session
from storage.timefmt import from_db, to_db

ANSWERS = ("yes", "no")


@dataclass(frozen=True)
class Attendee:
    """One trainee of a session's cohort and their answer (None: no answer yet)."""

    reference: str
    full_name: str | None  # None once the person deleted their data
    answer: str | None
    answered_at: datetime | None
    present: bool | None = None  # from the register staff took; None when it was not taken for them


@dataclass(frozen=True)
class ExportRow:
    cohort_code: str
    session: Session
    attendee: Attendee


async def answer_of(conn: aiosqlite.Connection, session_id: int, user_id: int) -> str | None:
    async with conn.execute(
        "SELECT answer FROM session_answers WHERE session_id = ? AND user_id = ?", (session_id, user_id)
    ) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def set_answer(
    conn: aiosqlite.Connection, session_id: int, user_id: int, answer: str, now: datetime
) -> str | None:
    """Store (or change) an answer; return the earlier one."""
    if answer not in ANSWERS:
        raise ValueError(answer)
    earlier = await answer_of(conn, session_id, user_id)
    if earlier != answer:
        await conn.execute(
            "INSERT INTO session_answers(session_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(session_id, user_id) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            (session_id, user_id, answer, to_db(now)),
        )
    return earlier


# Trainees of the session's cohort (not those who dropped out), plus anyone who answered.
_ATTENDEES = (
    "SELECT a.reference, a.full_name, sa.answer, sa.answered_at, r.present FROM enrolments e"
    " JOIN applications a ON a.id = e.application_id"
    " LEFT JOIN session_answers sa ON sa.session_id = ? AND sa.user_id = e.user_id"
    " LEFT JOIN attendance_register r ON r.session_id = ? AND r.enrolment_id = e.id"
    " WHERE e.cohort_id = ? AND (e.status != 'dropped' OR sa.answer IS NOT NULL)"
    " ORDER BY a.full_name IS NULL, a.full_name COLLATE NOCASE, a.reference"
)


def _attendee(row: aiosqlite.Row) -> Attendee:
    answered = row["answered_at"]
    present = None if row["present"] is None else bool(row["present"])
    return Attendee(row["reference"], row["full_name"], row["answer"], from_db(answered) if answered else None, present)


async def for_session(conn: aiosqlite.Connection, session: Session) -> list[Attendee]:
    async with conn.execute(_ATTENDEES, (session.id, session.id, session.cohort_id)) as cur:
        return [_attendee(row) for row in await cur.fetchall()]


async def export_rows(conn: aiosqlite.Connection, cohort_id: int | None = None) -> list[ExportRow]:
    """Every session (of one cohort, or all) with every trainee's answer, in time order."""
    sql = "SELECT s.*, c.code AS cohort_code FROM sessions s JOIN cohorts c ON c.id = s.cohort_id"
    params: tuple[int, ...] = ()
    if cohort_id is not None:
        sql += " WHERE s.cohort_id = ?"
        params = (cohort_id,)
    async with conn.execute(sql + " ORDER BY c.code, s.starts_at, s.id", params) as cur:
        found = [(row["cohort_code"], row_to_session(row)) for row in await cur.fetchall()]
    rows = []
    for code, session in found:
        rows += [ExportRow(code, session, attendee) for attendee in await for_session(conn, session)]
    return rows


async def clear_answers(conn: aiosqlite.Connection, session_id: int) -> int:
    """Forget a session's answers (it moved: they were given for the old time)."""
    cur = await conn.execute("DELETE FROM session_answers WHERE session_id = ?", (session_id,))
    return cur.rowcount
