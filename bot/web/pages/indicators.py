"""The programme's indicators for a period: the table and its charts, survey response rates, the
application funnel, and the table's export. Aggregates only, so viewers may read it.

The figures come from ``bot.reports.indicators.build_report``, the function /report and
``youthbot report`` call; this page only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import N_, _, use_language
from bot.reference.age_groups import age_groups
from bot.reports import svg_chart
from bot.reports.indicators import Counts, Period, PeriodError, Report, build_report, parse_period
from bot.reports.indicators_table import table_csv, table_xlsx
from bot.reports.indicators_text import breakdowns, funnel_rows, percent, period_text, survey_title, wave_when
from bot.services import audit
from bot.services.staff import Role
from bot.surveys.loader import catalogue_for
from bot.web.console import Console, Context, Guarded, Public, download


def _period_error(field: str) -> str:
    """What was wrong with the period typed (a catalog msgid)."""
    if field == "from":
        return N_("The first day is not a date like 2026-01-31.")
    if field == "to":
        return N_("The last day is not a date like 2026-06-30.")
    return N_("The last day is before the first day.")


@dataclass(frozen=True)
class Asked:
    """The period as typed, the period read from it (everything when it is wrong) and what was wrong."""

    start: str
    end: str
    period: Period
    error: str | None


def _asked(request: Request) -> Asked:
    start = request.query_params.get("from", "").strip()[:10]
    end = request.query_params.get("to", "").strip()[:10]
    try:
        return Asked(start, end, parse_period(start, end), None)
    except PeriodError as exc:
        return Asked(start, end, Period(), _period_error(exc.field))


async def _report(console: Console, period: Period) -> Report:
    catalogue = catalogue_for(console.settings.survey_dir)
    async with console.db.reading() as conn:
        return await build_report(
            conn,
            catalogue,
            console.clock.now(),
            period,
            age_groups(console.settings.min_age, console.settings.max_age),
        )


def _series() -> list[str]:
    return [_("Applicants"), _("Enrolled"), _("Completed"), _("Placed")]


def _chart_values(counts: Counts) -> list[float]:
    return [counts.applicants, counts.enrolled, counts.completed, counts.placed]


def _share(part: int, whole: int) -> str:
    return f"{part} ({percent(part / whole if whole else None)})"


def _layout(console: Console, report: Report) -> dict[str, Any]:
    """Everything the template shows, in the current language."""
    catalogue = catalogue_for(console.settings.survey_dir)
    sections = []
    for title, rows in breakdowns(report):
        chart = svg_chart.grouped_bars(title.rstrip(":"), _series(), [(label, _chart_values(c)) for label, c in rows])
        sections.append({"title": title.rstrip(":"), "rows": rows, "chart": Markup(chart)})
    waves = [
        {
            "survey": survey_title(catalogue, w.survey_id),
            "when": wave_when(w.wave),
            "asked": w.asked,
            "answered": w.answered,
            "rate": percent(w.answered / w.asked if w.asked else None),
        }
        for w in report.waves
    ]
    waves_chart = svg_chart.grouped_bars(
        _("Survey response rates"),
        [_("Response rate")],
        [
            (f"{shown['survey']}, {shown['when']}", [100 * w.answered / w.asked if w.asked else 0])
            for shown, w in zip(waves, report.waves, strict=True)
        ],
        [[f"{w['answered']}/{w['asked']} ({w['rate']})"] for w in waves],
        maximum=100,
    )
    funnel = funnel_rows(report)
    started = report.funnel.started
    funnel_chart = svg_chart.bars(
        _("Application funnel"), [(step, count) for step, count in funnel], [_share(c, started) for _s, c in funnel]
    )
    return {
        "percent": percent,
        "period_text": period_text(report.period),
        "total": report.total,
        "sections": sections,
        "waves": waves,
        "waves_chart": Markup(waves_chart) if waves else None,
        "funnel": [(step, _share(count, started)) for step, count in funnel],
        "funnel_chart": Markup(funnel_chart) if started else None,
    }


async def indicators_page(console: Console, request: Request, ctx: Context) -> Response:
    asked = _asked(request)
    report = await _report(console, asked.period)
    with use_language(ctx.me.language):
        values = _layout(console, report)
    query = urlencode({"from": asked.start, "to": asked.end}) if asked.error is None else ""
    return console.page(
        request,
        ctx,
        "indicators.html",
        start=asked.start,
        end=asked.end,
        error=asked.error,
        query=query,
        **values,
    )


async def _export(console: Console, request: Request, ctx: Context, kind: str) -> Response:
    asked = _asked(request)
    if asked.error is not None:
        return console.message(request, ctx, asked.error, 400)
    report = await _report(console, asked.period)
    with use_language(ctx.me.language):
        data, rows = table_csv(report) if kind == "csv" else table_xlsx(report)
    async with console.db.transaction() as tx:
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action="indicators.export",
            detail={"format": kind, "from": asked.start or None, "to": asked.end or None, "rows": rows},
            now=console.clock.now(),
        )
    return download(data, f"indicators.{kind}")


async def indicators_csv(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "csv")


async def indicators_xlsx(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "xlsx")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/indicators", Role.VIEWER, indicators_page),
    Guarded("GET", "/indicators.csv", Role.VIEWER, indicators_csv),
    Guarded("GET", "/indicators.xlsx", Role.VIEWER, indicators_xlsx),
]
