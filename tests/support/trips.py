"""Counting trips to aiosqlite's thread, for tests of what runs on the event loop's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiosqlite
import pytest


def count_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every trip to the database thread from now on, in order (work run on the loop is not one)."""
    sent: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(repr(fn)[:80])
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent
