"""What is old enough to be anonymised under RETENTION_MONTHS (the rule is in bot/services/retention.py)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import fetch_all, fetch_count, mark_erased
from storage.timefmt import to_db

# Outbox rows whose fate is still open are left alone; all others may go.
_SETTLED = "status NOT IN ('pending', 'sending')"


async def unaccepted_applications(conn: aiosqlite.Connection, before: datetime) -> list[int]:
    """Applications made before ``before``, never accepted nor enrolled, not yet anonymised."""
    rows = await fetch_all(
        conn,
        "SELECT a.id FROM applications a WHERE a.anonymised_at IS NULL AND a.created_at < ?"
        " AND a.status <> 'accepted'"
        " AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.application_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM application_status_history h"
        "                 WHERE h.application_id = a.id AND h.to_status = 'accepted')"
        " ORDER BY a.id",
        (to_db(before),),
    )
    return [row[0] for row in rows]


async def former_trainees(conn: aiosqlite.Connection, before: datetime) -> list[int]:
    """Accounts of trainees and graduates whose last survey wave (or, without one, their
    training's last date) came before ``before``."""
    rows = await fetch_all(
        conn,
        "SELECT e.user_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id"
        " LEFT JOIN survey_invitations i ON i.enrolment_id = e.id"
        " WHERE e.user_id IS NOT NULL GROUP BY e.user_id"
        " HAVING max(coalesce(max(i.due_at), ''), max(e.enrolled_at), coalesce(max(e.completed_at), ''),"
        "            coalesce(max(c.graduates_on), '')) < ?"
        " ORDER BY e.user_id",
        (to_db(before),),
    )
    return [row[0] for row in rows]


async def count_old_conversations(conn: aiosqlite.Connection, before: datetime) -> int:
    return await fetch_count(conn, "SELECT count(*) FROM conversations WHERE updated_at < ?", (to_db(before),))


async def delete_old_conversations(conn: aiosqlite.Connection, before: datetime) -> int:
    cur = await conn.execute("DELETE FROM conversations WHERE updated_at < ?", (to_db(before),))
    if cur.rowcount:
        mark_erased(conn)
    return cur.rowcount


async def count_old_messages(conn: aiosqlite.Connection, before: datetime) -> int:
    return await fetch_count(conn, f"SELECT count(*) FROM outbox WHERE created_at < ? AND {_SETTLED}", (to_db(before),))


async def delete_old_messages(conn: aiosqlite.Connection, before: datetime) -> int:
    cur = await conn.execute(f"DELETE FROM outbox WHERE created_at < ? AND {_SETTLED}", (to_db(before),))
    if cur.rowcount:
        mark_erased(conn)
    return cur.rowcount
