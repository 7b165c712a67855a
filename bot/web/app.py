"""The staff console's starlette app: every page module's routes, guarded, plus the static files.

Each module of ``bot.web.pages`` declares its routes with the least role that
may use them (``Guarded``) or as open (``Public``, only sign-in and one-time
links); the route/role matrix test walks ``ROUTES``.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.clock import Clock
from bot.config import Settings
from bot.web.console import HERE, Console, Guarded, Public
from bot.web.pages import (
    application_detail,
    applications,
    audit,
    auth,
    broadcasts,
    cohorts,
    home,
    indicators,
    openings,
    people,
    sessions,
    staff_accounts,
    surveys,
)
from storage import Database

ROUTES: list[Guarded | Public] = [
    *auth.ROUTES,
    *home.ROUTES,
    *applications.ROUTES,
    *application_detail.ROUTES,
    *people.ROUTES,
    *audit.ROUTES,
    *staff_accounts.ROUTES,
    *indicators.ROUTES,
    *surveys.ROUTES,
    *cohorts.ROUTES,
    *sessions.ROUTES,
    *openings.ROUTES,
    *broadcasts.ROUTES,
]


def routes(console: Console) -> list[Route | Mount]:
    built: list[Route | Mount] = []
    for r in ROUTES:
        endpoint = console.guard(r) if isinstance(r, Guarded) else console.public(r)
        built.append(Route(r.path, endpoint, methods=[r.method]))
    built.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
    return built


def create_app(db: Database, settings: Settings, clock: Clock, wake: Callable[[], None] | None = None) -> Starlette:
    """The console on an open database (the bot's own in ``youthbot run``, its own in ``youthbot web``);
    ``wake`` is the outbox worker's, when the console runs in the bot's process."""
    return Starlette(routes=routes(Console(db, settings, clock, wake)))
