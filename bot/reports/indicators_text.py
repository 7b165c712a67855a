"""The indicators as text, in the current language: /report in Telegram, ``youthbot report`` in English."""

from __future__ import annotations

from datetime import tzinfo

from babel import Locale
from babel.numbers import format_percent

from bot.flows.apply import GENDERS
from bot.i18n import _, current_language, format_date, ngettext
from bot.reference.texts import programme_title
from bot.reports.indicators import (
    AGE_GROUPS,
    OTHER_AGE,
    SEXES,
    STAFF_WAVE,
    Counts,
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


def _line(label: str, counts: Counts) -> str:
    return _(
        "{label}: applicants {applicants} · enrolled {enrolled} · completed {completed} · answered a survey {answered} of {asked} asked ({response_rate}) · placed {placed} ({placement_rate} of those who answered)"
    ).format(
        label=label,
        applicants=counts.applicants,
        enrolled=counts.enrolled,
        completed=counts.completed,
        answered=counts.answered,
        asked=counts.asked,
        response_rate=percent(counts.response_rate),
        placed=counts.placed,
        placement_rate=percent(counts.placement_rate),
    )


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
    survey = catalogue.get(wave.survey_id)
    title = survey.title.get() if survey is not None else wave.survey_id
    if wave.wave == STAFF_WAVE:
        when = _("sent by staff")
    else:
        months = int(wave.wave[1:])
        when = ngettext("{n} month after graduation", "{n} months after graduation", months).format(n=months)
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
        _(
            "Counted per application. Asked: graduates whose follow-up survey was sent. Placed: in a job or an internship, by their survey answers."
        ),
        "",
        _line(_("All programmes"), report.total),
        _confirmed_line(report.total),
        "",
        _("By programme:"),
    ]
    lines += [
        f"• {_line(programme_label(report, code), counts)}" for code, counts in sorted(report.by_programme.items())
    ] or ["–"]
    lines += ["", _("By sex:")]
    lines += [f"• {_line(sex_label(sex), report.by_sex[sex])}" for sex in SEXES if sex in report.by_sex] or ["–"]
    lines += ["", _("By age at application:")]
    ages = [(name.replace("-", "–"), name) for name, _low, _high in AGE_GROUPS] + [(_("Other ages"), OTHER_AGE)]
    lines += [f"• {_line(label, report.by_age[name])}" for label, name in ages if name in report.by_age] or ["–"]
    lines += ["", _("Survey response rates:")]
    lines += [f"• {_wave_line(catalogue, wave)}" for wave in report.waves] or [_("No survey has been sent yet.")]
    return "\n".join(lines)
