"""The programme's indicators counted in the database: one row per group, not per application.

Each application carries its day in the programme's time zone and the age on that
day (stored when it is made, migration 0020), so the counting reads one index in
group order and no row works out a time zone. Two grouped queries: the
applications (every one of them, from the index alone) and the enrolments with
what followed from them (few); they are joined here by group. The bot groups the
ages (``bot.reference.age_groups``). Only the placements reported in surveys
come back per application, since the survey's placement rule is read by the bot.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.db import fetch_all
from storage.timefmt import to_db


@dataclass(frozen=True)
class Selection:
    """Applications made on the local days ``since`` to ``until`` (both included; None leaves an end open),
    counted as of ``now``."""

    now: datetime
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class GroupCounts:
    """One group's sums; gender, municipality and age as stored (None when not given)."""

    programme: str
    gender: str | None
    age: int | None
    municipality: str | None
    applicants: int = 0
    accepted: int = 0
    enrolled: int = 0
    completed: int = 0
    dropped_out: int = 0
    asked: int = 0
    answered: int = 0
    confirmed: int = 0
    confirmed_job: int = 0
    confirmed_internship: int = 0
    confirmed_ict: int = 0
    registers: int = 0
    present: int = 0


@dataclass(frozen=True)
class AnsweredInvitation:
    """A completed, due invitation of an application in the selection, with the application's group."""

    application_id: int
    invitation_id: int
    programme: str
    gender: str | None
    age: int | None
    municipality: str | None


@dataclass(frozen=True)
class WaveRow:
    survey_id: str
    wave: str
    asked: int
    answered: int
    still_open: int
    closed: int


_KEY = ("programme", "gender", "age", "municipality")
_SUMS = tuple(f.name for f in fields(GroupCounts) if f.name not in _KEY)


def _period_sql(selection: Selection, params: list[Any]) -> str:
    """`` AND ...`` conditions on the local day of application ``a`` for the selection's period."""
    where = ""
    if selection.since is not None:
        where += " AND a.applied_on >= ?"
        params.append(selection.since.isoformat())
    if selection.until is not None:
        where += " AND a.applied_on <= ?"
        params.append(selection.until.isoformat())
    return where


async def group_counts(conn: aiosqlite.Connection, selection: Selection) -> list[GroupCounts]:
    """Sums per programme, gender, age and municipality over the selection, in that order."""
    params: list[Any] = []
    period = _period_sql(selection, params)
    applied = await fetch_all(
        conn,
        "SELECT p.code AS programme, g.gender, g.age, g.municipality, g.applicants, g.accepted FROM ("
        " SELECT a.programme_id, a.gender, a.municipality, a.age_at_application AS age, count(*) AS applicants,"
        " sum(CASE WHEN a.status = 'accepted' THEN 1 ELSE 0 END) AS accepted"
        f" FROM applications a WHERE 1 = 1{period}"
        " GROUP BY a.programme_id, a.gender, a.municipality, a.age_at_application) g"
        " JOIN programmes p ON p.id = g.programme_id",
        params,
    )
    params = [to_db(selection.now)]
    period = _period_sql(selection, params)
    followed = await fetch_all(
        conn,
        "WITH asked AS (SELECT enrolment_id, count(*) AS asked,"
        " sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS answered"
        " FROM survey_invitations WHERE due_at <= ? GROUP BY enrolment_id),"
        " attended AS (SELECT r.enrolment_id, count(*) AS registers, sum(r.present) AS present"
        " FROM attendance_register r JOIN sessions s ON s.id = r.session_id WHERE s.status = 'scheduled'"
        " GROUP BY r.enrolment_id),"
        " latest AS (SELECT enrolment_id, kind, ict, row_number() OVER (PARTITION BY enrolment_id"
        " ORDER BY coalesce(starts_on, '') DESC, id DESC) AS n FROM placements WHERE confirmed_at IS NOT NULL)"
        " SELECT p.code AS programme, a.gender, a.age_at_application AS age, a.municipality,"
        # an enrolled application counts as accepted whatever its status says
        " sum(CASE WHEN a.status <> 'accepted' THEN 1 ELSE 0 END) AS accepted,"
        " count(*) AS enrolled,"
        " sum(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS completed,"
        " sum(CASE WHEN e.status = 'dropped' THEN 1 ELSE 0 END) AS dropped_out,"
        " sum(CASE WHEN q.asked > 0 THEN 1 ELSE 0 END) AS asked,"
        " sum(CASE WHEN q.answered > 0 THEN 1 ELSE 0 END) AS answered,"
        " count(l.kind) AS confirmed,"
        " sum(CASE WHEN l.kind = 'job' THEN 1 ELSE 0 END) AS confirmed_job,"
        " sum(CASE WHEN l.kind = 'internship' THEN 1 ELSE 0 END) AS confirmed_internship,"
        " sum(CASE WHEN l.ict <> 0 THEN 1 ELSE 0 END) AS confirmed_ict,"
        " coalesce(sum(t.registers), 0) AS registers, coalesce(sum(t.present), 0) AS present"
        " FROM enrolments e JOIN applications a ON a.id = e.application_id"
        " JOIN programmes p ON p.id = a.programme_id"
        " LEFT JOIN asked q ON q.enrolment_id = e.id LEFT JOIN attended t ON t.enrolment_id = e.id"
        " LEFT JOIN latest l ON l.enrolment_id = e.id AND l.n = 1"
        f" WHERE 1 = 1{period}"
        " GROUP BY p.code, a.gender, a.age_at_application, a.municipality",
        params,
    )
    sums: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in applied:
        sums[tuple(row[k] for k in _KEY)] = {"applicants": row["applicants"], "accepted": row["accepted"]}
    for row in followed:
        group = sums.setdefault(tuple(row[k] for k in _KEY), {"applicants": 0, "accepted": 0})
        for name in _SUMS:
            if name != "applicants":
                group[name] = group.get(name, 0) + row[name]
    return [_group(key, values) for key, values in sorted(sums.items(), key=_in_order)]


def _in_order(item: tuple[tuple[Any, ...], dict[str, int]]) -> tuple[tuple[bool, Any], ...]:
    """Groups ordered by programme, gender, age and municipality, the unknown (None) first."""
    return tuple((value is not None, value) for value in item[0])


def _group(key: tuple[Any, ...], sums: dict[str, int]) -> GroupCounts:
    programme, gender, age, municipality = key
    return GroupCounts(programme, gender, age, municipality, **sums)


async def answered_invitations(conn: aiosqlite.Connection, selection: Selection) -> list[AnsweredInvitation]:
    """The completed, due invitations of the selection, by application then invitation (few: one per answer)."""
    params: list[Any] = [to_db(selection.now)]
    period = _period_sql(selection, params)
    rows = await fetch_all(
        conn,
        "SELECT a.id AS application_id, i.id AS invitation_id, p.code AS programme, a.gender,"
        " a.age_at_application AS age, a.municipality"
        " FROM survey_invitations i JOIN enrolments e ON e.id = i.enrolment_id"
        " JOIN applications a ON a.id = e.application_id JOIN programmes p ON p.id = a.programme_id"
        f" WHERE i.due_at <= ? AND i.status = 'completed'{period} ORDER BY a.id, i.id",
        params,
    )
    return [AnsweredInvitation(**dict(row)) for row in rows]


async def wave_rows(conn: aiosqlite.Connection, selection: Selection) -> list[WaveRow]:
    """Due invitations of the selection per survey and wave: asked, answered, still open, closed."""
    now = to_db(selection.now)
    params: list[Any] = [now, now, now]
    period = _period_sql(selection, params)
    rows = await fetch_all(
        conn,
        "SELECT i.survey_id, i.wave, count(*) AS asked,"
        " sum(CASE WHEN i.status = 'completed' THEN 1 ELSE 0 END) AS answered,"
        " sum(CASE WHEN i.status <> 'completed' AND i.status <> 'expired' AND i.expires_at > ? THEN 1 ELSE 0 END)"
        " AS still_open,"
        " sum(CASE WHEN i.status <> 'completed' AND (i.status = 'expired' OR i.expires_at <= ?) THEN 1 ELSE 0 END)"
        " AS closed"
        " FROM survey_invitations i JOIN enrolments e ON e.id = i.enrolment_id"
        " JOIN applications a ON a.id = e.application_id WHERE i.due_at <= ?"
        f"{period} GROUP BY i.survey_id, i.wave",
        params,
    )
    return [WaveRow(**dict(row)) for row in rows]
