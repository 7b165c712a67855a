"""Shared fixtures: a real SQLite file per test, compiled catalogs, a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.i18n import load_catalogs
from bot.i18n.catalogs import compile_catalogs
from bot.runtime import Runtime, open_runtime
from bot.services.staff import Role
from tests.support.chat import Chat
from tests.support.console import Signed, client, csrf_of, make_account, sign_in


@pytest.fixture(scope="session", autouse=True)
def catalogs() -> None:
    compile_catalogs()
    load_catalogs()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = load_settings(environ={}, env_file=None)
    return replace(base, database_path=tmp_path / "data" / "bot.sqlite3", staff_telegram_ids=frozenset({999}))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
async def runtime(settings: Settings, clock: ManualClock) -> AsyncIterator[Runtime]:
    async with open_runtime(settings, clock=clock) as rt:
        yield rt


@pytest.fixture
def chat(runtime: Runtime) -> Chat:
    return Chat(runtime)


@pytest.fixture
async def coordinator(runtime: Runtime) -> AsyncIterator[Signed]:
    """A coordinator signed in to the console."""
    staff_id = await make_account(runtime, Role.COORDINATOR)
    async with client(runtime) as http:
        await sign_in(http, "coordinator@example.org")
        yield Signed(http, csrf_of((await http.get("/")).text), staff_id)
