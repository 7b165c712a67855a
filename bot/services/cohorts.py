"""Cohorts and their trainees' progress: creating and editing a cohort, marking trainees
completed or dropped out. Shared by the console and ``youthbot cohort create``; every
change is audited in the caller's transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.services import audit
from storage import cohorts
from storage.cohorts import Cohort

CODE_MAX = 40
NAME_MAX = 120
REASON_MAX = 500


class CohortProblem(enum.StrEnum):
    CODE = "code"  # not 1-40 letters, digits, '-' or '_'
    CODE_TAKEN = "code_taken"
    NAME = "name"  # empty or too long
    END_BEFORE_START = "end_before_start"
    GRADUATION_BEFORE_START = "graduation_before_start"
    PROGRAMME_FIXED = "programme_fixed"  # trainees were accepted for the programme
    GRADUATION_FIXED = "graduation_fixed"  # the cohort graduated: its surveys are planned from that date


class CohortError(ValueError):
    def __init__(self, problem: CohortProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def valid_code(code: str) -> bool:
    return 0 < len(code) <= CODE_MAX and code.replace("-", "").replace("_", "").isalnum() and code.isascii()


@dataclass(frozen=True)
class CohortFields:
    """What staff enter for a cohort."""

    programme_id: int
    name: str
    starts_on: date | None
    ends_on: date | None
    graduates_on: date | None


def check(fields: CohortFields) -> None:
    if not fields.name.strip() or len(fields.name) > NAME_MAX:
        raise CohortError(CohortProblem.NAME)
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        raise CohortError(CohortProblem.END_BEFORE_START)
    if fields.starts_on and fields.graduates_on and fields.graduates_on < fields.starts_on:
        raise CohortError(CohortProblem.GRADUATION_BEFORE_START)


async def create(
    tx: aiosqlite.Connection, code: str, fields: CohortFields, *, staff_id: int | None, now: datetime
) -> Cohort:
    """A new cohort with a unique code; raises CohortError naming what is wrong."""
    if not valid_code(code):
        raise CohortError(CohortProblem.CODE)
    check(fields)
    if await cohorts.by_code(tx, code) is not None:
        raise CohortError(CohortProblem.CODE_TAKEN)
    cohort = await cohorts.create(
        tx, fields.programme_id, code, fields.name.strip(), now, fields.starts_on, fields.graduates_on, fields.ends_on
    )
    await audit.record(
        tx, staff_id=staff_id, action="cohort.create", target_kind="cohort", target_id=str(cohort.id), now=now
    )
    return cohort


async def edit(
    tx: aiosqlite.Connection, cohort: Cohort, fields: CohortFields, *, staff_id: int | None, now: datetime
) -> None:
    """Change a cohort; the programme stays once it has trainees, the graduation date once it graduated
    (``graduate_cohort`` planned the surveys from it)."""
    check(fields)
    if fields.programme_id != cohort.programme_id and await cohorts.has_enrolments(tx, cohort.id):
        raise CohortError(CohortProblem.PROGRAMME_FIXED)
    if fields.graduates_on != cohort.graduates_on and await cohorts.enrolments_of(tx, cohort.id, "completed"):
        raise CohortError(CohortProblem.GRADUATION_FIXED)
    await cohorts.update(
        tx,
        cohort.id,
        programme_id=fields.programme_id,
        name=fields.name.strip(),
        starts_on=fields.starts_on,
        ends_on=fields.ends_on,
        graduates_on=fields.graduates_on,
    )
    await audit.record(
        tx, staff_id=staff_id, action="cohort.edit", target_kind="cohort", target_id=str(cohort.id), now=now
    )


class Outcome(enum.StrEnum):
    COMPLETED = "completed"
    DROPPED = "dropped"


async def mark(
    tx: aiosqlite.Connection,
    cohort: Cohort,
    enrolment_ids: Iterable[int],
    outcome: Outcome,
    *,
    on: date,
    reason: str | None,
    staff_id: int | None,
    now: datetime,
) -> int:
    """Mark enrolled trainees of this cohort completed or dropped out; ids of other cohorts,
    unknown ids and trainees no longer enrolled are left alone. Returns how many changed."""
    changed = 0
    reason = (reason or "").strip()[:REASON_MAX] or None
    for enrolment_id in sorted(set(enrolment_ids)):
        found = await cohorts.get_enrolment(tx, enrolment_id)
        if found is None or found.cohort_id != cohort.id:
            continue
        if outcome == Outcome.COMPLETED:
            changed += await cohorts.mark_completed(tx, enrolment_id, now)
        else:
            changed += await cohorts.mark_dropped(tx, enrolment_id, on, reason)
    await audit.record(
        tx,
        staff_id=staff_id,
        action=f"cohort.trainees_{outcome.value}",
        target_kind="cohort",
        target_id=str(cohort.id),
        detail={"count": changed, "on": on.isoformat(), "with_reason": reason is not None},
        now=now,
    )
    return changed
