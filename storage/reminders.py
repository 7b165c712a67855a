"""Everything a reminder needs at send time, in one query.

A burst of thousands of reminders renders one row after another, and every
query is a round trip to the database thread, so the renderer asks once:
the session, its cohort's name, whether the person is still enrolled and
wants reminders, and their answer so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.sessions import Session, row_to_session


@dataclass(frozen=True)
class ReminderFacts:
    session: Session
    cohort_name: str
    enrolled: bool  # the person is enrolled (status 'enrolled') in the session's cohort
    wants_reminders: bool
    answer: str | None  # 'yes', 'no' or None


_FACTS = (
    "SELECT s.*, c.name AS cohort_name,"
    " EXISTS (SELECT 1 FROM enrolments e WHERE e.cohort_id = s.cohort_id AND e.user_id = :user"
    "         AND e.status = 'enrolled') AS enrolled,"
    " NOT EXISTS (SELECT 1 FROM reminder_preferences p WHERE p.user_id = :user AND p.reminders_on = 0) AS wants,"
    " (SELECT a.answer FROM session_answers a WHERE a.session_id = s.id AND a.user_id = :user) AS answer"
    " FROM sessions s JOIN cohorts c ON c.id = s.cohort_id WHERE s.id = :session"
)


async def facts(conn: aiosqlite.Connection, session_id: int, user_id: int) -> ReminderFacts | None:
    rows = await conn.execute_fetchall(_FACTS, {"session": session_id, "user": user_id})
    for row in rows:
        return ReminderFacts(
            row_to_session(row), row["cohort_name"], bool(row["enrolled"]), bool(row["wants"]), row["answer"]
        )
    return None
