"""Shared fixtures: a real SQLite file per test, compiled catalogs, a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.catalogs import compile_catalogs
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.flows.core import InputKind, Reply, UserInput
from bot.flows.engine import Incoming
from bot.i18n import load_catalogs
from bot.runtime import Runtime, open_runtime


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


class Chat:
    """One person talking to the engine, pressing buttons by their label."""

    def __init__(self, runtime: Runtime, user_id: str = "1001", channel: str = "telegram", platform_language: str | None = None) -> None:
        self.runtime = runtime
        self.user_id = user_id
        self.channel = channel
        self.platform_language = platform_language
        self.last: list[Reply] = []
        self.history: list[Reply] = []
        self._update = 0

    async def send(self, inp: UserInput | str, update_key: str | None = None) -> list[Reply]:
        if isinstance(inp, str):
            inp = UserInput.parse_text(inp)
        outcome = await self.runtime.engine.handle(
            Incoming(self.channel, self.user_id, self.user_id, inp, "Test User", self.platform_language, update_key)
        )
        self.last = outcome.replies
        self.history.extend(outcome.replies)
        return outcome.replies

    def prompt(self) -> Reply:
        """The last reply that has buttons (or the last reply)."""
        with_options = [r for r in self.last if r.options]
        return with_options[-1] if with_options else self.last[-1]

    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    async def press(self, label_or_key: str) -> list[Reply]:
        prompt = self.prompt()
        for option in prompt.options:
            if option.key == label_or_key or label_or_key in option.label:
                return await self.send(UserInput(InputKind.OPTION, option.key, token=None if prompt.menu else prompt.token))
        raise AssertionError(f"no option {label_or_key!r} in {[o.label for o in prompt.options]}")


@pytest.fixture
def chat(runtime: Runtime) -> Chat:
    return Chat(runtime)
