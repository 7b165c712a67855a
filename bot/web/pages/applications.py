"""The applications list for coordinators: combined filters kept in the address (bookmarkable),
50 a page, newest first, possible duplicates marked; exports of exactly the filtered rows;
bulk decisions after a confirmation that says how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl
from weakref import WeakKeyDictionary

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import format_date, use_language
from bot.reports import application_export
from bot.services import application_filters, audit, decisions
from bot.services.decisions import Decision, DecisionError
from bot.services.staff import Role
from bot.web import labels
from bot.web.console import Console, Context, Guarded, Public, download
from storage import Database, application_search, cohorts, programmes
from storage.application_search import ApplicationFilter, ApplicationRow
from storage.cohorts import Cohort
from storage.db import Connection
from storage.programmes import Programme

PER_PAGE = 50


@dataclass
class _Campaigns:
    """The source filter's campaigns, read again only when new applications came in: finding them
    reads every application (there is no index on the source), which would cost each page ~20 ms."""

    latest: int = -1
    names: list[str] = field(default_factory=list)


_CAMPAIGNS: WeakKeyDictionary[Database, _Campaigns] = WeakKeyDictionary()


async def _campaigns(console: Console, conn: Connection) -> list[str]:
    known = _CAMPAIGNS.setdefault(console.db, _Campaigns())
    latest = await application_search.latest_id(conn)
    if latest != known.latest:
        known.names, known.latest = await application_search.sources(conn), latest
    return known.names


def _filter(request: Request) -> ApplicationFilter:
    return application_filters.parse(request.url.query)


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return min(int(raw), 1_000_000) if raw.isdigit() and int(raw) > 0 else 1


def _chosen(f: ApplicationFilter) -> dict[str, str]:
    """The filter's fields as the form's values (the same keys as the query string)."""
    return dict(parse_qsl(application_filters.serialise(f)))


def _cohort_options(found: list[Cohort], by_id: dict[int, Programme]) -> list[tuple[int, str]]:
    return [(c.id, f"{c.name} ({labels.programme(by_id.get(c.programme_id), short=True)})") for c in found]


def _rows(found: list[ApplicationRow], by_code: dict[str, Programme], console: Console) -> list[dict[str, Any]]:
    tz = console.settings.timezone
    return [
        {
            "id": r.id,
            "reference": r.reference,
            "applied": format_date(r.created_at.astimezone(tz).date(), "short"),
            "name": r.full_name or "—",
            "programme": labels.programme(by_code.get(r.programme_code), short=True),
            "municipality": labels.municipality(r.municipality),
            "status": labels.status(r.status),
            "duplicate": r.possible_duplicate,
        }
        for r in found
    ]


def _address(f: ApplicationFilter, page: int) -> str:
    """The list's canonical query string: the filter's set fields in a fixed order, then the page."""
    query = application_filters.serialise(f)
    if page > 1:
        query = f"{query}&page={page}" if query else f"page={page}"
    return query


async def applications_page(console: Console, request: Request, ctx: Context) -> Response:
    f = _filter(request)
    canonical = _address(f, _page_number(request))
    if request.url.query != canonical:  # the form sends empty fields too: keep the address short to bookmark
        return console.redirect("/applications" + (f"?{canonical}" if canonical else ""))
    today = console.clock.now().astimezone(console.settings.timezone).date()
    async with console.db.reading() as conn:
        found = await application_search.search(conn, f, page=_page_number(request), per_page=PER_PAGE, today=today)
        all_programmes = await programmes.list_all(conn)
        campaigns = await _campaigns(console, conn)
        all_cohorts = await cohorts.list_all(conn)
    by_id = {p.id: p for p in all_programmes}
    with use_language(ctx.me.language):
        rows = _rows(found.rows, {p.code: p for p in all_programmes}, console)
        options = {
            "programme": [(p.code, labels.programme(p)) for p in all_programmes],
            "status": labels.status_options(),
            "municipality": labels.municipality_options(),
            "gender": [(k, labels.choice("gender", k)) for k in labels.CHOICES["gender"]],
            "age_group": [
                (g, g.replace("-", "–"))
                for g in application_filters.age_groups(console.settings.min_age, console.settings.max_age)
            ],
            "source": labels.source_options(campaigns),
            "decision": [(d.value, labels.decision(d)) for d in Decision],
            "cohort": _cohort_options(all_cohorts, by_id),
        }
    query = application_filters.serialise(f)
    return console.page(
        request,
        ctx,
        "applications.html",
        rows=rows,
        total=found.total,
        page=found.page,
        pages=found.pages,
        query=query,
        chosen=_chosen(f),
        options=options,
    )


async def _export(console: Console, request: Request, ctx: Context, kind: str) -> Response:
    f = _filter(request)
    async with console.db.transaction() as tx:
        if kind == "csv":
            data, count = await application_export.csv_bytes(tx, f)
        else:
            data, count = await application_export.xlsx_bytes(tx, f)
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action="application.export",
            detail={"format": kind, "filter": _chosen(f), "rows": count},
            now=console.clock.now(),
        )
    return download(data, f"applications.{kind}")


async def export_csv(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "csv")


async def export_xlsx(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "xlsx")


def _decision_of(form: FormData) -> Decision | None:
    raw = str(form.get("decision", ""))
    return Decision(raw) if raw in {d.value for d in Decision} else None


def _cohort_of(form: FormData, decision: Decision) -> int | None:
    """The chosen cohort, which only an acceptance takes."""
    raw = str(form.get("cohort", "")).strip()
    return int(raw) if raw.isdigit() and decision == Decision.ACCEPTED else None


def _back(form: FormData) -> str:
    """The list the staff member came from (its query string, re-read so nothing else slips in)."""
    return application_filters.serialise(application_filters.parse(str(form.get("back", ""))))


def _nothing_selected(console: Console, request: Request, ctx: Context) -> Response:
    return console.message(request, ctx, labels.NOTHING_SELECTED)


async def bulk_confirm(console: Console, request: Request, ctx: Context) -> Response:
    """The confirmation of a bulk decision: how many will take it, and which cannot (with why)."""
    form = await request.form()
    decision = _decision_of(form)
    references = [str(r) for r in form.getlist("ref")]
    if decision is None or not references:
        return _nothing_selected(console, request, ctx)
    cohort_id = _cohort_of(form, decision)
    note = str(form.get("note", ""))
    ready: list[ApplicationRow] = []
    refused: list[tuple[ApplicationRow, DecisionError]] = []
    async with console.db.reading() as conn:
        selected = await application_search.by_references(conn, references)
        for row in selected:
            try:
                await decisions.check(conn, row.reference, decision, cohort_id=cohort_id, personal_note=note)
                ready.append(row)
            except DecisionError as error:
                refused.append((row, error))
        cohort = await cohorts.get(conn, cohort_id) if cohort_id is not None else None
    if not selected:
        return _nothing_selected(console, request, ctx)
    with use_language(ctx.me.language):
        values: dict[str, Any] = {
            "decision": decision.value,
            "decision_label": labels.decision(decision),
            "cohort": cohort,
            "note": " ".join(note.split()),
            "notify": bool(form.get("notify")),
            "ready": [(r.reference, r.full_name or "—", r.status) for r in ready],
            "refused": [(r.reference, r.full_name or "—", labels.refusal(e)) for r, e in refused],
        }
    return console.page(request, ctx, "applications_bulk.html", back=_back(form), **values)


async def bulk_apply(console: Console, request: Request, ctx: Context) -> Response:
    """Apply the confirmed decision; each item carries the status the staff member was shown."""
    form = await request.form()
    decision = _decision_of(form)
    expected = dict(str(item).partition(":")[::2] for item in form.getlist("item"))
    if decision is None or not expected:
        return _nothing_selected(console, request, ctx)
    async with console.db.transaction() as tx:
        result = await decisions.decide_many(
            tx,
            list(expected),
            decision,
            staff_id=ctx.me.id,
            settings=console.settings,
            now=console.clock.now(),
            cohort_id=_cohort_of(form, decision),
            personal_note=str(form.get("note", "")),
            notify=bool(form.get("notify")),
            expected=expected,
        )
    if any(d.message_queued for d in result.decided):
        console.wake_outbox()
    with use_language(ctx.me.language):
        refused = [(reference, labels.refusal(error)) for reference, error in result.refused.items()]
        decision_label = labels.decision(decision)
    return console.page(
        request,
        ctx,
        "applications_bulk_done.html",
        back=_back(form),
        decision_label=decision_label,
        decided=len(result.decided),
        told=sum(d.message_queued for d in result.decided),
        refused=refused,
    )


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/applications", Role.COORDINATOR, applications_page),
    Guarded("GET", "/applications.csv", Role.COORDINATOR, export_csv),
    Guarded("GET", "/applications.xlsx", Role.COORDINATOR, export_xlsx),
    Guarded("POST", "/applications/bulk", Role.COORDINATOR, bulk_confirm),
    Guarded("POST", "/applications/bulk/apply", Role.COORDINATOR, bulk_apply),
]
