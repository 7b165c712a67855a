"""Survey results: per survey and wave invited, answered and the response rate; per question a bar
chart of the answers, or the typed answers (coordinators and admins only: viewers see counts);
the responses' export (CSV or XLSX, coordinators, audited with the row count)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import N_, _, ngettext, use_language
from bot.reports import svg_chart
from bot.reports.indicators_text import percent, wave_when
from bot.reports.survey_export import survey_csv, survey_xlsx
from bot.reports.survey_results import SurveyResults, survey_results
from bot.services import audit
from bot.services.staff import Role
from bot.surveys.definition import Survey
from bot.surveys.loader import catalogue_for
from bot.web.console import Console, Context, Guarded, Public, download


def _survey(console: Console, request: Request) -> Survey | None:
    return catalogue_for(console.settings.survey_dir).get(request.path_params["survey_id"])


def _waves(results: SurveyResults) -> list[dict[str, Any]]:
    return [
        {
            "key": w.wave,
            "when": wave_when(w.wave),
            "asked": w.asked,
            "answered": w.answered,
            "still_open": w.still_open,
            "closed": w.closed,
            "rate": percent(w.answered / w.asked if w.asked else None),
        }
        for w in results.waves
    ]


async def surveys_page(console: Console, request: Request, ctx: Context) -> Response:
    catalogue = catalogue_for(console.settings.survey_dir)
    found = []
    async with console.db.reading() as conn:
        for survey in catalogue.surveys.values():
            found.append(await survey_results(conn, survey, console.clock.now()))
    with use_language(ctx.me.language):
        rows = [{"id": r.survey.id, "title": r.survey.title.get(), "waves": _waves(r)} for r in found]
    return console.page(request, ctx, "surveys.html", surveys=rows)


def _question(result: Any, may_read_text: bool) -> dict[str, Any]:
    q = result.question
    chart = None
    if result.counted and result.counts:
        total = result.answered
        chart = Markup(
            svg_chart.bars(
                q.label.get(),
                result.counts,
                [f"{n} ({percent(n / total if total else None)})" for _label, n in result.counts],
            )
        )
    return {
        "label": q.label.get(),
        "text": q.text.get(),
        "answered": result.answered,
        "skipped": result.skipped,
        "chart": chart,
        "counts": result.counts,
        "counted": result.counted,
        "texts": result.texts if may_read_text else None,
    }


async def survey_page(console: Console, request: Request, ctx: Context) -> Response:
    survey = _survey(console, request)
    if survey is None:
        return console.message(request, ctx, N_("There is no such survey."), 404)
    wave = request.query_params.get("wave", "").strip() or None
    async with console.db.reading() as conn:
        results = await survey_results(conn, survey, console.clock.now(), wave)
    may_read_text = ctx.me.role.allows(Role.COORDINATOR)
    with use_language(ctx.me.language):
        values: dict[str, Any] = {
            "survey_id": survey.id,
            "title": survey.title.get(),
            "waves": _waves(results),
            "wave": wave or "",
            "wave_text": wave_when(wave) if wave else _("All waves"),
            "responses_text": ngettext("{n} completed response", "{n} completed responses", results.responses).format(
                n=results.responses
            ),
            "questions": [_question(r, may_read_text) for r in results.questions],
            "may_export": may_read_text,
        }
    return console.page(request, ctx, "survey.html", **values)


async def _export(console: Console, request: Request, ctx: Context, kind: str) -> Response:
    survey = _survey(console, request)
    if survey is None:
        return console.message(request, ctx, N_("There is no such survey."), 404)
    async with console.db.transaction() as tx:
        write = survey_csv if kind == "csv" else survey_xlsx
        data, rows = await write(tx, survey, console.settings.timezone)
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action="survey.export",
            target_kind="survey",
            target_id=survey.id,
            detail={"format": kind, "rows": rows},
            now=console.clock.now(),
        )
    return download(data, f"{survey.id}.{kind}")


async def survey_csv_export(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "csv")


async def survey_xlsx_export(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "xlsx")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/surveys", Role.VIEWER, surveys_page),
    Guarded("GET", "/surveys/{survey_id}", Role.VIEWER, survey_page),
    Guarded("GET", "/surveys/{survey_id}/export.csv", Role.COORDINATOR, survey_csv_export),
    Guarded("GET", "/surveys/{survey_id}/export.xlsx", Role.COORDINATOR, survey_xlsx_export),
]
