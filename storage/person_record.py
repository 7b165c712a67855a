"""Everything stored about one person, read in one place for /mydata and its file copy.

It reads the tables :mod:`storage.personal_data` declares as referring to a person, so
the right of access and the erasure cover the same ground.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.timefmt import from_db


def _moment(value: str | None) -> datetime | None:
    return from_db(value) if value else None


@dataclass(frozen=True)
class AccountFacts:
    channel: str
    platform_id: str
    display_name: str | None
    language: str | None
    source: str | None  # the campaign link of the first /start
    reachable: bool
    created_at: datetime


@dataclass(frozen=True)
class StatusStep:
    from_status: str
    to_status: str
    by_applicant: bool
    personal_note: str | None  # the staff member's sentence sent to the applicant
    at: datetime


@dataclass(frozen=True)
class ApplicationFacts:
    reference: str
    programme_code: str
    status: str
    created_at: datetime
    full_name: str | None
    birth_date: str | None
    gender: str | None
    municipality: str | None
    phone: str | None
    email: str | None
    education: str | None
    employment: str | None
    motivation: str | None
    heard_from: str | None
    source: str | None
    language: str | None
    consent_at: datetime | None
    guardian_name: str | None
    guardian_phone: str | None
    guardian_confirmed_at: datetime | None
    history: tuple[StatusStep, ...]


@dataclass(frozen=True)
class AttendanceFacts:
    session_starts_at: datetime
    topic: str | None
    answer: str  # 'yes' / 'no'
    answered_at: datetime


@dataclass(frozen=True)
class RegisterFacts:
    session_starts_at: datetime
    present: bool  # as staff marked it in the session's register


@dataclass(frozen=True)
class PlacementFacts:
    kind: str  # job, internship
    employer: str | None
    starts_on: date | None
    ict: bool
    source: str  # staff, survey
    confirmed_at: datetime | None  # None: reported in a survey, not yet confirmed by staff


@dataclass(frozen=True)
class EnrolmentFacts:
    programme_code: str
    cohort_code: str
    cohort_name: str
    status: str  # enrolled, completed, dropped
    enrolled_at: datetime
    completed_at: datetime | None
    graduates_on: date | None
    attendance: tuple[AttendanceFacts, ...]
    dropped_on: date | None = None
    dropout_reason: str | None = None
    register: tuple[RegisterFacts, ...] = ()
    placements: tuple[PlacementFacts, ...] = ()


@dataclass(frozen=True)
class AlertFacts:
    alerts: bool
    stopped: bool
    tracks: tuple[str, ...]  # empty: every track
    updated_at: datetime | None


@dataclass(frozen=True)
class InterestFacts:
    opening_id: int
    title: str
    employer: str
    created_at: datetime


@dataclass(frozen=True)
class SurveyFacts:
    survey_id: str
    wave: str
    status: str
    due_at: datetime
    completed_at: datetime | None
    language: str | None
    answers: tuple[tuple[str, Any], ...]  # (question id, answer) in the order given


@dataclass(frozen=True)
class LinkFacts:
    channel: str  # the other account's channel
    linked_at: datetime


@dataclass(frozen=True)
class FormFacts:
    flow: str
    started_at: datetime
    answers: dict[str, Any]


@dataclass(frozen=True)
class PersonRecord:
    account: AccountFacts
    applications: tuple[ApplicationFacts, ...]
    enrolments: tuple[EnrolmentFacts, ...]
    reminders_on: bool | None  # None: never chosen (reminders are on)
    alerts: AlertFacts | None  # None: never chosen
    interests: tuple[InterestFacts, ...]
    surveys: tuple[SurveyFacts, ...]
    links: tuple[LinkFacts, ...]
    form: FormFacts | None


async def _applications(conn: aiosqlite.Connection, user_id: int) -> tuple[ApplicationFacts, ...]:
    rows = await fetch_all(
        conn,
        "SELECT a.*, p.code AS programme_code FROM applications a JOIN programmes p ON p.id = a.programme_id"
        " WHERE a.user_id = ? ORDER BY a.created_at, a.id",
        (user_id,),
    )
    found = []
    for row in rows:
        history = await fetch_all(
            conn,
            "SELECT * FROM application_status_history WHERE application_id = ? ORDER BY at, id",
            (row["id"],),
        )
        found.append(
            ApplicationFacts(
                reference=row["reference"],
                programme_code=row["programme_code"],
                status=row["status"],
                created_at=from_db(row["created_at"]),
                full_name=row["full_name"],
                birth_date=row["birth_date"],
                gender=row["gender"],
                municipality=row["municipality"],
                phone=row["phone"],
                email=row["email"],
                education=row["education"],
                employment=row["employment"],
                motivation=row["motivation"],
                heard_from=row["heard_from"],
                source=row["source"],
                language=row["language"],
                consent_at=_moment(row["consent_at"]),
                guardian_name=row["guardian_name"],
                guardian_phone=row["guardian_phone"],
                guardian_confirmed_at=_moment(row["guardian_confirmed_at"]),
                history=tuple(
                    StatusStep(
                        h["from_status"], h["to_status"], bool(h["by_applicant"]), h["personal_note"], from_db(h["at"])
                    )
                    for h in history
                ),
            )
        )
    return tuple(found)


async def _enrolments(conn: aiosqlite.Connection, user_id: int) -> tuple[EnrolmentFacts, ...]:
    rows = await fetch_all(
        conn,
        "SELECT e.*, c.code AS cohort_code, c.name AS cohort_name, c.graduates_on, p.code AS programme_code"
        " FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN programmes p ON p.id = c.programme_id"
        " WHERE e.user_id = ? ORDER BY e.enrolled_at, e.id",
        (user_id,),
    )
    found = []
    for row in rows:
        answers = await fetch_all(
            conn,
            "SELECT s.starts_at, s.topic, a.answer, a.answered_at FROM session_answers a"
            " JOIN sessions s ON s.id = a.session_id WHERE a.user_id = ? AND s.cohort_id = ? ORDER BY s.starts_at",
            (user_id, row["cohort_id"]),
        )
        register = await fetch_all(
            conn,
            "SELECT s.starts_at, r.present FROM attendance_register r JOIN sessions s ON s.id = r.session_id"
            " WHERE r.enrolment_id = ? ORDER BY s.starts_at",
            (row["id"],),
        )
        placed = await fetch_all(
            conn, "SELECT * FROM placements WHERE enrolment_id = ? ORDER BY created_at, id", (row["id"],)
        )
        found.append(
            EnrolmentFacts(
                dropped_on=date.fromisoformat(row["dropped_on"]) if row["dropped_on"] else None,
                dropout_reason=row["dropout_reason"],
                register=tuple(RegisterFacts(from_db(r["starts_at"]), bool(r["present"])) for r in register),
                placements=tuple(
                    PlacementFacts(
                        p["kind"],
                        p["employer"],
                        date.fromisoformat(p["starts_on"]) if p["starts_on"] else None,
                        bool(p["ict"]),
                        p["source"],
                        _moment(p["confirmed_at"]),
                    )
                    for p in placed
                ),
                programme_code=row["programme_code"],
                cohort_code=row["cohort_code"],
                cohort_name=row["cohort_name"],
                status=row["status"],
                enrolled_at=from_db(row["enrolled_at"]),
                completed_at=_moment(row["completed_at"]),
                graduates_on=date.fromisoformat(row["graduates_on"]) if row["graduates_on"] else None,
                attendance=tuple(
                    AttendanceFacts(from_db(a["starts_at"]), a["topic"], a["answer"], from_db(a["answered_at"]))
                    for a in answers
                ),
            )
        )
    return tuple(found)


async def _alerts(conn: aiosqlite.Connection, user_id: int) -> AlertFacts | None:
    row = await fetch_one(conn, "SELECT * FROM alert_preferences WHERE user_id = ?", (user_id,))
    tracks = [
        r[0]
        for r in await fetch_all(conn, "SELECT track FROM alert_tracks WHERE user_id = ? ORDER BY track", (user_id,))
    ]
    if row is None and not tracks:
        return None
    return AlertFacts(
        alerts=bool(row["alerts"]) if row else False,
        stopped=bool(row["stopped"]) if row else False,
        tracks=tuple(tracks),
        updated_at=from_db(row["updated_at"]) if row else None,
    )


async def _surveys(conn: aiosqlite.Connection, user_id: int) -> tuple[SurveyFacts, ...]:
    rows = await fetch_all(conn, "SELECT * FROM survey_invitations WHERE user_id = ? ORDER BY due_at, id", (user_id,))
    found = []
    for row in rows:
        answers = await fetch_all(
            conn,
            "SELECT question_id, value FROM survey_answers WHERE invitation_id = ? ORDER BY answered_at, question_id",
            (row["id"],),
        )
        found.append(
            SurveyFacts(
                survey_id=row["survey_id"],
                wave=row["wave"],
                status=row["status"],
                due_at=from_db(row["due_at"]),
                completed_at=_moment(row["completed_at"]),
                language=row["language"],
                answers=tuple((a["question_id"], json.loads(a["value"])) for a in answers),
            )
        )
    return tuple(found)


async def read(conn: aiosqlite.Connection, user_id: int) -> PersonRecord | None:
    """The person's whole record; None when there is no such account."""
    user = await fetch_one(conn, "SELECT * FROM users WHERE id = ?", (user_id,))
    if user is None:
        return None
    reminders = await fetch_one(conn, "SELECT reminders_on FROM reminder_preferences WHERE user_id = ?", (user_id,))
    interests = await fetch_all(
        conn,
        "SELECT o.id, o.title, o.employer, i.created_at FROM opening_interest i JOIN openings o ON o.id = i.opening_id"
        " WHERE i.user_id = ? ORDER BY i.created_at",
        (user_id,),
    )
    links = await fetch_all(
        conn,
        "SELECT u.channel, l.used_at FROM link_codes l JOIN users u"
        " ON u.id = CASE WHEN l.user_id = ? THEN l.used_by_user_id ELSE l.user_id END"
        " WHERE l.used_at IS NOT NULL AND (l.user_id = ? OR l.used_by_user_id = ?) ORDER BY l.used_at",
        (user_id, user_id, user_id),
    )
    form = await fetch_one(conn, "SELECT flow, answers, started_at FROM conversations WHERE user_id = ?", (user_id,))
    form_answers = json.loads(form["answers"]) if form else {}
    return PersonRecord(
        account=AccountFacts(
            channel=user["channel"],
            platform_id=user["platform_id"],
            display_name=user["display_name"],
            language=user["language"],
            source=user["source"],
            reachable=bool(user["reachable"]),
            created_at=from_db(user["created_at"]),
        ),
        applications=await _applications(conn, user_id),
        enrolments=await _enrolments(conn, user_id),
        reminders_on=bool(reminders[0]) if reminders else None,
        alerts=await _alerts(conn, user_id),
        interests=tuple(InterestFacts(r[0], r[1], r[2], from_db(r[3])) for r in interests),
        surveys=await _surveys(conn, user_id),
        links=tuple(LinkFacts(r[0], from_db(r[1])) for r in links),
        form=FormFacts(form["flow"], from_db(form["started_at"]), form_answers) if form and form_answers else None,
    )
