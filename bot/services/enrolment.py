"""Accepting an application into a cohort: shared by the staff command and the CLI.

One transaction enrols the applicant, queues the notice that tells them (in
their language, when it is sent) and plans their reminders for the cohort's
sessions that are already scheduled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.services import reminders as reminder_plan
from storage import cohorts, trainees, users
from storage.cohorts import Cohort, Enrolment
from storage.trainees import Applicant, Recipient


class Refusal(enum.StrEnum):
    WITHDRAWN = "withdrawn"  # withdrawn, or the person deleted their data
    ALREADY_ENROLLED = "already_enrolled"
    OTHER_PROGRAMME = "other_programme"


@dataclass(frozen=True)
class Accepted:
    enrolment: Enrolment
    reminders_planned: int


async def refusal(
    tx: aiosqlite.Connection, applicant: Applicant, cohort: Cohort | None = None
) -> tuple[Refusal, int | None] | None:
    """Why this application cannot go into the cohort (and the cohort it is already in), or None."""
    if applicant.user_id is None or applicant.status == "withdrawn":
        return Refusal.WITHDRAWN, None
    enrolled_in = await trainees.enrolled_cohort_of_application(tx, applicant.application_id)
    if enrolled_in is not None:
        return Refusal.ALREADY_ENROLLED, enrolled_in
    if cohort is not None and cohort.programme_id != applicant.programme_id:
        return Refusal.OTHER_PROGRAMME, None
    return None


async def accept(
    tx: aiosqlite.Connection,
    applicant: Applicant,
    cohort: Cohort,
    settings: Settings,
    now: datetime,
    *,
    notify: bool = True,
) -> Accepted | None:
    """Enrol, tell the applicant, plan their reminders; None when it cannot be done (see ``refusal``)."""
    if await refusal(tx, applicant, cohort) is not None:
        return None
    enrolment = await cohorts.enrol(tx, cohort.id, applicant.application_id, now)
    if enrolment is None:
        return None
    planned = 0
    user = await users.get(tx, applicant.user_id) if applicant.user_id is not None else None
    if user is not None:
        if notify:  # the decision service sends its own message instead
            await reminder_plan.enrolment_notice(
                tx, enrolment, Recipient(user.id, user.channel, user.chat_id, enrolment.id), now
            )
        planned = await reminder_plan.plan_for_trainee(tx, cohort.id, user.id, settings.reminder_offsets, now)
    return Accepted(enrolment, planned)
