"""Sign-in, setting a password from a one-time link, the chat sign-in link, and sign-out."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import N_, ngettext, use_language
from bot.services import staff
from bot.services.staff import Locked, Role, StaffError
from bot.web.console import (
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    Console,
    Context,
    Guarded,
    Public,
    forbidden,
    text_in,
)

LINK_GONE = N_("This link has expired or was already used. Ask an administrator for a new one.")


def _pre_csrf(request: Request) -> str:
    return request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)


def _public_page(console: Console, request: Request, name: str, status: int = 200, **values: Any) -> Response:
    token = _pre_csrf(request)
    response = console.render(request, name, console.settings.default_language, status, me=None, csrf=token, **values)
    console.cookie(response, PRE_CSRF_COOKIE, token, None)
    return response


async def _pre_csrf_ok(request: Request) -> bool:
    form = await request.form()
    cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
    return bool(cookie) and secrets.compare_digest(str(form.get("csrf", "")), cookie)


async def signin_page(console: Console, request: Request) -> Response:
    return _public_page(console, request, "signin.html", email="", error=None)


async def signin(console: Console, request: Request) -> Response:
    if not await _pre_csrf_ok(request):
        return forbidden()
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    address = request.client.host if request.client else "unknown"
    now = console.clock.now()
    async with console.db.transaction() as tx:
        result = await staff.authenticate(tx, email, password, address, now=now)
    language = console.settings.default_language
    if isinstance(result, Locked):
        minutes = max(1, math.ceil((result.until - now) / timedelta(minutes=1)))
        with use_language(language):
            error = ngettext(
                "Too many wrong passwords. Try again in {minutes} minute.",
                "Too many wrong passwords. Try again in {minutes} minutes.",
                minutes,
            ).format(minutes=minutes)
        return _public_page(console, request, "signin.html", 429, email=email, error=error)
    if result is None:
        error = text_in(language, N_("The e-mail or the password is wrong."))
        return _public_page(console, request, "signin.html", 401, email=email, error=error)
    return await console.start_session(result)


def _link_gone(console: Console, request: Request) -> Response:
    """A one-time link that was used, expired or never existed: the same answer for all three."""
    message = text_in(console.settings.default_language, LINK_GONE)
    return _public_page(console, request, "message.html", 404, message=message)


async def password_page(console: Console, request: Request) -> Response:
    async with console.db.reading() as conn:
        member = await staff.token_account(conn, request.path_params["token"], now=console.clock.now())
    if member is None:
        return _link_gone(console, request)
    return _public_page(console, request, "password.html", error=None)


async def password(console: Console, request: Request) -> Response:
    if not await _pre_csrf_ok(request):
        return forbidden()
    form = await request.form()
    try:
        async with console.db.transaction() as tx:
            member = await staff.set_password(
                tx, request.path_params["token"], str(form.get("password", "")), now=console.clock.now()
            )
    except StaffError as exc:
        if exc.code == "token":
            return _link_gone(console, request)
        error = text_in(console.settings.default_language, N_("The password must have 10 to 256 characters."))
        return _public_page(console, request, "password.html", 400, error=error)
    return await console.start_session(member)


async def link_page(console: Console, request: Request) -> Response:
    return _public_page(console, request, "link.html")


async def link(console: Console, request: Request) -> Response:
    if not await _pre_csrf_ok(request):
        return forbidden()
    async with console.db.transaction() as tx:
        member = await staff.use_sign_in_link(tx, request.path_params["token"], now=console.clock.now())
    if member is None:
        return _link_gone(console, request)
    return await console.start_session(member)


async def signout(console: Console, request: Request, ctx: Context) -> Response:
    async with console.db.transaction() as tx:
        await staff.close_session(tx, ctx.session_id, ctx.me.id, now=console.clock.now())
    response = console.redirect("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


ROUTES: list[Guarded | Public] = [
    Public("GET", "/signin", signin_page),
    Public("POST", "/signin", signin),
    Public("GET", "/password/{token}", password_page),
    Public("POST", "/password/{token}", password),
    Public("GET", "/link/{token}", link_page),
    Public("POST", "/link/{token}", link),
    Guarded("POST", "/signout", Role.VIEWER, signout),
]
