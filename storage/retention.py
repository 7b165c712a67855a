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


async def dormant_accounts(conn: aiosqlite.Connection, before: datetime) -> list[tuple[int, str, str]]:
    """(id, channel, platform id) of accounts with no trace newer than ``before``: not changed since,
    no application or training linked, no form open, no message planned or sent since, no
    answer, interest, alert wish or link since. Accounts joined with /link go with the person
    (erasure follows the link), never alone; staff console accounts' chat accounts are left."""
    stamp = to_db(before)
    rows = await fetch_all(
        conn,
        "SELECT u.id, u.channel, u.platform_id FROM users u WHERE u.created_at < :t AND u.updated_at < :t"
        " AND coalesce(u.last_seen_at, u.updated_at) < :t"
        " AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.user_id = u.id)"
        " AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = u.id)"
        " AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.user_id = u.id)"
        " AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.user_id = u.id)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE (o.user_id = u.id OR o.chat_id = u.chat_id)"
        "                 AND (o.created_at >= :t OR o.status IN ('pending', 'sending')))"
        " AND NOT EXISTS (SELECT 1 FROM session_answers s WHERE s.user_id = u.id AND s.answered_at >= :t)"
        " AND NOT EXISTS (SELECT 1 FROM opening_interest n WHERE n.user_id = u.id AND n.created_at >= :t)"
        " AND NOT EXISTS (SELECT 1 FROM alert_preferences p WHERE p.user_id = u.id AND (p.updated_at >= :t OR p.alerts = 1))"
        " AND NOT EXISTS (SELECT 1 FROM reminder_preferences r WHERE r.user_id = u.id AND r.updated_at >= :t)"
        " AND NOT EXISTS (SELECT 1 FROM link_codes l WHERE (l.user_id = u.id OR l.used_by_user_id = u.id)"
        "                 AND (l.created_at >= :t OR l.used_at IS NOT NULL))"
        " AND NOT EXISTS (SELECT 1 FROM staff_accounts s WHERE (u.channel = 'telegram'"
        "                 AND CAST(s.telegram_id AS TEXT) = u.platform_id) OR (u.channel = 'viber' AND s.viber_id = u.platform_id))"
        " ORDER BY u.id",
        {"t": stamp},
    )
    return [(row[0], row[1], row[2]) for row in rows]
