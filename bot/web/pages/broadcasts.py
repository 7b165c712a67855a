"""Broadcasts for coordinators: the composer (group, count, message, preview, confirm), live progress, the history.

The count, the rules and the sending are bot.services.broadcasts, the same as
/broadcast; the progress figures are bot.outbox.broadcast_monitor's, the same as
the Telegram progress message. The confirm button carries the count it showed:
when the group changed meanwhile, the preview is shown again with the new count.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.flows.openings.broadcast_texts import SEGMENT_LABELS, message_for, segment_label
from bot.flows.openings.opening_card import default_municipalities
from bot.i18n import N_, _, format_datetime, ngettext, use_language
from bot.outbox.broadcast_monitor import Progress, progress
from bot.reference.texts import programme_button
from bot.reference.tracks import TRACKS, track_label
from bot.services import broadcasts as broadcast_service
from bot.services.broadcasts import TEXT_LENGTH, BroadcastRefused
from bot.services.opening_days import local_today
from bot.services.staff import Role
from bot.web.console import Console, Context, Guarded, Public, secure
from storage import Connection, broadcasts, cohorts, openings, programmes
from storage.openings import Opening
from storage.segments import WITH_ARGUMENT, Segment

NOT_FOUND = N_("This broadcast does not exist.")
CONFIRMATION = re.compile(r"[A-Za-z0-9_-]{16,64}")
ARGUMENTS = ("track", "municipality", "cohort", "programme")
DRAFT_FIELDS = ("content", "opening", "text", "segment", *ARGUMENTS)


@dataclass(frozen=True)
class Resolved:
    """A composer's values made into what ``broadcast_service.start`` takes, or what is wrong with them."""

    segment: Segment | None
    opening: Opening | None
    text: str | None
    errors: dict[str, str]


def _argument_prompt(kind: str) -> str:
    """The question /broadcast asks for a group's track, municipality, cohort or programme."""
    return {
        "track": _("Which track?"),
        "municipality": _("Which municipality? Choose it below or type its name."),
        "cohort": _("Which cohort?"),
        "programme": _("Applicants to which programme?"),
    }[kind]


def _draft(values: Mapping[str, Any]) -> dict[str, str]:
    draft = {name: str(values.get(name, "")) for name in DRAFT_FIELDS}
    draft["content"] = draft["content"] if draft["content"] in ("text", "opening") else "text"
    if draft["content"] == "opening":
        draft["text"] = ""
    return draft


async def _choices(console: Console, conn: Connection, language: str) -> dict[str, list[tuple[str, str]]]:
    """What the composer offers (the choices /broadcast offers), labelled in the staff member's language."""
    today = local_today(console.settings, console.clock.now())
    return {
        "openings": [
            (str(o.id), f"#{o.id} {o.title} – {o.employer}") for o in await openings.list_open(conn, today, limit=50)
        ],
        "segments": [(kind, _(label)) for kind, label in SEGMENT_LABELS.items()],
        "track": [(key, track_label(key)) for key in TRACKS],
        "municipality": [(m.key, m.name(language)) for m in default_municipalities().sorted_for(language)],
        "cohort": [(c.code, f"{c.code} – {c.name}") for c in await cohorts.list_all(conn)],
        "programme": [(p.code, programme_button(p)) for p in await programmes.list_all(conn)],
    }


async def _resolve(conn: Connection, draft: dict[str, str], choices: dict[str, list[tuple[str, str]]]) -> Resolved:
    errors: dict[str, str] = {}
    segment = opening = text = None
    kind = draft["segment"]
    if kind not in SEGMENT_LABELS:
        errors["segment"] = _("Who should get it?")
    elif kind in WITH_ARGUMENT:
        arg = draft[kind]
        if arg not in {key for key, _label in choices[kind]}:
            errors[kind] = _argument_prompt(kind)
        else:
            segment = Segment(kind, arg)
    else:
        segment = Segment(kind)
    if draft["content"] == "opening":
        if draft["opening"] not in {key for key, _label in choices["openings"]}:
            errors["opening"] = _("Which opening?")
        else:
            opening = await openings.get(conn, int(draft["opening"]))
    else:
        text = draft["text"].strip()
        low, high = TEXT_LENGTH
        if len(text) < low:
            errors["text"] = _("That is too short: please write at least {n} characters.").format(n=low)
        elif len(text) > high:
            errors["text"] = _(
                "That is {length} characters long; up to {limit} characters are accepted. Please shorten it."
            ).format(length=len(text), limit=high)
    return Resolved(segment, opening, text, errors)


def _reach_text(n: int) -> str:
    return ngettext("That is {n} person now.", "That is {n} people now.", n).format(n=n)


async def _composer(
    console: Console,
    request: Request,
    ctx: Context,
    draft: dict[str, str],
    *,
    counted: bool,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    with use_language(ctx.me.language):
        async with console.db.reading() as conn:
            choices = await _choices(console, conn, ctx.me.language)
            reach = None
            if counted:
                resolved = await _resolve(conn, draft, choices)
                if resolved.segment is not None and not (draft["content"] == "opening" and resolved.opening is None):
                    reach = _reach_text(await broadcast_service.audience(conn, resolved.segment, resolved.opening))
    return console.page(
        request,
        ctx,
        "broadcast_new.html",
        status,
        draft=draft,
        choices=choices,
        reach=reach,
        errors=errors or {},
        notice=notice,
        text_max=TEXT_LENGTH[1],
    )


async def new_page(console: Console, request: Request, ctx: Context) -> Response:
    return await _composer(console, request, ctx, _draft({}), counted=False)


async def recount(console: Console, request: Request, ctx: Context) -> Response:
    """The count button (without JavaScript), and "Edit" from the preview: the composer as it was filled in."""
    return await _composer(console, request, ctx, _draft(await request.form()), counted=True)


async def count_json(console: Console, request: Request, ctx: Context) -> Response:
    """The number of people a selection reaches, for the composer's script."""
    draft = _draft(request.query_params)
    with use_language(ctx.me.language):
        async with console.db.reading() as conn:
            choices = await _choices(console, conn, ctx.me.language)
            resolved = await _resolve(conn, draft, choices)
            if resolved.segment is None or (draft["content"] == "opening" and resolved.opening is None):
                body: dict[str, object] = {"count": None, "text": _("Choose who should get it.")}
            else:
                n = await broadcast_service.audience(conn, resolved.segment, resolved.opening)
                body = {"count": n, "text": _reach_text(n)}
    return secure(JSONResponse(body))


async def _preview(
    console: Console,
    request: Request,
    ctx: Context,
    draft: dict[str, str],
    resolved: Resolved,
    n: int,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    assert resolved.segment is not None
    now = console.clock.now()
    with use_language(ctx.me.language):
        sample = message_for(
            resolved.opening, resolved.text, default_municipalities(), local_today(console.settings, now)
        )
        async with console.db.reading() as conn:
            label = await segment_label(conn, resolved.segment, default_municipalities())
        button = ngettext("Send to {n} person", "Send to {n} people", n).format(n=n)
        reach = _reach_text(n)
    return console.page(
        request,
        ctx,
        "broadcast_preview.html",
        status,
        draft=draft,
        sample=sample,
        segment=label,
        reach=reach,
        count=n,
        button=button,
        notice=notice,
        confirmation=secrets.token_urlsafe(18),
    )


async def preview(console: Console, request: Request, ctx: Context) -> Response:
    draft = _draft(await request.form())
    with use_language(ctx.me.language):
        async with console.db.reading() as conn:
            resolved = await _resolve(conn, draft, await _choices(console, conn, ctx.me.language))
            n = (
                await broadcast_service.audience(conn, resolved.segment, resolved.opening)
                if resolved.segment is not None and not resolved.errors
                else 0
            )
    if resolved.errors:
        return await _composer(console, request, ctx, draft, counted=True, errors=resolved.errors, status=400)
    return await _preview(console, request, ctx, draft, resolved, n)


async def send(console: Console, request: Request, ctx: Context) -> Response:
    """Send when the group still has the number of people the button showed; otherwise show the preview again."""
    form = await request.form()
    draft = _draft(form)
    expected = str(form.get("expected", ""))
    confirmation = str(form.get("confirmation", ""))
    if not CONFIRMATION.fullmatch(confirmation):
        return secure(Response("400 Bad Request", status_code=400, media_type="text/plain"))
    now = console.clock.now()
    refused = started = None
    with use_language(ctx.me.language):
        async with console.db.reading() as conn:
            resolved = await _resolve(conn, draft, await _choices(console, conn, ctx.me.language))
        if resolved.errors or resolved.segment is None:
            return await _composer(console, request, ctx, draft, counted=True, errors=resolved.errors, status=400)
        async with console.db.transaction() as tx:
            done = await broadcasts.by_confirmation(tx, confirmation)
            if done is not None:  # the same confirmation again (a double click, a reloaded page)
                return console.redirect(f"/broadcasts/{done.id}")
            n = await broadcast_service.audience(tx, resolved.segment, resolved.opening)
            if expected != str(n):
                stale = True
            else:
                stale = False
                try:
                    started = await broadcast_service.start(
                        tx,
                        segment=resolved.segment,
                        opening=resolved.opening,
                        text=resolved.text,
                        sender=None,
                        staff_id=ctx.me.id,
                        settings=console.settings,
                        now=now,
                        confirmation=confirmation,
                    )
                except BroadcastRefused as exc:
                    refused = exc.code
    if stale:
        with use_language(ctx.me.language):
            notice = _(
                "The number of people changed since the preview: it is {n} now. Check it and confirm again."
            ).format(n=n)
        return await _preview(console, request, ctx, draft, resolved, n, notice=notice, status=409)
    if refused is not None:
        with use_language(ctx.me.language):
            notice = (
                _("That opening has closed meanwhile; nothing was sent.")
                if refused == "closed"
                else _("Nobody is in this group now; nothing was sent.")
            )
        return await _composer(console, request, ctx, draft, counted=True, notice=notice, status=409)
    assert started is not None
    console.wake_outbox()
    return console.redirect(f"/broadcasts/{started.id}")


def _figures(p: Progress, language: str) -> dict[str, object]:
    with use_language(language):
        return {
            "id": p.broadcast.id,
            "recipients": p.broadcast.recipients,
            "sent": p.counts.sent,
            "not_delivered": p.not_delivered,
            "blocked": p.counts.unreachable,
            "remaining": p.counts.remaining,
            "skipped": p.counts.skipped,
            "interrupted": p.counts.interrupted,
            "rate": round(p.rate, 1),
            "finished": p.finished,
            "state": _("Finished") if p.finished else _("Sending…"),
        }


async def _progress(console: Console, request: Request) -> Progress | None:
    async with console.db.reading() as conn:
        return await progress(conn, int(request.path_params["broadcast_id"]), console.clock.now())


async def broadcast_page(console: Console, request: Request, ctx: Context) -> Response:
    found = await _progress(console, request)
    if found is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    b = found.broadcast
    with use_language(ctx.me.language):
        async with console.db.reading() as conn:
            label = await segment_label(conn, b.segment, default_municipalities())
            opening = await openings.get(conn, b.opening_id) if b.opening_id else None
        what = f"#{opening.id} {opening.title} – {opening.employer}" if opening else (b.text or "")
        started = format_datetime(b.created_at, console.settings.timezone, "short")
    return console.page(
        request,
        ctx,
        "broadcast.html",
        figures=_figures(found, ctx.me.language),
        segment=label,
        what=what,
        started=started,
        is_opening=opening is not None,
    )


async def progress_json(console: Console, request: Request, ctx: Context) -> Response:
    found = await _progress(console, request)
    if found is None:
        return secure(JSONResponse({"error": "not found"}, status_code=404))
    return secure(JSONResponse(_figures(found, ctx.me.language)))


async def history(console: Console, request: Request, ctx: Context) -> Response:
    now = console.clock.now()
    rows = []
    with use_language(ctx.me.language):
        async with console.db.reading() as conn:
            for b in (await broadcasts.list_all(conn))[:100]:
                found = await progress(conn, b.id, now)
                assert found is not None
                opening = await openings.get(conn, b.opening_id) if b.opening_id else None
                rows.append(
                    {
                        "figures": _figures(found, ctx.me.language),
                        "when": format_datetime(b.created_at, console.settings.timezone, "short"),
                        "segment": await segment_label(conn, b.segment, default_municipalities()),
                        "what": f"#{opening.id} {opening.title}" if opening else (b.text or "")[:80],
                    }
                )
    return console.page(request, ctx, "broadcasts.html", rows=rows)


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/broadcasts", Role.COORDINATOR, history),
    Guarded("GET", "/broadcasts/new", Role.COORDINATOR, new_page),
    Guarded("POST", "/broadcasts/new", Role.COORDINATOR, recount),
    Guarded("GET", "/broadcasts/count.json", Role.COORDINATOR, count_json),
    Guarded("POST", "/broadcasts/preview", Role.COORDINATOR, preview),
    Guarded("POST", "/broadcasts/send", Role.COORDINATOR, send),
    Guarded("GET", "/broadcasts/{broadcast_id:int}", Role.COORDINATOR, broadcast_page),
    Guarded("GET", "/broadcasts/{broadcast_id:int}/progress.json", Role.COORDINATOR, progress_json),
]
