"""The staff console's starlette app: sessions, CSRF, security headers, role checks, routes.

Every route declares the role it needs and ``guard`` checks it on the server;
every POST must carry the session's CSRF token (the sign-in form carries a
pre-session token bound to a cookie). Session ids live in the cookie in clear
and in SQLite only hashed (storage.staff).
"""

from __future__ import annotations

import csv
import io
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import i18n
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LANGUAGES, N_, gettext, ngettext, use_language
from bot.services import audit, staff
from bot.services.staff import Locked, Role, StaffError, StaffMember
from storage import Database, console_figures
from storage import audit as audit_store
from storage import staff as staff_store
from storage.audit import AuditFilter

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "console_session"
PRE_CSRF_COOKIE = "console_csrf"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"

LINK_GONE = N_("This link has expired or was already used. Ask an administrator for a new one.")

Handler = Callable[[Request, "Context"], Awaitable[Response]]


@dataclass(frozen=True)
class Context:
    """The signed-in staff member of a request, their session id and its CSRF token."""

    me: StaffMember
    session_id: str
    csrf: str


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


class Console:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.templates = _environment()

    # rendering and cookies

    def render(self, request: Request, name: str, language: str, status: int = 200, **values: Any) -> Response:
        with use_language(language):
            html = self.templates.get_template(name).render(
                lang=LANGUAGES[language].babel_locale.replace("_", "-"),
                lang_code=language,
                languages=[(code, lang.native_name) for code, lang in LANGUAGES.items()],
                **values,
            )
        return _secure(HTMLResponse(html, status_code=status))

    def _cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
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
        response = _secure(RedirectResponse(target, status_code=303))
        self._cookie(response, SESSION_COOKIE, session_id, int(staff.SESSION_IDLE.total_seconds()))
        return response

    def guard(self, needed: Role) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
        """Wrap a handler: no session → the sign-in page; a lesser role → 403; a POST without the CSRF token → 403."""

        def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
            async def endpoint(request: Request) -> Response:
                ctx = await self.context(request)
                if ctx is None:
                    return _secure(RedirectResponse("/signin", status_code=303))
                if request.method == "POST":
                    form = await request.form()
                    if not secrets.compare_digest(str(form.get("csrf", "")), ctx.csrf):
                        return _forbidden()
                if not ctx.me.role.allows(needed):
                    return self.render(
                        request,
                        "message.html",
                        ctx.me.language,
                        403,
                        me=ctx.me,
                        csrf=ctx.csrf,
                        message=_in(ctx.me.language, N_("Your role does not allow this page.")),
                    )
                return await handler(request, ctx)

            return endpoint

        return wrap

    # sign-in, password, sign-out

    def _pre_csrf(self, request: Request) -> str:
        return request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)

    def _public(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        token = self._pre_csrf(request)
        response = self.render(request, name, self.settings.default_language, status, me=None, csrf=token, **values)
        self._cookie(response, PRE_CSRF_COOKIE, token, None)
        return response

    async def _pre_csrf_ok(self, request: Request) -> bool:
        form = await request.form()
        cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
        return bool(cookie) and secrets.compare_digest(str(form.get("csrf", "")), cookie)

    async def signin_page(self, request: Request) -> Response:
        return self._public(request, "signin.html", email="", error=None)

    async def signin(self, request: Request) -> Response:
        if not await self._pre_csrf_ok(request):
            return _forbidden()
        form = await request.form()
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        address = request.client.host if request.client else "unknown"
        now = self.clock.now()
        async with self.db.transaction() as tx:
            result = await staff.authenticate(tx, email, password, address, now=now)
        language = self.settings.default_language
        if isinstance(result, Locked):
            minutes = max(1, math.ceil((result.until - now) / timedelta(minutes=1)))
            with use_language(language):
                error = ngettext(
                    "Too many wrong passwords. Try again in {minutes} minute.",
                    "Too many wrong passwords. Try again in {minutes} minutes.",
                    minutes,
                ).format(minutes=minutes)
            return self._public(request, "signin.html", 429, email=email, error=error)
        if result is None:
            return self._public(
                request,
                "signin.html",
                401,
                email=email,
                error=_in(language, N_("The e-mail or the password is wrong.")),
            )
        return await self.start_session(result)

    def _link_gone(self, request: Request) -> Response:
        """A one-time link that was used, expired or never existed: the same answer for all three."""
        return self._public(request, "message.html", 404, message=_in(self.settings.default_language, LINK_GONE))

    async def password_page(self, request: Request) -> Response:
        async with self.db.reading() as conn:
            member = await staff.token_account(conn, request.path_params["token"], now=self.clock.now())
        if member is None:
            return self._link_gone(request)
        return self._public(request, "password.html", error=None)

    async def password(self, request: Request) -> Response:
        if not await self._pre_csrf_ok(request):
            return _forbidden()
        form = await request.form()
        try:
            async with self.db.transaction() as tx:
                member = await staff.set_password(
                    tx, request.path_params["token"], str(form.get("password", "")), now=self.clock.now()
                )
        except StaffError as exc:
            if exc.code == "token":
                return self._link_gone(request)
            return self._public(
                request,
                "password.html",
                400,
                error=_in(self.settings.default_language, N_("The password must have 10 to 256 characters.")),
            )
        return await self.start_session(member)

    async def link_page(self, request: Request) -> Response:
        return self._public(request, "link.html")

    async def link(self, request: Request) -> Response:
        if not await self._pre_csrf_ok(request):
            return _forbidden()
        async with self.db.transaction() as tx:
            member = await staff.use_sign_in_link(tx, request.path_params["token"], now=self.clock.now())
        if member is None:
            return self._link_gone(request)
        return await self.start_session(member)

    async def signout(self, request: Request, ctx: Context) -> Response:
        async with self.db.transaction() as tx:
            await staff.close_session(tx, ctx.session_id, ctx.me.id, now=self.clock.now())
        response = _secure(RedirectResponse("/signin", status_code=303))
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # pages

    async def home(self, request: Request, ctx: Context) -> Response:
        now = self.clock.now()
        week_start = now - timedelta(days=now.weekday(), hours=now.hour, minutes=now.minute, seconds=now.second)
        async with self.db.reading() as conn:
            figures = await console_figures.by_programme_and_status(conn, week_start)
        lang = ctx.me.language
        title = f"title_{LANGUAGES[lang].content_key}"
        rows = [
            {"title": getattr(f, title), "status": f.status, "this_week": f.this_week, "total": f.total}
            for f in figures
        ]
        waiting = sum(f.total for f in figures if f.status in ("submitted", "shortlisted"))
        return self.render(request, "home.html", lang, me=ctx.me, csrf=ctx.csrf, figures=rows, waiting=waiting)

    async def language(self, request: Request, ctx: Context) -> Response:
        form = await request.form()
        choice = str(form.get("language", ""))
        if choice in LANGUAGES:
            async with self.db.transaction() as tx:
                await staff.set_language(tx, ctx.me.id, choice, now=self.clock.now())
        return _secure(RedirectResponse("/", status_code=303))

    def _audit_filter(self, request: Request) -> AuditFilter:
        action = request.query_params.get("action", "").strip() or None
        staff_id = request.query_params.get("staff", "").strip()
        return AuditFilter(staff_id=int(staff_id) if staff_id.isdigit() else None, action=action)

    async def audit_page(self, request: Request, ctx: Context) -> Response:
        f = self._audit_filter(request)
        async with self.db.reading() as conn:
            entries = await audit_store.search(conn, f, limit=200)
            actions = await audit_store.actions(conn)
        return self.render(
            request,
            "audit.html",
            ctx.me.language,
            me=ctx.me,
            csrf=ctx.csrf,
            entries=entries,
            actions=actions,
            action=f.action or "",
        )

    async def audit_csv(self, request: Request, ctx: Context) -> Response:
        f = self._audit_filter(request)
        async with self.db.transaction() as tx:
            entries = await audit_store.search(tx, f, limit=None)
            await audit.record(
                tx,
                staff_id=ctx.me.id,
                action="audit.export",
                detail={"action": f.action, "staff": f.staff_id, "rows": len(entries)},
                now=self.clock.now(),
            )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["at", "staff", "action", "target_kind", "target_id", "detail"])
        for e in entries:
            writer.writerow(
                [e.at.isoformat(), e.staff_email or "", e.action, e.target_kind or "", e.target_id or "", e.detail]
            )
        response = Response(
            "\ufeff" + out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
        return _secure(response)

    async def staff_page(self, request: Request, ctx: Context) -> Response:
        async with self.db.reading() as conn:
            accounts = await staff.list_all(conn)
        return self.render(request, "staff.html", ctx.me.language, me=ctx.me, csrf=ctx.csrf, accounts=accounts)

    async def staff_disable(self, request: Request, ctx: Context) -> Response:
        target = request.path_params["staff_id"]
        if target != ctx.me.id:
            try:
                async with self.db.transaction() as tx:
                    await staff.set_disabled(tx, target, True, now=self.clock.now(), actor=ctx.me.id)
            except StaffError:
                return _secure(Response(status_code=404))
        return _secure(RedirectResponse("/staff", status_code=303))


def _in(language: str, message: str) -> str:
    with use_language(language):
        return i18n.gettext(message)


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _forbidden() -> Response:
    return _secure(Response("403 Forbidden", status_code=403, media_type="text/plain"))


def routes(console: Console) -> list[Route | Mount]:
    """Every route with the role it needs; the route/role matrix test walks this list."""
    g = console.guard
    return [
        Route("/signin", console.signin_page, methods=["GET"]),
        Route("/signin", console.signin, methods=["POST"]),
        Route("/password/{token}", console.password_page, methods=["GET"]),
        Route("/password/{token}", console.password, methods=["POST"]),
        Route("/link/{token}", console.link_page, methods=["GET"]),
        Route("/link/{token}", console.link, methods=["POST"]),
        Route("/signout", g(Role.VIEWER)(console.signout), methods=["POST"]),
        Route("/", g(Role.VIEWER)(console.home), methods=["GET"]),
        Route("/language", g(Role.VIEWER)(console.language), methods=["POST"]),
        Route("/audit", g(Role.ADMIN)(console.audit_page), methods=["GET"]),
        Route("/audit.csv", g(Role.ADMIN)(console.audit_csv), methods=["GET"]),
        Route("/staff", g(Role.ADMIN)(console.staff_page), methods=["GET"]),
        Route("/staff/{staff_id:int}/disable", g(Role.ADMIN)(console.staff_disable), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def create_app(db: Database, settings: Settings, clock: Clock) -> Starlette:
    """The console on an open database (the bot's own in ``youthbot run``, its own in ``youthbot web``)."""
    return Starlette(routes=routes(Console(db, settings, clock)))
