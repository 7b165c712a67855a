"""Driving the staff console in-process: accounts of each role and signed-in httpx clients."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from html import unescape

import httpx

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.telegram.channel import serve
from bot.runtime import Runtime, open_runtime
from bot.services import staff
from bot.services.staff import Role
from bot.web.app import create_app
from storage import trainees
from tests.support.fake_telegram import FakeTelegram

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


def listed(html: str) -> list[str]:
    """The references of the applications list's rows, in their order on the page."""
    return re.findall(r'<a href="/applications/\d+">([A-Z0-9-]+)</a></td>', html)


def text_of(html: str) -> str:
    """The page's visible text in one line (tags dropped, entities read), for assertions on wording."""
    body = re.sub(r"<(head|script|select)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


async def application_id(runtime: Runtime, reference: str) -> int:
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, reference)
    assert found is not None
    return found.application_id


@asynccontextmanager
async def signed_in_as(runtime: Runtime, role: Role) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in with a fresh account of ``role``."""
    await make_account(runtime, role)
    async with client(runtime) as http:
        assert (await sign_in(http, f"{role.value}@example.org")).status_code == 303
        yield http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def bot_with_console(settings: Settings, fake: FakeTelegram, clock: Clock) -> AsyncIterator[tuple[Runtime, str]]:
    """``youthbot run`` (Telegram polling on the fake Bot API) with WEB_ENABLED: the runtime and the console's address."""
    port = free_port()
    live = replace(settings, telegram_token=fake.token, telegram_api_url=fake.base_url, web_enabled=True, web_port=port)
    stop = asyncio.Event()
    async with open_runtime(live, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as probe:
            for _ in range(500):
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(url + "/signin")).status_code == 200:
                        break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the console did not start")
        try:
            yield runtime, url
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)


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
