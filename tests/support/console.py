"""Driving the staff console in-process: accounts of each role and signed-in httpx clients."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.runtime import Runtime
from bot.services import staff
from bot.services.staff import Role
from bot.web.app import create_app

PASSWORD = "a long test password"


async def make_account(runtime: Runtime, role: Role, email: str | None = None) -> int:
    async with runtime.db.transaction() as tx:
        member, token = await staff.add(
            tx,
            email=email or f"{role.value}@example.org",
            name=f"{role.value.title()} Staff",
            role=role,
            language="en",
            now=runtime.clock.now(),
        )
        await staff.set_password(tx, token, PASSWORD, now=runtime.clock.now())
    return member.id


def client(runtime: Runtime, wake: Callable[[], None] | None = None) -> httpx.AsyncClient:
    app = create_app(runtime.db, runtime.settings, runtime.clock, wake)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None, "no CSRF field in the page"
    return match.group(1)


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get("/signin")
    return await http.post("/signin", data={"email": email, "password": password, "csrf": csrf_of(page.text)})


@dataclass
class Signed:
    """A signed-in client, its session's CSRF token and the account's id."""

    http: httpx.AsyncClient
    csrf: str
    staff_id: int


async def signed_in(http: httpx.AsyncClient, email: str) -> str:
    """Sign in and return the session's CSRF token."""
    assert (await sign_in(http, email)).status_code == 303
    return csrf_of((await http.get("/")).text)


def confirmation() -> str:
    """A fresh one-time token, as the broadcast preview puts in its confirm form."""
    return secrets.token_urlsafe(18)
