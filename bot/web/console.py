"""What every console page shares: templates, cookies, the signed-in staff member, the role guard.

Every guarded route declares the role it needs and ``Console.guard`` checks it
on the server; every POST must carry the session's CSRF token (the sign-in form
carries a pre-session token bound to a cookie). Session ids live in the cookie
in clear and in SQLite only hashed (storage.staff).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot import i18n
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LANGUAGES, N_, format_datetime, gettext, ngettext, pgettext, use_language
from bot.services import staff
from bot.services.staff import Role, StaffMember
from bot.web.navigation import NAVIGATION
from storage import Database
from storage import staff as staff_store

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "console_session"
PRE_CSRF_COOKIE = "console_csrf"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"


@dataclass(frozen=True)
class Context:
    """The signed-in staff member of a request, their session id and its CSRF token."""

    me: StaffMember
    session_id: str
    csrf: str


GuardedHandler = Callable[["Console", Request, Context], Awaitable[Response]]
PublicHandler = Callable[["Console", Request], Awaitable[Response]]


@dataclass(frozen=True)
class Guarded:
    """A route that needs a session with at least ``role``."""

    method: str
    path: str
    role: Role
    handler: GuardedHandler


@dataclass(frozen=True)
class Public:
    """A route open without a session (sign-in and the one-time links); POSTs check the pre-session token."""

    method: str
    path: str
    handler: PublicHandler


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)  # type: ignore[attr-defined]
    return env


class Console:
    """The console's shared state (database, settings, clock, templates) and the helpers pages use."""

    def __init__(self, db: Database, settings: Settings, clock: Clock, wake: Callable[[], None] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._wake = wake
        self.templates = _environment()
        # Times in the programme's zone, in the language the page is rendered in.
        self.templates.filters["local"] = lambda moment, fmt="short": format_datetime(moment, settings.timezone, fmt)

    def render(self, request: Request, name: str, language: str, status: int = 200, **values: Any) -> Response:
        me = values.get("me")
        navigation = [item for item in NAVIGATION if me is not None and me.role.allows(item.role)]
        with use_language(language):
            html = self.templates.get_template(name).render(
                lang=LANGUAGES[language].babel_locale.replace("_", "-"),
                lang_code=language,
                languages=[(code, lang.native_name) for code, lang in LANGUAGES.items()],
                navigation=navigation,
                path=request.url.path,
                **values,
            )
        return secure(HTMLResponse(html, status_code=status))

    def page(self, request: Request, ctx: Context, name: str, status: int = 200, **values: Any) -> Response:
        """A page for the signed-in staff member, in their language."""
        return self.render(request, name, ctx.me.language, status, me=ctx.me, csrf=ctx.csrf, **values)

    def message(self, request: Request, ctx: Context, message: str, status: int = 200) -> Response:
        """A page that only says ``message`` (a catalog msgid), in the staff member's language."""
        return self.page(request, ctx, "message.html", status, message=text_in(ctx.me.language, message))

    def cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self.settings.web_secure_cookies,
            path="/",
        )

    async def context(self, request: Request) -> Context | None:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return None
        now = self.clock.now()
        async with self.db.transaction() as tx:
            found = await staff_store.find_session(tx, session_id, now)
            if found is None:
                return None
            me = await staff.get(tx, found.staff_id)
            if me is None:
                return None
            await staff_store.touch_session(tx, found.id, now, now + staff.SESSION_IDLE)
        return Context(me, session_id, found.csrf_token)

    async def start_session(self, member: StaffMember, target: str = "/") -> Response:
        async with self.db.transaction() as tx:
            session_id = await staff.open_session(tx, member.id, now=self.clock.now())
        response = secure(RedirectResponse(target, status_code=303))
        self.cookie(response, SESSION_COOKIE, session_id, int(staff.SESSION_IDLE.total_seconds()))
        return response

    def guard(self, route: Guarded) -> Callable[[Request], Awaitable[Response]]:
        """The endpoint of a guarded route: no session → the sign-in page; a lesser role → 403; a POST without the CSRF token → 403."""

        async def endpoint(request: Request) -> Response:
            ctx = await self.context(request)
            if ctx is None:
                return secure(RedirectResponse("/signin", status_code=303))
            if request.method == "POST":
                form = await request.form()
                if not secrets.compare_digest(str(form.get("csrf", "")), ctx.csrf):
                    return forbidden()
            if not ctx.me.role.allows(route.role):
                return self.message(request, ctx, N_("Your role does not allow this page."), 403)
            return await route.handler(self, request, ctx)

        return endpoint

    def public(self, route: Public) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await route.handler(self, request)

        return endpoint

    def wake_outbox(self) -> None:
        """After queuing messages: inside ``youthbot run`` the outbox worker sends them at once;
        with ``youthbot web`` alone the bot process's worker finds them on its next round."""
        if self._wake is not None:
            self._wake()

    def redirect(self, target: str) -> Response:
        return secure(RedirectResponse(target, status_code=303))


def text_in(language: str, message: str) -> str:
    """``message`` (a catalog msgid) translated into ``language``."""
    with use_language(language):
        return i18n.gettext(message)


def secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(content: bytes | str, filename: str) -> Response:
    """An export as an attachment named ``filename``; its media type follows the extension (csv or xlsx)."""
    media = MEDIA_TYPES[filename.rsplit(".", 1)[-1]]
    return secure(
        Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    )


def forbidden() -> Response:
    return secure(Response("403 Forbidden", status_code=403, media_type="text/plain"))
