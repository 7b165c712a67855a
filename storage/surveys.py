"""Survey invitations and the answers given to them.

An invitation's life: ``planned`` (created; its outbox rows wait for the due
time) → ``started`` (a first answer) → ``completed`` (the person submitted
the summary). One not completed by ``expires_at`` is ``expired``: closed as
not answered. The survey's questions live in YAML files, not here: this
module stores answers by question id and knows nothing of their meaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.db import inserted_id
from storage.timefmt import from_db, to_db

OPEN = ("planned", "started")


@dataclass(frozen=True)
class Recipient:
    """Someone a survey can be sent to, through one of their enrolments."""

    enrolment_id: int
    user_id: int
    channel: str
    chat_id: str
    graduates_on: date | None


@dataclass(frozen=True)
class NewInvitation:
    survey_id: str
    wave: str
    enrolment_id: int
    user_id: int
    due_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Invitation:
    id: int
    survey_id: str
    wave: str
    enrolment_id: int
    user_id: int | None
    due_at: datetime
    expires_at: datetime
    status: str
    language: str | None
    completed_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        """Can be answered now: due, not yet answered, not yet closed."""
        return self.status in OPEN and self.due_at <= now < self.expires_at


def _invitation(row: aiosqlite.Row) -> Invitation:
    return Invitation(
        id=row["id"],
        survey_id=row["survey_id"],
        wave=row["wave"],
        enrolment_id=row["enrolment_id"],
        user_id=row["user_id"],
        due_at=from_db(row["due_at"]),
        expires_at=from_db(row["expires_at"]),
        status=row["status"],
        language=row["language"],
        completed_at=from_db(row["completed_at"]) if row["completed_at"] else None,
    )


def _recipient(row: aiosqlite.Row) -> Recipient:
    graduates_on = row["graduates_on"]
    return Recipient(
        row["enrolment_id"],
        row["user_id"],
        row["channel"],
        row["chat_id"],
        date.fromisoformat(graduates_on) if graduates_on else None,
    )


_RECIPIENTS = (
    "SELECT e.id AS enrolment_id, u.id AS user_id, u.channel, u.chat_id, c.graduates_on"
    " FROM enrolments e JOIN users u ON u.id = e.user_id JOIN cohorts c ON c.id = e.cohort_id"
)
# One enrolment per person (their latest graduation), for sends to everyone.
_LATEST_GRADUATION = (
    " AND e.id IN (SELECT max(e2.id) FROM enrolments e2 JOIN cohorts c2 ON c2.id = e2.cohort_id"
    " WHERE e2.status = 'completed' AND e2.user_id IS NOT NULL {filter} GROUP BY e2.user_id)"
)


async def graduates(conn: aiosqlite.Connection, cohort_id: int | None = None) -> list[Recipient]:
    """Completed enrolments whose cohort has a graduation date (of one cohort, or all)."""
    sql = _RECIPIENTS + " WHERE e.status = 'completed' AND c.graduates_on IS NOT NULL"
    params: tuple[int, ...] = ()
    if cohort_id is not None:
        sql += " AND e.cohort_id = ?"
        params = (cohort_id,)
    async with conn.execute(sql + " ORDER BY e.id", params) as cur:
        return [_recipient(row) for row in await cur.fetchall()]


async def segment(conn: aiosqlite.Connection, kind: str, ref_id: int | None = None) -> list[Recipient]:
    """Who a staff send reaches: 'graduates' (everyone), 'programme' (its graduates),
    'cohort' (its trainees and graduates)."""
    if kind == "graduates":
        params: tuple[int, ...] = ()
        sql = _RECIPIENTS + " WHERE 1 = 1" + _LATEST_GRADUATION.format(filter="")
    elif kind == "programme" and ref_id is not None:
        sql = _RECIPIENTS + " WHERE 1 = 1" + _LATEST_GRADUATION.format(filter="AND c2.programme_id = ?")
        params = (ref_id,)
    elif kind == "cohort" and ref_id is not None:
        sql = _RECIPIENTS + " WHERE e.cohort_id = ? AND e.status IN ('enrolled', 'completed')"
        params = (ref_id,)
    else:
        raise ValueError(f"unknown segment {kind!r}")
    async with conn.execute(sql + " ORDER BY e.id", params) as cur:
        return [_recipient(row) for row in await cur.fetchall()]


async def plan(conn: aiosqlite.Connection, new: NewInvitation, now: datetime) -> int | None:
    """Create the invitation; None when this wave of this survey was already planned."""
    cur = await conn.execute(
        "INSERT INTO survey_invitations(survey_id, wave, enrolment_id, user_id, due_at, expires_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(survey_id, enrolment_id, wave) DO NOTHING",
        (new.survey_id, new.wave, new.enrolment_id, new.user_id, to_db(new.due_at), to_db(new.expires_at), to_db(now)),
    )
    return inserted_id(cur) if cur.rowcount == 1 else None


async def get(conn: aiosqlite.Connection, invitation_id: int) -> Invitation | None:
    async with conn.execute("SELECT * FROM survey_invitations WHERE id = ?", (invitation_id,)) as cur:
        row = await cur.fetchone()
    return _invitation(row) if row else None


async def of_user(conn: aiosqlite.Connection, user_id: int) -> list[Invitation]:
    """Every invitation of a person, planned or past, in due order."""
    async with conn.execute(
        "SELECT * FROM survey_invitations WHERE user_id = ? ORDER BY due_at, id", (user_id,)
    ) as cur:
        return [_invitation(row) for row in await cur.fetchall()]


async def open_for_user(conn: aiosqlite.Connection, user_id: int, now: datetime) -> list[Invitation]:
    """The person's invitations that can be answered now, oldest first."""
    stamp = to_db(now)
    async with conn.execute(
        "SELECT * FROM survey_invitations WHERE user_id = ? AND status IN ('planned', 'started')"
        " AND due_at <= ? AND expires_at > ? ORDER BY due_at, id",
        (user_id, stamp, stamp),
    ) as cur:
        return [_invitation(row) for row in await cur.fetchall()]


async def has_open(conn: aiosqlite.Connection, survey_id: str, user_id: int, now: datetime) -> bool:
    stamp = to_db(now)
    async with conn.execute(
        "SELECT 1 FROM survey_invitations WHERE survey_id = ? AND user_id = ?"
        " AND status IN ('planned', 'started') AND due_at <= ? AND expires_at > ?",
        (survey_id, user_id, stamp, stamp),
    ) as cur:
        return await cur.fetchone() is not None


async def answers(conn: aiosqlite.Connection, invitation_id: int) -> dict[str, Any]:
    """Question id → answer (None for a skipped question)."""
    async with conn.execute(
        "SELECT question_id, value FROM survey_answers WHERE invitation_id = ?", (invitation_id,)
    ) as cur:
        return {row["question_id"]: json.loads(row["value"]) for row in await cur.fetchall()}


async def save_answer(
    conn: aiosqlite.Connection,
    invitation_id: int,
    question_id: str,
    value: Any,
    *,
    free_text: bool,
    language: str,
    now: datetime,
) -> None:
    """Store (or replace) one answer; the first one marks the invitation started."""
    stamp = to_db(now)
    await conn.execute(
        "INSERT INTO survey_answers(invitation_id, question_id, value, free_text, answered_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(invitation_id, question_id) DO UPDATE SET"
        " value = excluded.value, free_text = excluded.free_text, answered_at = excluded.answered_at",
        (invitation_id, question_id, json.dumps(value, ensure_ascii=False), int(free_text), stamp),
    )
    await conn.execute(
        "UPDATE survey_invitations SET status = 'started', started_at = coalesce(started_at, ?),"
        " language = ? WHERE id = ? AND status IN ('planned', 'started')",
        (stamp, language, invitation_id),
    )


async def drop_answers(conn: aiosqlite.Connection, invitation_id: int, question_ids: list[str]) -> None:
    """Remove answers to questions that no longer apply (after an earlier answer was changed)."""
    await conn.executemany(
        "DELETE FROM survey_answers WHERE invitation_id = ? AND question_id = ?",
        [(invitation_id, qid) for qid in question_ids],
    )


async def complete(conn: aiosqlite.Connection, invitation_id: int, language: str, now: datetime) -> bool:
    """Submit the response; False when it was already completed or closed."""
    cur = await conn.execute(
        "UPDATE survey_invitations SET status = 'completed', completed_at = ?, language = ?"
        " WHERE id = ? AND status IN ('planned', 'started')",
        (to_db(now), language, invitation_id),
    )
    return cur.rowcount == 1


async def close_expired(conn: aiosqlite.Connection, now: datetime) -> int:
    """Close every unanswered invitation past its expiry; returns how many."""
    stamp = to_db(now)
    cur = await conn.execute(
        "UPDATE survey_invitations SET status = 'expired', closed_at = ?"
        " WHERE status IN ('planned', 'started') AND expires_at <= ?",
        (stamp, stamp),
    )
    return cur.rowcount


@dataclass(frozen=True)
class Response:
    """One invitation with answers, as the staff export shows it."""

    invitation_id: int
    wave: str
    status: str
    language: str | None
    due_at: datetime
    completed_at: datetime | None
    reference: str
    full_name: str | None
    gender: str | None
    birth_year: int | None
    programme_code: str
    cohort_code: str
    graduates_on: str | None
    answers: dict[str, Any]


async def responses(conn: aiosqlite.Connection, survey_id: str) -> list[Response]:
    """Every invitation of a survey that has at least one answer, oldest first."""
    async with conn.execute(
        "SELECT i.*, a.reference, a.full_name, a.gender, a.birth_year, p.code AS programme_code,"
        " c.code AS cohort_code, c.graduates_on FROM survey_invitations i"
        " JOIN enrolments e ON e.id = i.enrolment_id JOIN applications a ON a.id = e.application_id"
        " JOIN programmes p ON p.id = a.programme_id JOIN cohorts c ON c.id = e.cohort_id"
        " WHERE i.survey_id = ? AND EXISTS (SELECT 1 FROM survey_answers s WHERE s.invitation_id = i.id)"
        " ORDER BY i.due_at, i.id",
        (survey_id,),
    ) as cur:
        rows = await cur.fetchall()
    given: dict[int, dict[str, Any]] = {row["id"]: {} for row in rows}
    async with conn.execute(
        "SELECT s.invitation_id, s.question_id, s.value FROM survey_answers s"
        " JOIN survey_invitations i ON i.id = s.invitation_id WHERE i.survey_id = ?",
        (survey_id,),
    ) as cur:
        for answer in await cur.fetchall():
            given[answer["invitation_id"]][answer["question_id"]] = json.loads(answer["value"])
    return [
        Response(
            invitation_id=row["id"],
            wave=row["wave"],
            status=row["status"],
            language=row["language"],
            due_at=from_db(row["due_at"]),
            completed_at=from_db(row["completed_at"]) if row["completed_at"] else None,
            reference=row["reference"],
            full_name=row["full_name"],
            gender=row["gender"],
            birth_year=row["birth_year"],
            programme_code=row["programme_code"],
            cohort_code=row["cohort_code"],
            graduates_on=row["graduates_on"],
            answers=given[row["id"]],
        )
        for row in rows
    ]
