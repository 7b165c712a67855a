"""The indicators as text, in the current language: /report in Telegram, ``youthbot report`` in English."""

from __future__ import annotations

from datetime import tzinfo
from functools import cache

from babel import Locale
from babel.numbers import format_percent

from bot.flows.apply import GENDERS, QUESTIONS
from bot.flows.steps import SUMMARY
from bot.i18n import _, current_language, format_date, ngettext
from bot.reference.age_groups import OTHER_AGE
from bot.reference.municipalities import Municipalities
from bot.reference.texts import programme_title
from bot.reports.indicators import (
    SEXES,
    STAFF_WAVE,
    UNKNOWN_MUNICIPALITY,
    Counts,
    Period,
    Report,
    WaveCounts,
)
from bot.surveys.definition import Catalogue


def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return format_percent(value, locale=Locale.parse(current_language().babel_locale))


def sex_label(sex: str) -> str:
    return _(GENDERS[sex])


def programme_label(report: Report, code: str) -> str:
    programme = report.programmes.get(code)
    return programme_title(programme) if programme is not None else code


@cache
def _municipalities() -> Municipalities:
    return Municipalities.load()


def municipality_label(key: str) -> str:
    if key == UNKNOWN_MUNICIPALITY:
        return _("Municipality not given")
    found = _municipalities().get(key)
    return found.name(current_language().code) if found is not None else key


def age_rows(report: Report) -> list[tuple[str, Counts]]:
    """(label, counts) of each age group someone is in, youngest first."""
    ages = [(g.name.replace("-", "–"), g.name) for g in report.age_groups] + [(_("Other ages"), OTHER_AGE)]
    return [(label, report.by_age[name]) for label, name in ages if name in report.by_age]


def breakdowns(report: Report) -> list[tuple[str, list[tuple[str, Counts]]]]:
    """Each breakdown's title and its (label, counts) rows, as every view of the report shows them."""
    municipalities = sorted(
        ((municipality_label(key), counts) for key, counts in report.by_municipality.items()),
        key=lambda row: (row[0] == _("Municipality not given"), row[0].casefold()),
    )
    return [
        (
            _("By programme:"),
            [(programme_label(report, code), counts) for code, counts in sorted(report.by_programme.items())],
        ),
        (_("By sex:"), [(sex_label(sex), report.by_sex[sex]) for sex in SEXES if sex in report.by_sex]),
        (_("By age at application:"), age_rows(report)),
        (_("By municipality:"), municipalities),
    ]


def funnel_rows(report: Report) -> list[tuple[str, int]]:
    """The funnel as (step, starts that reached it), in the form's order, ending with the submitted ones."""
    reached = report.funnel.reached
    steps = [(q.label(), reached.get(q.id, 0)) for q in QUESTIONS]
    steps += [(_("Consent"), reached.get("consent", 0)), (_("Summary"), reached.get(SUMMARY, 0))]
    return [(_("Started"), report.funnel.started), *steps, (_("Submitted"), report.funnel.submitted)]


def period_text(period: Period) -> str:
    if period.start is not None and period.end is not None:
        return _("Applications made from {start} to {end}").format(
            start=format_date(period.start), end=format_date(period.end)
        )
    if period.start is not None:
        return _("Applications made from {start}").format(start=format_date(period.start))
    if period.end is not None:
        return _("Applications made until {end}").format(end=format_date(period.end))
    return _("All applications")


def _line(label: str, counts: Counts) -> str:
    return _(
        "{label}: applicants {applicants} · accepted {accepted} · enrolled {enrolled} · completed {completed} · dropped out {dropped_out} · answered a survey {answered} of {asked} asked ({response_rate}) · placed {placed} ({placement_rate} of those who answered): {jobs} in a job, {internships} in an internship; in ICT {ict}, not in ICT {not_ict}, not recorded {ict_unknown}"
    ).format(
        label=label,
        applicants=counts.applicants,
        accepted=counts.accepted,
        enrolled=counts.enrolled,
        completed=counts.completed,
        dropped_out=counts.dropped_out,
        answered=counts.answered,
        asked=counts.asked,
        response_rate=percent(counts.response_rate),
        placed=counts.placed,
        placement_rate=percent(counts.placement_rate),
        jobs=counts.placed_job,
        internships=counts.placed_internship,
        ict=counts.placed_ict,
        not_ict=counts.placed_not_ict,
        ict_unknown=counts.placed_ict_unknown,
    )


def survey_title(catalogue: Catalogue, survey_id: str) -> str:
    survey = catalogue.get(survey_id)
    return survey.title.get() if survey is not None else survey_id


def wave_when(wave: str) -> str:
    """'3 months after graduation', or 'sent by staff' (any wave not planned by a campaign)."""
    if not wave.startswith("m") or not wave[1:].isdigit():
        return _("sent by staff")
    months = int(wave[1:])
    return ngettext("{n} month after graduation", "{n} months after graduation", months).format(n=months)


def _confirmed_line(counts: Counts) -> str:
    return _(
        "Placements confirmed by staff: {confirmed} (jobs {jobs}, internships {internships}; in ICT {ict}) · attendance {attendance}"
    ).format(
        confirmed=counts.confirmed,
        jobs=counts.confirmed_job,
        internships=counts.confirmed_internship,
        ict=counts.confirmed_ict,
        attendance=percent(counts.attendance_rate),
    )


def _wave_line(catalogue: Catalogue, wave: WaveCounts) -> str:
    title = survey_title(catalogue, wave.survey_id)
    when = _("sent by staff") if wave.wave == STAFF_WAVE else wave_when(wave.wave)
    return _(
        "{survey}, {when}: {answered} of {asked} answered ({rate}); {open} still open, {closed} closed unanswered"
    ).format(
        survey=title,
        when=when,
        answered=wave.answered,
        asked=wave.asked,
        rate=percent(wave.answered / wave.asked if wave.asked else None),
        open=wave.still_open,
        closed=wave.closed,
    )


def report_text(report: Report, catalogue: Catalogue, timezone: tzinfo) -> str:
    lines = [
        _("Programme indicators on {date}").format(date=format_date(report.as_of.astimezone(timezone).date())),
        period_text(report.period),
        _(
            "Counted per application. Asked: graduates whose follow-up survey was sent. Placed: in a job or an internship, by their survey answers."
        ),
        "",
        _line(_("All programmes"), report.total),
        _confirmed_line(report.total),
    ]
    for title, rows in breakdowns(report):
        lines += ["", title]
        lines += [f"• {_line(label, counts)}" for label, counts in rows] or ["–"]
    lines += ["", _("Survey response rates:")]
    lines += [f"• {_wave_line(catalogue, wave)}" for wave in report.waves] or [_("No survey has been sent yet.")]
    lines += ["", _("Application funnel (each start of /apply):")]
    lines += [f"• {step}: {count}" for step, count in funnel_rows(report)]
    return "\n".join(lines)
