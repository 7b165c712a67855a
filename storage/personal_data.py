"""Where a person's data lives, declared in one place, and the one erasure that reads the declaration.

Every table of the schema is either in :data:`PERSON_TABLES` (rows that refer to a young
person, with what erasure does to each column) or in :data:`NOT_ABOUT_A_PERSON` (with the
reason). ``tests/storage/test_personal_data.py`` compares this with the migrated schema, so
a migration that adds a table or a column fails the tests until its erasure is declared here.

Erasure keeps what the programme's reports count (programme, sex, birth year, age at
application, municipality, status, dates) and nothing that leads back to the person: the
reference number staff saw beside the name is replaced, staff notices that named the person
are withdrawn and emptied, and the database file is cleaned (``secure_delete`` on, and the
write-ahead log truncated after the transaction, see :func:`storage.db.mark_erased`).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from storage.db import fetch_all, mark_erased
from storage.timefmt import to_db


class Fate(enum.StrEnum):
    """What an erasure does to one column of a row that stays."""

    KEEP = "keep"  # anonymous on its own: kept for the reports
    CLEAR = "clear"  # set to NULL
    UNLINK = "unlink"  # the reference to the person's account: set to NULL
    REPLACE = "replace"  # given a fresh value that leads nowhere (see REPLACEMENTS)


@dataclass(frozen=True)
class PersonTable:
    """A table whose rows refer to a person.

    ``rows`` is the SQL condition that selects one person's rows, with ``:ids`` expanded to
    the person's account ids. ``delete`` tables lose those rows; the others keep them with
    each column's :class:`Fate` (every column must be declared).
    """

    table: str
    rows: str
    delete: bool = False
    columns: Mapping[str, Fate] = field(default_factory=dict)


K, C, U, R = Fate.KEEP, Fate.CLEAR, Fate.UNLINK, Fate.REPLACE

# In the order the erasure runs: rows found through an application before the application is unlinked,
# rows found through the account before the account goes.
PERSON_TABLES: tuple[PersonTable, ...] = (
    PersonTable(
        "application_status_history",
        "application_id IN (SELECT id FROM applications WHERE user_id IN (:ids))",
        columns={
            "id": K,
            "application_id": K,
            "from_status": K,
            "to_status": K,
            "staff_id": K,
            "by_applicant": K,
            "personal_note": C,
            "at": K,
        },
    ),
    PersonTable(
        "application_notes", "application_id IN (SELECT id FROM applications WHERE user_id IN (:ids))", delete=True
    ),
    PersonTable(
        "applications",
        "user_id IN (:ids)",
        columns={
            "id": K,
            "reference": R,
            "user_id": U,
            "programme_id": K,
            "status": R,
            "full_name": C,
            "birth_date": C,
            "birth_year": K,
            "gender": K,
            "municipality": K,
            "phone": C,
            "email": C,
            "education": C,
            "employment": C,
            "motivation": C,
            "heard_from": C,
            "source": C,
            "language": K,
            "consent_at": K,
            "created_at": K,
            "anonymised_at": R,
            "guardian_name": C,
            "guardian_phone": C,
            "guardian_confirmed_at": K,
            "age_at_application": K,
            "applied_on": K,
        },
    ),
    PersonTable(
        # Who came to each session: anonymous counts once the enrolment is unlinked.
        "attendance_register",
        "enrolment_id IN (SELECT id FROM enrolments WHERE user_id IN (:ids))",
        columns={"session_id": K, "enrolment_id": K, "present": K, "staff_id": K, "marked_at": K},
    ),
    PersonTable(
        "placements",
        "enrolment_id IN (SELECT id FROM enrolments WHERE user_id IN (:ids))",
        columns={
            "id": K,
            "enrolment_id": K,
            "kind": K,
            "employer": C,  # typed, may name the person's workplace and colleagues
            "starts_on": K,
            "ict": K,
            "source": K,
            "invitation_id": K,
            "confirmed_at": K,
            "staff_id": K,
            "created_at": K,
        },
    ),
    PersonTable(
        "enrolments",
        "user_id IN (:ids)",
        columns={
            "id": K,
            "cohort_id": K,
            "application_id": K,
            "user_id": U,
            "status": K,
            "enrolled_at": K,
            "completed_at": K,
            "dropped_on": K,
            "dropout_reason": C,  # typed by staff, may name people
        },
    ),
    PersonTable(
        # Typed answers may name people or employers; chosen options stay as anonymous counts.
        "survey_answers",
        "free_text = 1 AND invitation_id IN (SELECT id FROM survey_invitations WHERE user_id IN (:ids))",
        delete=True,
    ),
    PersonTable(
        "survey_invitations",
        "user_id IN (:ids)",
        columns={
            "id": K,
            "survey_id": K,
            "wave": K,
            "enrolment_id": K,
            "user_id": U,
            "due_at": K,
            "expires_at": K,
            "status": K,
            "language": K,
            "started_at": K,
            "completed_at": K,
            "closed_at": K,
            "created_at": K,
        },
    ),
    PersonTable("outbox", "user_id IN (:ids) OR chat_id IN (SELECT chat_id FROM users WHERE id IN (:ids))", True),
    PersonTable("conversations", "user_id IN (:ids)", delete=True),
    PersonTable("session_answers", "user_id IN (:ids)", delete=True),
    PersonTable("reminder_preferences", "user_id IN (:ids)", delete=True),
    PersonTable("opening_interest", "user_id IN (:ids)", delete=True),
    PersonTable("alert_preferences", "user_id IN (:ids)", delete=True),
    PersonTable("alert_tracks", "user_id IN (:ids)", delete=True),
    PersonTable("link_attempts", "user_id IN (:ids)", delete=True),
    PersonTable("link_codes", "user_id IN (:ids) OR used_by_user_id IN (:ids)", delete=True),
    PersonTable(
        # Openings and broadcasts are staff's work: a staff member who erases their chat account
        # leaves them in place, without the link to the account.
        "openings",
        "created_by IN (:ids)",
        columns={
            "id": K,
            "kind": K,
            "title": K,
            "employer": K,
            "description": K,
            "municipality": K,
            "remote": K,
            "deadline": K,
            "apply_how": K,
            "status": K,
            "created_by": U,
            "created_at": K,
            "closed_at": K,
        },
    ),
    PersonTable(
        "broadcasts",
        "created_by IN (:ids)",
        columns={
            "id": K,
            "created_by": U,
            "opening_id": K,
            "text": K,
            "segment": K,
            "segment_arg": K,
            "recipients": K,
            "status": K,
            "created_at": K,
            "finished_at": K,
            "confirmation": K,
        },
    ),
    PersonTable("users", "id IN (:ids)", delete=True),
)

# Tables that refer to no young person, and why.
NOT_ABOUT_A_PERSON: Mapping[str, str] = {
    "schema_migrations": "the migrations applied",
    "programmes": "the programme catalogue",
    "handled_updates": "platform update numbers, kept two days to recognise a repeat",
    "cohorts": "groups of trainees, by code and dates",
    "sessions": "training sessions: times and places",
    "opening_tracks": "the tracks of an opening",
    "staff_accounts": "the programme's staff, managed by the administrators",
    "staff_tokens": "staff sign-in links (hashes)",
    "web_sessions": "staff console sessions (hashes)",
    "sign_in_failures": "failed staff sign-ins, for the lock-out",
    "apply_funnel": "how far anonymous /apply starts got: a random token the person's form held, gone with the form",
    "apply_funnel_steps": "the steps each anonymous /apply start reached",
    "apply_funnel_daily": "the funnel's counts per day",
    "audit_log": "staff actions; the application references it names are replaced on erasure, so they lead nowhere",
}

# The SQL of each replaced column; ``:withdraw`` is 1 when the person asked (the status then says so).
REPLACEMENTS: Mapping[tuple[str, str], str] = {
    ("applications", "reference"): "'X-' || upper(hex(randomblob(6)))",
    ("applications", "status"): "CASE WHEN :withdraw THEN 'withdrawn' ELSE status END",
    ("applications", "anonymised_at"): ":now",
}

# What a person typed or was given that may appear in other people's rows (staff notices
# name the applicant; a staff member's form in progress may hold a reference).
_NEEDLES_SQL = (
    "SELECT full_name, phone, email, guardian_name, guardian_phone, reference FROM applications WHERE user_id IN (:ids)"
)
MIN_NEEDLE = 5  # shorter strings (a first name alone) would match unrelated messages
STAFF_NOTICE = "staff_notice"  # the outbox kind of notices to staff (bot/services/notices.py)


@dataclass(frozen=True)
class Erased:
    accounts: int
    applications: int
    scrubbed_messages: int


def _expand(sql: str, ids: list[int]) -> tuple[str, dict[str, object]]:
    names = [f":id{i}" for i in range(len(ids))]
    return sql.replace(":ids", ", ".join(names)), {f"id{i}": v for i, v in enumerate(ids)}


async def linked_accounts(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    """The account and every account joined to it with /link (the same person on another channel)."""
    found = {user_id}
    frontier = [user_id]
    while frontier:
        current = frontier.pop()
        rows = await fetch_all(
            conn,
            "SELECT user_id, used_by_user_id FROM link_codes WHERE used_at IS NOT NULL"
            " AND (user_id = ? OR used_by_user_id = ?)",
            (current, current),
        )
        for row in rows:
            for other in (row[0], row[1]):
                if other is not None and other not in found:
                    found.add(other)
                    frontier.append(other)
    return sorted(found)


def _needle_forms(values: Iterable[str | None]) -> list[str]:
    """Each identifying value as stored in JSON too (payloads are JSON text)."""
    forms: set[str] = set()
    for value in values:
        if value and len(value) >= MIN_NEEDLE:
            forms.add(value)
            forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    return sorted(forms)


async def _scrub_mentions(
    conn: aiosqlite.Connection, ids: list[int], needles: list[str], typed: list[str] | None = None
) -> int:
    """Withdraw and empty the staff notices that name the person; drop forms that hold what they typed.

    Only staff notices are searched (a broadcast that happens to contain a name like the
    person's is someone else's message); forms are searched for ``typed`` (``needles`` without
    the account's display name, which others may share).
    """
    found: set[int] = set()
    params: list[object] = [n for needle in needles for n in (needle, needle)]
    if needles:
        where = " OR ".join("instr(payload, ?) > 0 OR instr(coalesce(dedup_key, ''), ?) > 0" for _ in needles)
        found |= {
            row[0]
            for row in await fetch_all(
                conn, f"SELECT id FROM outbox WHERE kind = '{STAFF_NOTICE}' AND ({where})", params
            )
        }
    if ids:
        # "X is interested in opening N": the notice's key names the account.
        where = " OR ".join("dedup_key LIKE ?" for _ in ids)
        found |= {
            row[0]
            for row in await fetch_all(
                conn,
                f"SELECT id FROM outbox WHERE kind = '{STAFF_NOTICE}' AND ({where})",
                [f"interest:%:{i}:%" for i in ids],
            )
        }
    for outbox_id in sorted(found):
        await conn.execute(
            "UPDATE outbox SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,"
            " payload = '{\"erased\": true}', dedup_key = NULL, ref = NULL, error = NULL, failure = NULL"
            " WHERE id = ?",
            (outbox_id,),
        )
    typed = needles if typed is None else typed
    if typed:
        where = " OR ".join("instr(answers, ?) > 0 OR instr(data, ?) > 0" for _ in typed)
        await conn.execute(
            f"DELETE FROM conversations WHERE {where}", [n for needle in typed for n in (needle, needle)]
        )
    return len(found)


async def erase_person(conn: aiosqlite.Connection, user_id: int, now: datetime, *, withdraw: bool) -> Erased:
    """Erase a person (and their linked accounts) as :data:`PERSON_TABLES` declares.

    ``withdraw``: the person asked, so their applications are marked withdrawn (the status
    history says they did); retention keeps the status as it was.
    """
    ids = await linked_accounts(conn, user_id)
    sql, params = _expand(_NEEDLES_SQL, ids)
    needle_rows = await fetch_all(conn, sql, params)
    sql, params = _expand("SELECT display_name FROM users WHERE id IN (:ids)", ids)
    names = [row[0] for row in await fetch_all(conn, sql, params)]
    typed = _needle_forms([value for row in needle_rows for value in row])
    needles = _needle_forms([value for row in needle_rows for value in row] + names)
    if withdraw:
        sql, params = _expand(
            "INSERT INTO application_status_history(application_id, from_status, to_status, by_applicant, at)"
            " SELECT id, status, 'withdrawn', 1, :now FROM applications WHERE user_id IN (:ids)"
            " AND status <> 'withdrawn'",
            ids,
        )
        await conn.execute(sql, {**params, "now": to_db(now)})
    scrubbed = await _scrub_mentions(conn, ids, needles, typed)
    anonymised = 0
    for entry in PERSON_TABLES:
        if entry.delete:
            sql, params = _expand(f"DELETE FROM {entry.table} WHERE {entry.rows}", ids)
            await conn.execute(sql, params)
            continue
        sets = []
        for column, fate in entry.columns.items():
            if fate in (Fate.CLEAR, Fate.UNLINK):
                sets.append(f"{column} = NULL")
            elif fate == Fate.REPLACE:
                sets.append(f"{column} = {REPLACEMENTS[(entry.table, column)]}")
        if not sets:
            continue  # every column is anonymous on its own: the rows stay as they are
        # The row selection is evaluated before the SET, so unlinking user_id is safe in one statement.
        sql, params = _expand(f"UPDATE {entry.table} SET {', '.join(sets)} WHERE {entry.rows}", ids)
        cur = await conn.execute(sql, {**params, "now": to_db(now), "withdraw": int(withdraw)})
        if entry.table == "applications":
            anonymised = cur.rowcount
    mark_erased(conn)
    return Erased(len(ids), anonymised, scrubbed)


async def anonymise_applications(conn: aiosqlite.Connection, application_ids: list[int], now: datetime) -> int:
    """Anonymise single applications (retention of applications never accepted), the account staying."""
    if not application_ids:
        return 0
    entry = next(e for e in PERSON_TABLES if e.table == "applications")
    history = next(e for e in PERSON_TABLES if e.table == "application_status_history")
    sql, params = _expand("application_id IN (:ids)", application_ids)
    notes = next(e for e in PERSON_TABLES if e.table == "application_notes")
    await conn.execute(f"DELETE FROM {notes.table} WHERE {sql}", params)
    cleared = ", ".join(f"{c} = NULL" for c, fate in history.columns.items() if fate == Fate.CLEAR)
    await conn.execute(f"UPDATE {history.table} SET {cleared} WHERE {sql}", params)
    needle_sql, params = _expand(_NEEDLES_SQL.replace("user_id IN", "id IN"), application_ids)
    needles = _needle_forms([value for row in await fetch_all(conn, needle_sql, params) for value in row])
    await _scrub_mentions(conn, [], needles)
    sets = []
    for column, fate in entry.columns.items():
        if fate in (Fate.CLEAR, Fate.UNLINK):
            sets.append(f"{column} = NULL")
        elif fate == Fate.REPLACE:
            sets.append(f"{column} = {REPLACEMENTS[(entry.table, column)]}")
    sql, params = _expand(f"UPDATE applications SET {', '.join(sets)} WHERE id IN (:ids)", application_ids)
    cur = await conn.execute(sql, {**params, "now": to_db(now), "withdraw": 0})
    mark_erased(conn)
    return cur.rowcount
