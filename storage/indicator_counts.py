"""The programme's indicators counted in the database: one row per group, not per application.

The bot says how a timestamp becomes a local day (``ZoneSpan``: the UTC offset in
force from an instant on) and how ages are grouped (``AgeBand``); the counting,
the period filter and the age on the local day of application happen here, in
SQL. Only the placements reported in surveys come back per application, since
the survey's placement rule is read by the bot.
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


@dataclass(frozen=True)
class AgeBand:
    name: str
    low: int
    high: int


@dataclass(frozen=True)
class Selection:
    """Applications made in [since, until) (UTC; None leaves an end open), counted as of ``now``."""

    now: datetime
    zone: Sequence[ZoneSpan]
    bands: Sequence[AgeBand]
    other_band: str
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class GroupCounts:
    """One group's sums; gender and municipality as stored (None when not given)."""

    programme: str
    gender: str | None
    age_group: str
    municipality: str | None
    applicants: int
    accepted: int
    enrolled: int
    completed: int
    dropped_out: int
    asked: int
    answered: int
    confirmed: int
    confirmed_job: int
    confirmed_internship: int
    confirmed_ict: int
    registers: int
    present: int


@dataclass(frozen=True)
class AnsweredInvitation:
    """A completed, due invitation of an application in the selection, with the application's group."""

    application_id: int
    invitation_id: int
    programme: str
    gender: str | None
    age_group: str
    municipality: str | None


@dataclass(frozen=True)
class WaveRow:
    survey_id: str
    wave: str
    asked: int
    answered: int
    still_open: int
    closed: int


async def time_range(conn: aiosqlite.Connection) -> tuple[str | None, str | None]:
    """The first and last stored application time, for the bot to know which zone offsets matter."""
    rows = await fetch_all(conn, "SELECT min(created_at) AS first, max(created_at) AS last FROM applications")
    return rows[0]["first"], rows[0]["last"]


def _offset_sql(zone: Sequence[ZoneSpan], params: list[Any]) -> str:
    """The offset in minutes in force at ``a.created_at``: the latest span that started by then."""
    since_always = next((span.minutes for span in zone if span.starts is None), 0)
    dated = sorted(((span.starts, span.minutes) for span in zone if span.starts is not None), reverse=True)
    if not dated:
        params.append(since_always)
        return "?"
    parts = ["CASE"]
    for starts, minutes in dated:
        parts.append("WHEN a.created_at >= ? THEN ?")
        params.extend((to_db(starts), minutes))
    parts.append("ELSE ? END")
    params.append(since_always)
    return " ".join(parts)


def _selected_sql(selection: Selection, params: list[Any], every_row: bool = True) -> str:
    """Two common table expressions: ``applied`` (each application's age, worked out once per row) and
    ``selected`` (the applications of the selection with programme, gender, municipality, status and age group).

    ``every_row``: the query reads every application, so the age is materialised (computed once per row,
    not once per group it is tested against); a query that reads a few leaves it to the planner."""
    day = shifted_day("a.created_at", _offset_sql(selection.zone, params))
    where = []
    if selection.since is not None:
        where.append("a.created_at >= ?")
        params.append(to_db(selection.since))
    if selection.until is not None:
        where.append("a.created_at < ?")
        params.append(to_db(selection.until))
    age = (
        f"(CASE WHEN d.birth_date IS NOT NULL THEN {year_of('d.day')} - {year_of('d.birth_date')}"
        f" - (CASE WHEN {month_day_of('d.day')} < {month_day_of('d.birth_date')} THEN 1 ELSE 0 END)"
        " WHEN d.age_at_application IS NOT NULL THEN d.age_at_application"
        f" WHEN d.birth_year IS NOT NULL THEN {year_of('d.day')} - d.birth_year END)"
    )
    band = " ".join("WHEN age BETWEEN ? AND ? THEN ?" for _ in selection.bands)
    for b in selection.bands:  # after the inner query's parameters, as the text has them
        params.extend((b.low, b.high, b.name))
    params.append(selection.other_band)
    return (
        f"applied AS {'MATERIALIZED ' if every_row else ''}(SELECT d.id, d.programme, d.gender, d.municipality, d.status,"
        f" {age} AS age FROM ("
        f"SELECT a.id, p.code AS programme, a.gender, a.municipality, a.status, a.birth_date, a.birth_year,"
        f" a.age_at_application, {day} AS day FROM applications a JOIN programmes p ON p.id = a.programme_id"
        f"{' WHERE ' + ' AND '.join(where) if where else ''}) d),"
        " selected AS (SELECT id, programme, gender, municipality, status,"
        f" (CASE {band} ELSE ? END) AS age_group FROM applied)"
    )


async def group_counts(conn: aiosqlite.Connection, selection: Selection) -> list[GroupCounts]:
    """Sums per programme, gender, age group and municipality over the selection."""
    now = to_db(selection.now)
    params: list[Any] = []
    selected = _selected_sql(selection, params)
    sql = (
        f"WITH {selected},"
        " asked AS (SELECT enrolment_id, count(*) AS asked,"
        " sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS answered"
        " FROM survey_invitations WHERE due_at <= ? GROUP BY enrolment_id),"
        " attended AS (SELECT r.enrolment_id, count(*) AS registers, sum(r.present) AS present"
        " FROM attendance_register r JOIN sessions s ON s.id = r.session_id WHERE s.status = 'scheduled'"
        " GROUP BY r.enrolment_id),"
        " latest AS (SELECT enrolment_id, kind, ict, row_number() OVER (PARTITION BY enrolment_id"
        " ORDER BY coalesce(starts_on, '') DESC, id DESC) AS n FROM placements WHERE confirmed_at IS NOT NULL)"
        " SELECT s.programme, s.gender, s.age_group, s.municipality, count(*) AS applicants,"
        " sum(CASE WHEN s.status = 'accepted' OR e.id IS NOT NULL THEN 1 ELSE 0 END) AS accepted,"
        " count(e.id) AS enrolled,"
        " sum(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS completed,"
        " sum(CASE WHEN e.status = 'dropped' THEN 1 ELSE 0 END) AS dropped_out,"
        " sum(CASE WHEN q.asked > 0 THEN 1 ELSE 0 END) AS asked,"
        " sum(CASE WHEN q.answered > 0 THEN 1 ELSE 0 END) AS answered,"
        " count(l.kind) AS confirmed,"
        " sum(CASE WHEN l.kind = 'job' THEN 1 ELSE 0 END) AS confirmed_job,"
        " sum(CASE WHEN l.kind = 'internship' THEN 1 ELSE 0 END) AS confirmed_internship,"
        " sum(CASE WHEN l.ict <> 0 THEN 1 ELSE 0 END) AS confirmed_ict,"
        " coalesce(sum(t.registers), 0) AS registers, coalesce(sum(t.present), 0) AS present"
        " FROM selected s LEFT JOIN enrolments e ON e.application_id = s.id"
        " LEFT JOIN asked q ON q.enrolment_id = e.id LEFT JOIN attended t ON t.enrolment_id = e.id"
        " LEFT JOIN latest l ON l.enrolment_id = e.id AND l.n = 1"
        " GROUP BY s.programme, s.gender, s.age_group, s.municipality"
        " ORDER BY s.programme, s.gender, s.age_group, s.municipality"
    )
    rows = await fetch_all(conn, sql, [*params, now])
    return [GroupCounts(**dict(row)) for row in rows]


async def answered_invitations(conn: aiosqlite.Connection, selection: Selection) -> list[AnsweredInvitation]:
    """The completed, due invitations of the selection, by application then invitation (few: one per answer)."""
    params: list[Any] = []
    selected = _selected_sql(selection, params, every_row=False)
    rows = await fetch_all(
        conn,
        f"WITH {selected}"
        " SELECT s.id AS application_id, i.id AS invitation_id, s.programme, s.gender, s.age_group, s.municipality"
        " FROM survey_invitations i JOIN enrolments e ON e.id = i.enrolment_id JOIN selected s ON s.id = e.application_id"
        " WHERE i.due_at <= ? AND i.status = 'completed' ORDER BY s.id, i.id",
        [*params, to_db(selection.now)],
    )
    return [AnsweredInvitation(**dict(row)) for row in rows]


async def wave_rows(conn: aiosqlite.Connection, selection: Selection) -> list[WaveRow]:
    """Due invitations of the selection per survey and wave: asked, answered, still open, closed."""
    params: list[Any] = []
    where = []
    if selection.since is not None:
        where.append("a.created_at >= ?")
        params.append(to_db(selection.since))
    if selection.until is not None:
        where.append("a.created_at < ?")
        params.append(to_db(selection.until))
    now = to_db(selection.now)
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
        f"{''.join(' AND ' + w for w in where)} GROUP BY i.survey_id, i.wave",
        [now, now, now, *params],
    )
    return [WaveRow(**dict(row)) for row in rows]
