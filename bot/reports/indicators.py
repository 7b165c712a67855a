"""The programme's indicators, counted from the database.

The unit is the application: a person who applied to two programmes counts
once in each. For each application: did they apply (always), enrol, complete
(graduate), get asked in a survey (an invitation whose time has come),
answer one (a completed response), and report being placed in a job or an
internship (a completed response matching the survey's ``placement`` rule)?
Response rate = answered ÷ asked; placement rate = placed ÷ answered.
Placed here is what the answers say; ``confirmed`` counts the placements staff
recorded or confirmed (``storage.placements``), once per application whatever
how many it has, by the kind and ICT field of its latest one. Attendance sums
the registers staff took (present ÷ registers).
Age is the age on the day of application (kept as a number after /forget;
from the birth year alone for older rows), grouped 15-19, 20-24, 25-29.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

import aiosqlite

from bot.parsing.validators import age_on
from bot.surveys.definition import Catalogue
from storage import placements, programmes, register, survey_reports
from storage.placements import ConfirmedRow
from storage.programmes import Programme
from storage.survey_reports import ApplicantRow, InvitationRow

AGE_GROUPS = (("15-19", 15, 19), ("20-24", 20, 24), ("25-29", 25, 29))
OTHER_AGE = "other"
SEXES = ("female", "male", "other", "undisclosed")
STAFF_WAVE = "staff"  # every send by staff, counted together


@dataclass
class Counts:
    applicants: int = 0
    enrolled: int = 0
    completed: int = 0
    asked: int = 0
    answered: int = 0
    placed: int = 0
    confirmed: int = 0  # confirmed placements, one per application
    confirmed_job: int = 0
    confirmed_internship: int = 0
    confirmed_ict: int = 0
    registers: int = 0
    present: int = 0

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.registers if self.registers else None

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def placement_rate(self) -> float | None:
        return self.placed / self.answered if self.answered else None


@dataclass(frozen=True)
class Facts:
    """What is known of one application."""

    programme: str
    sex: str
    age_group: str
    enrolled: bool
    completed: bool
    asked: bool
    answered: bool
    placed: bool
    confirmed: ConfirmedRow | None = None
    registers: int = 0
    present: int = 0


@dataclass
class WaveCounts:
    survey_id: str
    wave: str  # 'm3' ... or STAFF_WAVE
    asked: int = 0
    answered: int = 0
    still_open: int = 0
    closed: int = 0


@dataclass
class Report:
    as_of: datetime
    programmes: dict[str, Programme]
    total: Counts = field(default_factory=Counts)
    by_programme: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_sex: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_age: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_programme_and_sex: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    waves: list[WaveCounts] = field(default_factory=list)

    def add(self, facts: Facts) -> None:
        for counts in (
            self.total,
            self.by_programme[facts.programme],
            self.by_sex[facts.sex],
            self.by_age[facts.age_group],
            self.by_programme_and_sex[(facts.programme, facts.sex)],
        ):
            counts.applicants += 1
            counts.enrolled += facts.enrolled
            counts.completed += facts.completed
            counts.asked += facts.asked
            counts.answered += facts.answered
            counts.placed += facts.placed
            if facts.confirmed is not None:
                counts.confirmed += 1
                counts.confirmed_job += facts.confirmed.kind == "job"
                counts.confirmed_internship += facts.confirmed.kind == "internship"
                counts.confirmed_ict += facts.confirmed.ict
            counts.registers += facts.registers
            counts.present += facts.present


def age_group(row: ApplicantRow, applied_on: date) -> str:
    if row.birth_date is not None:
        age = age_on(row.birth_date, applied_on)
    elif row.age_at_application is not None:
        age = row.age_at_application
    elif row.birth_year is not None:
        age = applied_on.year - row.birth_year
    else:
        return OTHER_AGE
    return next((name for name, low, high in AGE_GROUPS if low <= age <= high), OTHER_AGE)


async def _placed_invitations(conn: aiosqlite.Connection, catalogue: Catalogue) -> set[int]:
    """Completed responses whose answers match their survey's placement rule."""
    placed: set[int] = set()
    for survey in catalogue.surveys.values():
        if not survey.placement:
            continue
        answers: dict[int, dict[str, Any]] = defaultdict(dict)
        for condition in survey.placement:
            for invitation_id, value in (
                await survey_reports.completed_answers(conn, survey.id, condition.question_id)
            ).items():
                answers[invitation_id][condition.question_id] = value
        placed.update(i for i, given in answers.items() if survey.is_placed(given))
    return placed


def _wave_counts(invitations: list[InvitationRow], now: datetime) -> list[WaveCounts]:
    found: dict[tuple[str, str], WaveCounts] = {}
    for inv in invitations:
        if inv.due_at > now:
            continue
        wave = inv.wave if inv.wave.startswith("m") else STAFF_WAVE
        counts = found.setdefault((inv.survey_id, wave), WaveCounts(inv.survey_id, wave))
        counts.asked += 1
        if inv.status == "completed":
            counts.answered += 1
        elif inv.status == "expired" or inv.expires_at <= now:
            counts.closed += 1
        else:
            counts.still_open += 1

    def order(key: tuple[str, str]) -> tuple[str, int]:
        survey_id, wave = key
        return survey_id, int(wave[1:]) if wave != STAFF_WAVE else 10**6

    return [found[key] for key in sorted(found, key=order)]


async def build_report(conn: aiosqlite.Connection, catalogue: Catalogue, now: datetime, timezone: tzinfo) -> Report:
    """Count everything as of ``now`` (dates of application in the programme's time zone)."""
    report = Report(now, {p.code: p for p in await programmes.list_all(conn)})
    invitations = await survey_reports.invitation_rows(conn)
    placed_ids = await _placed_invitations(conn, catalogue)
    confirmed = await placements.confirmed_by_application(conn)
    attendance = await register.by_application(conn)
    by_application: dict[int, list[InvitationRow]] = defaultdict(list)
    for inv in invitations:
        by_application[inv.application_id].append(inv)
    for row in await survey_reports.applicant_rows(conn):
        own = [inv for inv in by_application[row.application_id] if inv.due_at <= now]
        answered = [inv for inv in own if inv.status == "completed"]
        report.add(
            Facts(
                programme=row.programme_code,
                sex=row.gender if row.gender in SEXES else "undisclosed",
                age_group=age_group(row, row.applied_at.astimezone(timezone).date()),
                enrolled=row.enrolment_status is not None,
                completed=row.enrolment_status == "completed",
                asked=bool(own),
                answered=bool(answered),
                placed=any(inv.id in placed_ids for inv in answered),
                confirmed=confirmed.get(row.application_id),
                registers=attendance[row.application_id].registers if row.application_id in attendance else 0,
                present=attendance[row.application_id].present if row.application_id in attendance else 0,
            )
        )
    report.waves = _wave_counts(invitations, now)
    return report
