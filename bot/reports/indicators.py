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
Age is the age on the local day of application, stored with it (kept after
/forget; for rows older than that, worked out once from the birth year), grouped as
``bot.reference.age_groups`` cuts the configured range (15-17, 18-24, 25-29 by
default). The counting happens in SQL (``storage.indicator_counts``), grouped;
only the applications with an answered survey come back one by one, for the
survey's placement rule.

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
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.parsing.validators import application_age
from bot.reference.age_groups import AgeGroup, age_groups, group_of
from bot.surveys.definition import Catalogue
from storage import funnel as funnel_store
from storage import indicator_counts, programmes, survey_reports
from storage.funnel import FunnelCounts
from storage.indicator_counts import GroupCounts, Selection, WaveRow
from storage.programmes import Programme
from storage.survey_reports import ApplicantRow, InvitationRow

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
    age_groups: tuple[AgeGroup, ...] = field(default_factory=age_groups)  # the rows of by_age, in order

    def _breakdowns(self, programme: str, sex: str, age: str, municipality: str) -> tuple[Counts, ...]:
        return (
            self.total,
            self.by_programme[programme],
            self.by_sex[sex],
            self.by_age[age],
            self.by_programme_and_sex[(programme, sex)],
            self.by_municipality[municipality],
        )

    def add_group(self, group: GroupCounts) -> None:
        """One group's sums from the database, into every breakdown it belongs to."""
        sex = _sex(group.gender)
        municipality = group.municipality or UNKNOWN_MUNICIPALITY
        for counts in self._breakdowns(group.programme, sex, group_of(group.age, self.age_groups), municipality):
            counts.applicants += group.applicants
            counts.enrolled += group.enrolled
            counts.completed += group.completed
            counts.asked += group.asked
            counts.answered += group.answered
            counts.accepted += group.accepted
            counts.dropped_out += group.dropped_out
            counts.confirmed += group.confirmed
            counts.confirmed_job += group.confirmed_job
            counts.confirmed_internship += group.confirmed_internship
            counts.confirmed_ict += group.confirmed_ict
            counts.registers += group.registers
            counts.present += group.present

    def add_placement(self, programme: str, sex: str, age: str, municipality: str, facts: PlacementFacts) -> None:
        """An application its survey answers say is placed."""
        for counts in self._breakdowns(programme, sex, age, municipality):
            counts.placed += 1
            counts.placed_internship += facts.kind == "internship"
            counts.placed_job += facts.kind != "internship"
            counts.placed_ict += facts.ict is True
            counts.placed_not_ict += facts.ict is False


def _sex(gender: str | None) -> str:
    return gender if gender in SEXES else "undisclosed"


def age_group(row: ApplicantRow, applied_on: date, groups: tuple[AgeGroup, ...] | None = None) -> str:
    """One application's age group, as the database counts it (``storage.indicator_counts``)."""
    age = application_age(applied_on, row.birth_date, row.age_at_application, row.birth_year)
    return group_of(age, groups if groups is not None else age_groups())


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

    return _in_order(found)


def _in_order(found: dict[tuple[str, str], WaveCounts]) -> list[WaveCounts]:
    def order(key: tuple[str, str]) -> tuple[str, int]:
        survey_id, wave = key
        return survey_id, int(wave[1:]) if wave != STAFF_WAVE else 10**6

    return [found[key] for key in sorted(found, key=order)]


def wave_counts_of(rows: list[WaveRow]) -> list[WaveCounts]:
    """The database's counts per survey and wave, with every send by staff as one wave."""
    found: dict[tuple[str, str], WaveCounts] = {}
    for row in rows:
        wave = wave_key(row.wave)
        counts = found.setdefault((row.survey_id, wave), WaveCounts(row.survey_id, wave))
        counts.asked += row.asked
        counts.answered += row.answered
        counts.still_open += row.still_open
        counts.closed += row.closed
    return _in_order(found)


async def build_report(
    conn: aiosqlite.Connection,
    catalogue: Catalogue,
    now: datetime,
    period: Period | None = None,
    groups: tuple[AgeGroup, ...] | None = None,
) -> Report:
    """Count everything as of ``now`` within ``period`` (by each application's stored local day).

    ``groups``: the age groups of the configured range (``age_groups(MIN_AGE, MAX_AGE)``); the default
    range's when not given.
    """
    period = period or Period()
    groups = groups if groups is not None else age_groups()
    report = Report(now, {p.code: p for p in await programmes.list_all(conn)}, period=period, age_groups=groups)
    selection = Selection(now=now, since=period.start, until=period.end)
    for group in await indicator_counts.group_counts(conn, selection):
        report.add_group(group)
    placed_ids = await _placed_invitations(conn, catalogue)
    placed_applications: set[int] = set()
    for answered in await indicator_counts.answered_invitations(conn, selection):
        if answered.application_id in placed_applications or answered.invitation_id not in placed_ids:
            continue
        placed_applications.add(answered.application_id)  # its first placed answer stands for it
        report.add_placement(
            answered.programme,
            _sex(answered.gender),
            group_of(answered.age, groups),
            answered.municipality or UNKNOWN_MUNICIPALITY,
            placed_ids[answered.invitation_id],
        )
    report.waves = wave_counts_of(await indicator_counts.wave_rows(conn, selection))
    report.funnel = await funnel_store.counts(conn, period.start, period.end)
    return report
