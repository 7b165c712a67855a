"""Openings for coordinators: the list, publishing and editing (with a preview), closing, who is interested, and an export.

Every change goes through bot.services.openings, the same code as /newopening
and /closeopening: the same rules, the same alerts, the same audit entries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.flows.openings.opening_card import KINDS, card, default_municipalities, kind_label, place_label
from bot.i18n import N_, _, format_date, format_datetime, use_language
from bot.parsing.openings import REMOTE, parse_deadline_text
from bot.reference.tracks import TRACKS, track_label, track_list
from bot.reports import opening_interest
from bot.services import audit
from bot.services import openings as opening_service
from bot.services.alerts import PROACTIVE_CHANNELS
from bot.services.opening_days import local_today
from bot.services.openings import OpeningRejected
from bot.services.staff import Role
from bot.web.console import Console, Context, Guarded, Public, download
from storage import openings, segments
from storage.openings import NewOpening, Opening

NOT_FOUND = N_("This opening does not exist.")
CLOSED = N_("This opening is closed; a closed opening cannot be edited.")
FIELDS = ("kind", "title", "employer", "description", "place", "deadline", "apply_how")


def _choices(language: str) -> dict[str, Any]:
    """The kinds, places and tracks a form offers, labelled in the staff member's language."""
    municipalities = default_municipalities()
    return {
        "kinds": [(k, kind_label(k)) for k in KINDS],
        "places": [(REMOTE, _("Remote"))] + [(m.key, m.name(language)) for m in municipalities.sorted_for(language)],
        "tracks": [(k, track_label(k)) for k in TRACKS],
    }


def _values_of(opening: Opening) -> dict[str, Any]:
    return {
        "kind": opening.kind,
        "title": opening.title,
        "employer": opening.employer,
        "description": opening.description,
        "place": opening.municipality or REMOTE,
        "tracks": list(opening.tracks),
        "deadline": opening.deadline.isoformat(),
        "apply_how": opening.apply_how,
    }


def _read(form: FormData, today: date) -> tuple[dict[str, Any], NewOpening, dict[str, str]]:
    """The form's values as typed, the opening they make, and what is wrong with them (the service's rules)."""
    values: dict[str, Any] = {f: str(form.get(f, "")) for f in FIELDS}
    values["tracks"] = [str(t) for t in form.getlist("tracks")]
    wrong: dict[str, str] = {}
    deadline: date | str
    try:
        deadline = date.fromisoformat(values["deadline"])
    except ValueError:
        deadline = parse_deadline_text(values["deadline"], today)
    if isinstance(deadline, str):
        wrong["deadline"] = deadline
        deadline = today
    place = values["place"]
    new = opening_service.tidy(
        NewOpening(
            kind=values["kind"],
            title=values["title"],
            employer=values["employer"],
            description=values["description"],
            municipality=None if place == REMOTE else place,
            tracks=tuple(values["tracks"]),
            deadline=deadline,
            apply_how=values["apply_how"],
        )
    )
    if not place:
        wrong["place"] = _("Where is the work? Choose the municipality, or Remote.")
    found = opening_service.problems(new, today, default_municipalities())
    return values, new, {**found, **wrong}


async def openings_page(console: Console, request: Request, ctx: Context) -> Response:
    async with console.db.reading() as conn:
        listed = await openings.list_all(conn)
    today = local_today(console.settings, console.clock.now())
    with use_language(ctx.me.language):
        rows = [
            {
                "id": item.opening.id,
                "title": item.opening.title,
                "employer": item.opening.employer,
                "kind": kind_label(item.opening.kind),
                "deadline": format_date(item.opening.deadline, "medium"),
                "open": item.opening.is_open_on(today),
                "closed": item.opening.status == "closed",
                "interested": item.interested,
            }
            for item in listed
        ]
    return console.page(request, ctx, "openings.html", openings=rows)


async def _form_page(
    console: Console,
    request: Request,
    ctx: Context,
    *,
    action: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    preview: NewOpening | None = None,
    status: int = 200,
) -> Response:
    now = console.clock.now()
    with use_language(ctx.me.language):
        choices = _choices(ctx.me.language)
        shown = reach = None
        if preview is not None:
            shown = card(Opening(**vars(preview)), default_municipalities(), local_today(console.settings, now))
            async with console.db.reading() as conn:
                reach = len(await segments.alert_recipients(conn, preview.tracks, PROACTIVE_CHANNELS))
    return console.page(
        request,
        ctx,
        "opening_form.html",
        status,
        action=action,
        editing=action != "/openings/new",
        values=values,
        errors=errors or {},
        preview=shown,
        reach=reach,
        **choices,
    )


async def new_page(console: Console, request: Request, ctx: Context) -> Response:
    values: dict[str, Any] = {f: "" for f in FIELDS} | {"kind": "job", "tracks": []}
    return await _form_page(console, request, ctx, action="/openings/new", values=values)


async def create(console: Console, request: Request, ctx: Context) -> Response:
    form = await request.form()
    now = console.clock.now()
    with use_language(ctx.me.language):
        values, new, wrong = _read(form, local_today(console.settings, now))
    if wrong:
        return await _form_page(console, request, ctx, action="/openings/new", values=values, errors=wrong, status=400)
    if form.get("step") != "publish":
        return await _form_page(console, request, ctx, action="/openings/new", values=values, preview=new)
    try:
        with use_language(ctx.me.language):
            async with console.db.transaction() as tx:
                opening, _alerted = await opening_service.publish(
                    tx, new, None, console.settings, now, staff_id=ctx.me.id
                )
    except OpeningRejected as rejected:
        return await _form_page(
            console, request, ctx, action="/openings/new", values=values, errors=rejected.problems, status=400
        )
    console.wake_outbox()
    return console.redirect(f"/openings/{opening.id}")


async def _opening(console: Console, request: Request) -> Opening | None:
    async with console.db.reading() as conn:
        return await openings.get(conn, int(request.path_params["opening_id"]))


async def opening_page(console: Console, request: Request, ctx: Context) -> Response:
    opening = await _opening(console, request)
    if opening is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    async with console.db.reading() as conn:
        people = await openings.interested(conn, opening.id)
    now = console.clock.now()
    municipalities = default_municipalities()
    with use_language(ctx.me.language):
        shown = card(opening, municipalities, local_today(console.settings, now))
        rows = [
            {
                "name": p.full_name or p.display_name or "—",
                "phone": p.phone or "",
                "email": p.email or "",
                "municipality": (m.name(ctx.me.language) if (m := municipalities.get(p.municipality or "")) else ""),
                "channel": p.channel,
                "since": format_datetime(p.since, console.settings.timezone, "short"),
            }
            for p in people
        ]
        place = place_label(opening, municipalities)
        tracks = track_list(opening.tracks)
    return console.page(
        request,
        ctx,
        "opening.html",
        opening=opening,
        card=shown,
        place=place,
        tracks=tracks,
        people=rows,
        closed=opening.status == "closed",
    )


async def edit_page(console: Console, request: Request, ctx: Context) -> Response:
    opening = await _opening(console, request)
    if opening is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    if opening.status == "closed":
        return console.message(request, ctx, CLOSED, 409)
    return await _form_page(console, request, ctx, action=f"/openings/{opening.id}/edit", values=_values_of(opening))


async def edit(console: Console, request: Request, ctx: Context) -> Response:
    opening = await _opening(console, request)
    if opening is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    action = f"/openings/{opening.id}/edit"
    form = await request.form()
    now = console.clock.now()
    with use_language(ctx.me.language):
        values, new, wrong = _read(form, local_today(console.settings, now))
    if wrong:
        return await _form_page(console, request, ctx, action=action, values=values, errors=wrong, status=400)
    if form.get("step") != "publish":
        return await _form_page(console, request, ctx, action=action, values=values, preview=new)
    try:
        with use_language(ctx.me.language):
            async with console.db.transaction() as tx:
                done = await opening_service.update(tx, opening.id, new, console.settings, now, staff_id=ctx.me.id)
    except OpeningRejected as rejected:
        return await _form_page(
            console, request, ctx, action=action, values=values, errors=rejected.problems, status=400
        )
    if done is None:
        return console.message(request, ctx, CLOSED, 409)
    console.wake_outbox()
    return console.redirect(f"/openings/{opening.id}")


async def close(console: Console, request: Request, ctx: Context) -> Response:
    """Without ``confirm`` the question (as /closeopening asks it); with it, the close."""
    opening = await _opening(console, request)
    if opening is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    form = await request.form()
    if opening.status == "closed":
        return console.message(request, ctx, CLOSED, 409)
    if form.get("confirm") != "yes":
        return console.page(request, ctx, "opening_close.html", opening=opening)
    async with console.db.transaction() as tx:
        await opening_service.close(tx, opening.id, console.clock.now(), staff_id=ctx.me.id)
    return console.redirect(f"/openings/{opening.id}")


async def _export(console: Console, request: Request, ctx: Context, fmt: str) -> Response:
    opening = await _opening(console, request)
    if opening is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    async with console.db.transaction() as tx:
        people = await openings.interested(tx, opening.id)
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action="opening.export_interested",
            target_kind="opening",
            target_id=str(opening.id),
            detail={"format": fmt, "rows": len(people)},
            now=console.clock.now(),
        )
    body = opening_interest.csv_bytes(opening, people) if fmt == "csv" else opening_interest.xlsx_bytes(opening, people)
    return download(body, f"opening-{opening.id}-interested.{fmt}")


async def export_csv(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "csv")


async def export_xlsx(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "xlsx")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/openings", Role.COORDINATOR, openings_page),
    Guarded("GET", "/openings/new", Role.COORDINATOR, new_page),
    Guarded("POST", "/openings/new", Role.COORDINATOR, create),
    Guarded("GET", "/openings/{opening_id:int}", Role.COORDINATOR, opening_page),
    Guarded("GET", "/openings/{opening_id:int}/edit", Role.COORDINATOR, edit_page),
    Guarded("POST", "/openings/{opening_id:int}/edit", Role.COORDINATOR, edit),
    Guarded("POST", "/openings/{opening_id:int}/close", Role.COORDINATOR, close),
    Guarded("GET", "/openings/{opening_id:int}/interested.csv", Role.COORDINATOR, export_csv),
    Guarded("GET", "/openings/{opening_id:int}/interested.xlsx", Role.COORDINATOR, export_xlsx),
]
