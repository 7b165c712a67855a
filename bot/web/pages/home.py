"""The start page (figures by programme and status, what waits for a decision) and the language choice."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import LANGUAGES
from bot.services import staff
from bot.services.staff import Role
from bot.web.console import Console, Context, Guarded, Public
from storage import console_figures


async def home(console: Console, request: Request, ctx: Context) -> Response:
    now = console.clock.now()
    week_start = now - timedelta(days=now.weekday(), hours=now.hour, minutes=now.minute, seconds=now.second)
    async with console.db.reading() as conn:
        figures = await console_figures.by_programme_and_status(conn, week_start)
    title = f"title_{LANGUAGES[ctx.me.language].content_key}"
    rows = [
        {"title": getattr(f, title), "status": f.status, "this_week": f.this_week, "total": f.total} for f in figures
    ]
    waiting = sum(f.total for f in figures if f.status in ("submitted", "shortlisted"))
    return console.page(request, ctx, "home.html", figures=rows, waiting=waiting)


async def language(console: Console, request: Request, ctx: Context) -> Response:
    form = await request.form()
    choice = str(form.get("language", ""))
    if choice in LANGUAGES:
        async with console.db.transaction() as tx:
            await staff.set_language(tx, ctx.me.id, choice, now=console.clock.now())
    return console.redirect("/")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/", Role.VIEWER, home),
    Guarded("POST", "/language", Role.VIEWER, language),
]
