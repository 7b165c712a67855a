"""Placements: staff record one, a survey answer that reports a job creates one for staff
to confirm, staff confirm it. The indicators count confirmed placements, once per person.

The survey's ``placement`` rule decides whether a response reports a job or an
internship; the answers below fill in the details when the survey asks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.services import audit
from bot.surveys.definition import Survey
from storage import placements
from storage.placements import NewPlacement
from storage.surveys import Invitation

EMPLOYER_MAX = 200
# Question ids of surveys/*.yaml whose answers describe the placement (all optional).
EMPLOYER_QUESTION = "employer"
ICT_QUESTION = "job_in_ict"
START_QUESTION = "start_date"
INTERNSHIP_ANSWER = "internship"


async def record(
    tx: aiosqlite.Connection,
    enrolment_id: int,
    kind: str,
    employer: str | None,
    starts_on: date | None,
    ict: bool,
    *,
    staff_id: int,
    now: datetime,
) -> int:
    """A placement staff know of: confirmed at once."""
    employer = (employer or "").strip()[:EMPLOYER_MAX] or None
    new = NewPlacement(enrolment_id, kind, employer, starts_on, ict, "staff")
    placement_id = await placements.add(tx, new, confirmed=True, staff_id=staff_id, now=now)
    assert placement_id is not None  # only survey placements can collide
    await audit.record(
        tx,
        staff_id=staff_id,
        action="placement.record",
        target_kind="placement",
        target_id=str(placement_id),
        detail={"kind": kind, "ict": ict},
        now=now,
    )
    return placement_id


async def confirm(tx: aiosqlite.Connection, placement_id: int, *, staff_id: int, now: datetime) -> bool:
    """Confirm a placement reported in a survey; False when there is none waiting with this id."""
    if not await placements.confirm(tx, placement_id, staff_id, now):
        return False
    await audit.record(
        tx, staff_id=staff_id, action="placement.confirm", target_kind="placement", target_id=str(placement_id), now=now
    )
    return True


def _kind(answers: Mapping[str, Any]) -> str:
    return "internship" if INTERNSHIP_ANSWER in answers.values() else "job"


def _start(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


async def from_survey(
    tx: aiosqlite.Connection, invitation: Invitation, survey: Survey, answers: Mapping[str, Any], now: datetime
) -> int | None:
    """A submitted response that reports a placement becomes one "from survey", waiting for staff;
    None when it reports none (or this response already made one)."""
    if not survey.is_placed(answers):
        return None
    employer = answers.get(EMPLOYER_QUESTION)
    new = NewPlacement(
        enrolment_id=invitation.enrolment_id,
        kind=_kind(answers),
        employer=employer[:EMPLOYER_MAX] if isinstance(employer, str) and employer.strip() else None,
        starts_on=_start(answers.get(START_QUESTION)),
        ict=answers.get(ICT_QUESTION) == "yes",
        source="survey",
        invitation_id=invitation.id,
    )
    return await placements.add(tx, new, confirmed=False, staff_id=None, now=now)
