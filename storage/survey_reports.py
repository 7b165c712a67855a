"""The rows behind the programme's indicators: applications, their enrolment,
and the survey invitations of each enrolment. Counting happens in the bot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.timefmt import from_db


@dataclass(frozen=True)
class ApplicantRow:
    application_id: int
    programme_code: str
    gender: str | None
    birth_date: date | None  # gone after /forget; birth_year stays
    birth_year: int | None
    applied_at: datetime
    enrolment_status: str | None  # None when never enrolled
    status: str = "submitted"  # the application's status (accepted, rejected, ...)
    municipality: str | None = None  # its key in bot/data, None when not given
    age_at_application: int | None = None  # kept after /forget, so the age group does not move


@dataclass(frozen=True)
class InvitationRow:
    id: int
    survey_id: str
    wave: str
    application_id: int
    due_at: datetime
    expires_at: datetime
    status: str


async def applicant_rows(conn: aiosqlite.Connection) -> list[ApplicantRow]:
    async with conn.execute(
        "SELECT a.id, p.code, a.gender, a.birth_date, a.birth_year, a.created_at, e.status AS enrolment_status,"
        " a.status, a.municipality, a.age_at_application"
        " FROM applications a JOIN programmes p ON p.id = a.programme_id"
        " LEFT JOIN enrolments e ON e.application_id = a.id ORDER BY a.id"
    ) as cur:
        rows = await cur.fetchall()
    return [
        ApplicantRow(
            application_id=row["id"],
            programme_code=row["code"],
            gender=row["gender"],
            birth_date=date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
            birth_year=row["birth_year"],
            age_at_application=row["age_at_application"],
            applied_at=from_db(row["created_at"]),
            enrolment_status=row["enrolment_status"],
            status=row["status"],
            municipality=row["municipality"],
        )
        for row in rows
    ]


async def invitation_rows(conn: aiosqlite.Connection) -> list[InvitationRow]:
    async with conn.execute(
        "SELECT i.id, i.survey_id, i.wave, e.application_id, i.due_at, i.expires_at, i.status"
        " FROM survey_invitations i JOIN enrolments e ON e.id = i.enrolment_id ORDER BY i.id"
    ) as cur:
        rows = await cur.fetchall()
    return [
        InvitationRow(
            id=row["id"],
            survey_id=row["survey_id"],
            wave=row["wave"],
            application_id=row["application_id"],
            due_at=from_db(row["due_at"]),
            expires_at=from_db(row["expires_at"]),
            status=row["status"],
        )
        for row in rows
    ]


async def completed_answers(conn: aiosqlite.Connection, survey_id: str, question_id: str) -> dict[int, Any]:
    """Invitation id → the answer to one question, for the survey's completed responses."""
    async with conn.execute(
        "SELECT s.invitation_id, s.value FROM survey_answers s"
        " JOIN survey_invitations i ON i.id = s.invitation_id"
        " WHERE i.survey_id = ? AND i.status = 'completed' AND s.question_id = ?",
        (survey_id, question_id),
    ) as cur:
        return {row["invitation_id"]: json.loads(row["value"]) for row in await cur.fetchall()}


@dataclass(frozen=True)
class GivenAnswer:
    """One answer of a completed response, with its wave: no person, for counting and charts."""

    invitation_id: int
    wave: str
    question_id: str
    value: Any


async def completed_survey_answers(conn: aiosqlite.Connection, survey_id: str) -> list[GivenAnswer]:
    async with conn.execute(
        "SELECT s.invitation_id, i.wave, s.question_id, s.value FROM survey_answers s"
        " JOIN survey_invitations i ON i.id = s.invitation_id"
        " WHERE i.survey_id = ? AND i.status = 'completed' ORDER BY i.completed_at, s.invitation_id",
        (survey_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [GivenAnswer(r["invitation_id"], r["wave"], r["question_id"], json.loads(r["value"])) for r in rows]
