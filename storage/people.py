"""The console's view of people: everyone who wrote to the bot, and all that is stored about one of them.

Read-only. A person is one ``users`` row (one channel account); what they
did points at its id (applications, enrolments, answers, interests), so the
person page reads each table by that id. The query-string form of the list's
filter lives in ``bot/web/pages/people.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_count, fetch_one
from storage.timefmt import from_db, to_db

PER_PAGE = 50


@dataclass(frozen=True)
class PersonFilter:
    """What a staff member narrowed the list to; None matches all."""

    search: str | None = None  # a name (chat name or applicant's name) or a phone number, typed by staff
    channel: str | None = None
    language: str | None = None  # a language code, or "none" for people who have not chosen one
    reachable: bool | None = None


@dataclass(frozen=True)
class PersonRow:
    id: int
    channel: str
    display_name: str | None  # the name the chat platform gave
    applicant_name: str | None  # the name on their newest application
    language: str | None
    first_contact: datetime
    last_contact: datetime
    reachable: bool
    alerts: bool
    stopped: bool
    applications: int

    @property
    def name(self) -> str | None:
        return self.applicant_name or self.display_name


@dataclass(frozen=True)
class PersonPage:
    rows: list[PersonRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class PersonApplication:
    id: int
    reference: str
    programme_code: str
    status: str
    created_at: datetime
    full_name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class PersonEnrolment:
    id: int
    cohort_code: str
    cohort_name: str
    programme_code: str
    reference: str
    status: str
    enrolled_at: datetime
    completed_at: datetime | None
    sessions_past: int  # scheduled sessions of the cohort that have started by ``now``
    said_yes: int  # of those, the ones the person said they would come to
    said_no: int


@dataclass(frozen=True)
class PersonRsvp:
    session_id: int
    cohort_code: str
    starts_at: datetime
    topic: str | None
    session_status: str
    answer: str  # 'yes' or 'no'
    answered_at: datetime


@dataclass(frozen=True)
class SurveyAnswer:
    question_id: str
    value: object  # the stored JSON value: a key, a list of keys, a number, a date, typed text, or None
    free_text: bool
    answered_at: datetime


@dataclass(frozen=True)
class PersonSurvey:
    invitation_id: int
    survey_id: str
    wave: str
    status: str
    due_at: datetime
    completed_at: datetime | None
    answers: list[SurveyAnswer]


@dataclass(frozen=True)
class PersonInterest:
    opening_id: int
    kind: str
    title: str
    employer: str
    opening_status: str
    created_at: datetime


@dataclass(frozen=True)
class LinkedAccount:
    """Another channel account whose records moved to this person (``into_this``), or that took theirs."""

    user_id: int
    channel: str
    into_this: bool
    at: datetime


@dataclass(frozen=True)
class Person:
    row: PersonRow
    source: str | None
    reminders_on: bool
    alert_tracks: tuple[str, ...]  # empty: every track
    applications: list[PersonApplication]
    enrolments: list[PersonEnrolment]
    rsvps: list[PersonRsvp]
    surveys: list[PersonSurvey]
    interests: list[PersonInterest]
    linked: list[LinkedAccount]


_ROW_SELECT = (
    "SELECT u.id, u.channel, u.display_name, u.language, u.reachable, u.created_at,"
    " coalesce(u.last_seen_at, u.updated_at) AS last_contact,"
    " coalesce(p.alerts, 0) AS alerts, coalesce(p.stopped, 0) AS stopped,"
    " (SELECT a.full_name FROM applications a WHERE a.user_id = u.id AND a.full_name IS NOT NULL"
    "  ORDER BY a.created_at DESC, a.id DESC LIMIT 1) AS applicant_name,"
    " (SELECT count(*) FROM applications a WHERE a.user_id = u.id) AS applications"
    " FROM users u LEFT JOIN alert_preferences p ON p.user_id = u.id"
)


def _person_row(row: aiosqlite.Row) -> PersonRow:
    return PersonRow(
        id=row["id"],
        channel=row["channel"],
        display_name=row["display_name"],
        applicant_name=row["applicant_name"],
        language=row["language"],
        first_contact=from_db(row["created_at"]),
        last_contact=from_db(row["last_contact"]),
        reachable=bool(row["reachable"]),
        alerts=bool(row["alerts"]),
        stopped=bool(row["stopped"]),
        applications=int(row["applications"]),
    )


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(f: PersonFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.channel:
        clauses.append("u.channel = ?")
        params.append(f.channel)
    if f.language == "none":
        clauses.append("u.language IS NULL")
    elif f.language:
        clauses.append("u.language = ?")
        params.append(f.language)
    if f.reachable is not None:
        clauses.append("u.reachable = ?")
        params.append(int(f.reachable))
    text = (f.search or "").strip()
    if text:
        # One pass over the applications (not one probe per person): the people whose
        # application carries the name or the phone, or whose chat name matches.
        matches = ["full_name LIKE ? ESCAPE '\\'"]
        params += [_like(text)]
        digits = "".join(ch for ch in text if ch.isdigit()).lstrip("0")  # a local 044 ... matches +38344 ...
        if len(digits) >= 5:
            matches.append("replace(replace(phone, ' ', ''), '+', '') LIKE ?")
            params.append(f"%{digits}%")
        clauses.append(
            "(u.id IN (SELECT user_id FROM applications WHERE user_id IS NOT NULL AND ("
            + " OR ".join(matches)
            + ")) OR u.display_name LIKE ? ESCAPE '\\')"
        )
        params.append(_like(text))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


async def search(conn: aiosqlite.Connection, f: PersonFilter, *, page: int, per_page: int = PER_PAGE) -> PersonPage:
    """One page of the matching people, the most recent contact first, with the number of matches."""
    page = max(1, page)
    where, params = _where(f)
    total = await fetch_count(conn, f"SELECT count(*) FROM users u{where}", params)
    page = min(page, max(1, -(-total // per_page)))  # past the end: the last page
    rows = await fetch_all(
        conn,
        f"{_ROW_SELECT}{where} ORDER BY u.last_seen_at DESC, u.id DESC LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    )
    return PersonPage([_person_row(r) for r in rows], total, page, per_page)


async def channels(conn: aiosqlite.Connection) -> list[str]:
    """The channels people came through, for the filter's choices."""
    return [r[0] for r in await fetch_all(conn, "SELECT DISTINCT channel FROM users ORDER BY channel")]


async def exists(conn: aiosqlite.Connection, user_id: int) -> bool:
    return await fetch_one(conn, "SELECT 1 FROM users WHERE id = ?", (user_id,)) is not None


async def _applications(conn: aiosqlite.Connection, user_id: int) -> list[PersonApplication]:
    rows = await fetch_all(
        conn,
        "SELECT a.id, a.reference, p.code, a.status, a.created_at, a.full_name, a.phone, a.email"
        " FROM applications a JOIN programmes p ON p.id = a.programme_id"
        " WHERE a.user_id = ? ORDER BY a.created_at DESC, a.id DESC",
        (user_id,),
    )
    return [
        PersonApplication(
            r["id"],
            r["reference"],
            r["code"],
            r["status"],
            from_db(r["created_at"]),
            r["full_name"],
            r["phone"],
            r["email"],
        )
        for r in rows
    ]


async def _enrolments(conn: aiosqlite.Connection, user_id: int, now: str) -> list[PersonEnrolment]:
    rows = await fetch_all(
        conn,
        "SELECT e.id, c.code, c.name, p.code AS programme_code, a.reference, e.status, e.enrolled_at, e.completed_at,"
        " (SELECT count(*) FROM sessions s WHERE s.cohort_id = e.cohort_id AND s.status = 'scheduled'"
        "  AND s.starts_at <= ?) AS past,"
        " (SELECT count(*) FROM sessions s JOIN session_answers sa ON sa.session_id = s.id AND sa.user_id = e.user_id"
        "  WHERE s.cohort_id = e.cohort_id AND s.status = 'scheduled' AND s.starts_at <= ? AND sa.answer = 'yes')"
        "  AS yes,"
        " (SELECT count(*) FROM sessions s JOIN session_answers sa ON sa.session_id = s.id AND sa.user_id = e.user_id"
        "  WHERE s.cohort_id = e.cohort_id AND s.status = 'scheduled' AND s.starts_at <= ? AND sa.answer = 'no')"
        "  AS no"
        " FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN programmes p ON p.id = c.programme_id"
        " JOIN applications a ON a.id = e.application_id WHERE e.user_id = ? ORDER BY e.enrolled_at DESC, e.id DESC",
        (now, now, now, user_id),
    )
    return [
        PersonEnrolment(
            id=r["id"],
            cohort_code=r["code"],
            cohort_name=r["name"],
            programme_code=r["programme_code"],
            reference=r["reference"],
            status=r["status"],
            enrolled_at=from_db(r["enrolled_at"]),
            completed_at=from_db(r["completed_at"]) if r["completed_at"] else None,
            sessions_past=int(r["past"]),
            said_yes=int(r["yes"]),
            said_no=int(r["no"]),
        )
        for r in rows
    ]


async def _rsvps(conn: aiosqlite.Connection, user_id: int) -> list[PersonRsvp]:
    rows = await fetch_all(
        conn,
        "SELECT s.id, c.code, s.starts_at, s.topic, s.status, sa.answer, sa.answered_at"
        " FROM session_answers sa JOIN sessions s ON s.id = sa.session_id JOIN cohorts c ON c.id = s.cohort_id"
        " WHERE sa.user_id = ? ORDER BY s.starts_at DESC, s.id DESC",
        (user_id,),
    )
    return [
        PersonRsvp(
            r["id"], r["code"], from_db(r["starts_at"]), r["topic"], r["status"], r["answer"], from_db(r["answered_at"])
        )
        for r in rows
    ]


async def _surveys(conn: aiosqlite.Connection, user_id: int) -> list[PersonSurvey]:
    invitations = await fetch_all(
        conn,
        "SELECT id, survey_id, wave, status, due_at, completed_at FROM survey_invitations"
        " WHERE user_id = ? ORDER BY due_at DESC, id DESC",
        (user_id,),
    )
    found = []
    for inv in invitations:
        answers = await fetch_all(
            conn,
            "SELECT question_id, value, free_text, answered_at FROM survey_answers"
            " WHERE invitation_id = ? ORDER BY answered_at, question_id",
            (inv["id"],),
        )
        found.append(
            PersonSurvey(
                invitation_id=inv["id"],
                survey_id=inv["survey_id"],
                wave=inv["wave"],
                status=inv["status"],
                due_at=from_db(inv["due_at"]),
                completed_at=from_db(inv["completed_at"]) if inv["completed_at"] else None,
                answers=[
                    SurveyAnswer(
                        a["question_id"], json.loads(a["value"]), bool(a["free_text"]), from_db(a["answered_at"])
                    )
                    for a in answers
                ],
            )
        )
    return found


async def _interests(conn: aiosqlite.Connection, user_id: int) -> list[PersonInterest]:
    rows = await fetch_all(
        conn,
        "SELECT o.id, o.kind, o.title, o.employer, o.status, i.created_at FROM opening_interest i"
        " JOIN openings o ON o.id = i.opening_id WHERE i.user_id = ? ORDER BY i.created_at DESC, o.id DESC",
        (user_id,),
    )
    return [
        PersonInterest(r["id"], r["kind"], r["title"], r["employer"], r["status"], from_db(r["created_at"]))
        for r in rows
    ]


async def _linked(conn: aiosqlite.Connection, user_id: int) -> list[LinkedAccount]:
    rows = await fetch_all(
        conn,
        "SELECT u.id, u.channel, 1 AS into_this, l.used_at FROM link_codes l JOIN users u ON u.id = l.user_id"
        " WHERE l.used_by_user_id = ? AND l.used_at IS NOT NULL"
        " UNION ALL"
        " SELECT u.id, u.channel, 0 AS into_this, l.used_at FROM link_codes l JOIN users u ON u.id = l.used_by_user_id"
        " WHERE l.user_id = ? AND l.used_at IS NOT NULL"
        " ORDER BY used_at DESC",
        (user_id, user_id),
    )
    return [LinkedAccount(r["id"], r["channel"], bool(r["into_this"]), from_db(r["used_at"])) for r in rows]


async def get(conn: aiosqlite.Connection, user_id: int, now: datetime) -> Person | None:
    """Everything stored about one person; None when there is no such account (never was, or erased)."""
    found = await fetch_one(conn, f"{_ROW_SELECT} WHERE u.id = ?", (user_id,))
    if found is None:
        return None
    extra = await fetch_one(
        conn,
        "SELECT u.source, (SELECT r.reminders_on FROM reminder_preferences r WHERE r.user_id = u.id) AS reminders,"
        " (SELECT group_concat(t.track, ',') FROM alert_tracks t WHERE t.user_id = u.id) AS tracks"
        " FROM users u WHERE u.id = ?",
        (user_id,),
    )
    assert extra is not None
    return Person(
        row=_person_row(found),
        source=extra["source"],
        reminders_on=extra["reminders"] is None or bool(extra["reminders"]),
        alert_tracks=tuple(sorted(extra["tracks"].split(","))) if extra["tracks"] else (),
        applications=await _applications(conn, user_id),
        enrolments=await _enrolments(conn, user_id, to_db(now)),
        rsvps=await _rsvps(conn, user_id),
        surveys=await _surveys(conn, user_id),
        interests=await _interests(conn, user_id),
        linked=await _linked(conn, user_id),
    )
