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

Accepted: the application was accepted or enrolled; dropped out: the
enrolment's status says so. A placement is an internship when the answer
that made it one is ``internship``, a job otherwise; it is in ICT by the
answer to ``job_in_ict`` (yes/no) of the same response, and counted as "not
recorded" without one.

A period (``Period``, days in the programme's time zone, both ends included)
keeps the applications made within it and everything that followed from
them (their enrolments, surveys and placements); the funnel keeps the starts
of /apply within it. The console's indicators page, /report and
``youthbot report`` all call :func:`build_report`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

import aiosqlite

from bot.parsing.validators import age_on
from bot.surveys.definition import Catalogue
from storage import funnel as funnel_store
from storage import placements, programmes, register, survey_reports
from storage.funnel import FunnelCounts
from storage.placements import ConfirmedRow
from storage.programmes import Programme
from storage.survey_reports import ApplicantRow, InvitationRow

AGE_GROUPS = (("15-19", 15, 19), ("20-24", 20, 24), ("25-29", 25, 29))
OTHER_AGE = "other"
SEXES = ("female", "male", "other", "undisclosed")
STAFF_WAVE = "staff"  # every send by staff, counted together
UNKNOWN_MUNICIPALITY = "unknown"
INTERNSHIP_ANSWERS = frozenset({"internship"})  # survey answers that make a placement an internship
ICT_QUESTION = "job_in_ict"  # the yes/no survey question: is the job or internship in ICT?


@dataclass(frozen=True)
class PlacementFacts:
    kind: str  # 'job' or 'internship'
    ict: bool | None  # None: not recorded


@dataclass(frozen=True)
class Period:
    """Days in the programme's time zone, both ends included; None leaves that end open."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class PeriodError(ValueError):
    """A period's end that is not a date like 2026-06-30 (``field`` says which), or an end before the start."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field  # 'from', 'to', or 'order'


def parse_period(start: str | None, end: str | None) -> Period:
    """A period from two ISO dates as typed (empty: open-ended); the console and the CLI both read it here."""
    days: list[date | None] = []
    for name, text in (("from", start), ("to", end)):
        text = (text or "").strip()
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            raise PeriodError(name) from None
    period = Period(days[0], days[1])
    if period.start is not None and period.end is not None and period.end < period.start:
        raise PeriodError("order")
    return period


@dataclass
class Counts:
    applicants: int = 0
    enrolled: int = 0
    completed: int = 0
    asked: int = 0
    answered: int = 0
    placed: int = 0
    accepted: int = 0
    dropped_out: int = 0
    placed_job: int = 0
    placed_internship: int = 0
    placed_ict: int = 0
    placed_not_ict: int = 0
    confirmed: int = 0  # confirmed placements, one per application
    confirmed_job: int = 0
    confirmed_internship: int = 0
    confirmed_ict: int = 0
    registers: int = 0
    present: int = 0

    @property
    def placed_ict_unknown(self) -> int:
        return self.placed - self.placed_ict - self.placed_not_ict

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
    accepted: bool = False
    dropped_out: bool = False
    municipality: str = UNKNOWN_MUNICIPALITY
    placement_kind: str | None = None  # 'job' or 'internship' when placed
    placement_ict: bool | None = None  # None: not recorded
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
    by_municipality: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    period: Period = field(default_factory=Period)
    funnel: FunnelCounts = field(default_factory=lambda: FunnelCounts(0, 0, {}))

    def add(self, facts: Facts) -> None:
        for counts in (
            self.total,
            self.by_programme[facts.programme],
            self.by_sex[facts.sex],
            self.by_age[facts.age_group],
            self.by_programme_and_sex[(facts.programme, facts.sex)],
            self.by_municipality[facts.municipality],
        ):
            counts.applicants += 1
            counts.enrolled += facts.enrolled
            counts.completed += facts.completed
            counts.asked += facts.asked
            counts.answered += facts.answered
            counts.placed += facts.placed
            counts.accepted += facts.accepted
            counts.dropped_out += facts.dropped_out
            if facts.placed:
                counts.placed_internship += facts.placement_kind == "internship"
                counts.placed_job += facts.placement_kind != "internship"
                counts.placed_ict += facts.placement_ict is True
                counts.placed_not_ict += facts.placement_ict is False
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


async def _placed_invitations(conn: aiosqlite.Connection, catalogue: Catalogue) -> dict[int, PlacementFacts]:
    """Completed responses whose answers match their survey's placement rule, with the kind of placement."""
    placed: dict[int, PlacementFacts] = {}
    for survey in catalogue.surveys.values():
        if not survey.placement:
            continue
        answers: dict[int, dict[str, Any]] = defaultdict(dict)
        for condition in survey.placement:
            for invitation_id, value in (
                await survey_reports.completed_answers(conn, survey.id, condition.question_id)
            ).items():
                answers[invitation_id][condition.question_id] = value
        ict = (
            await survey_reports.completed_answers(conn, survey.id, ICT_QUESTION)
            if survey.question(ICT_QUESTION)
            else {}
        )
        placed.update(
            (i, PlacementFacts(_kind(given), {"yes": True, "no": False}.get(str(ict.get(i)))))
            for i, given in answers.items()
            if survey.is_placed(given)
        )
    return placed


def _kind(answers: dict[str, Any]) -> str:
    given = {str(v) for value in answers.values() for v in (value if isinstance(value, list) else [value])}
    return "internship" if given & INTERNSHIP_ANSWERS else "job"


def wave_key(wave: str) -> str:
    """A campaign's wave ('m3') as it is; every send by staff as one STAFF_WAVE."""
    return wave if wave.startswith("m") else STAFF_WAVE


def wave_counts(invitations: list[InvitationRow], now: datetime) -> list[WaveCounts]:
    found: dict[tuple[str, str], WaveCounts] = {}
    for inv in invitations:
        if inv.due_at > now:
            continue
        wave = wave_key(inv.wave)
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


async def build_report(
    conn: aiosqlite.Connection,
    catalogue: Catalogue,
    now: datetime,
    timezone: tzinfo,
    period: Period | None = None,
) -> Report:
    """Count everything as of ``now`` (dates of application in the programme's time zone), within ``period``."""
    period = period or Period()
    report = Report(now, {p.code: p for p in await programmes.list_all(conn)}, period=period)
    invitations = await survey_reports.invitation_rows(conn)
    placed_ids = await _placed_invitations(conn, catalogue)
    confirmed = await placements.confirmed_by_application(conn)
    attendance = await register.by_application(conn)
    by_application: dict[int, list[InvitationRow]] = defaultdict(list)
    for inv in invitations:
        by_application[inv.application_id].append(inv)
    kept: set[int] = set()
    for row in await survey_reports.applicant_rows(conn):
        applied_on = row.applied_at.astimezone(timezone).date()
        if not period.holds(applied_on):
            continue
        kept.add(row.application_id)
        own = [inv for inv in by_application[row.application_id] if inv.due_at <= now]
        answered = [inv for inv in own if inv.status == "completed"]
        placement = next((placed_ids[inv.id] for inv in answered if inv.id in placed_ids), None)
        report.add(
            Facts(
                programme=row.programme_code,
                sex=row.gender if row.gender in SEXES else "undisclosed",
                age_group=age_group(row, applied_on),
                enrolled=row.enrolment_status is not None,
                completed=row.enrolment_status == "completed",
                asked=bool(own),
                answered=bool(answered),
                placed=any(inv.id in placed_ids for inv in answered),
                accepted=row.status == "accepted" or row.enrolment_status is not None,
                dropped_out=row.enrolment_status == "dropped",
                municipality=row.municipality or UNKNOWN_MUNICIPALITY,
                placement_kind=placement.kind if placement is not None else None,
                placement_ict=placement.ict if placement is not None else None,
                confirmed=confirmed.get(row.application_id),
                registers=attendance[row.application_id].registers if row.application_id in attendance else 0,
                present=attendance[row.application_id].present if row.application_id in attendance else 0,
            )
        )
    report.waves = wave_counts([inv for inv in invitations if inv.application_id in kept], now)
    report.funnel = await funnel_store.counts(conn, period.start, period.end)
    return report
