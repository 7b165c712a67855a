"""The application funnel: each start of /apply, the steps it reached and whether it was submitted.

The form keeps a random token in its conversation data while it lasts; the
records hold only that token, the local day of the start and the steps, so
they count how far young people get without saying who they are.
"""

from __future__ import annotations

import secrets
from datetime import datetime, tzinfo
from typing import Any

import aiosqlite

from storage import funnel as funnel_store

TOKEN_KEY = "funnel"  # where the form's conversation data keeps its token


def started(tx: aiosqlite.Connection, data: dict[str, Any], now: datetime, timezone: tzinfo) -> None:
    """A new start of the form: a fresh token in ``data`` and its record."""
    token = secrets.token_hex(16)
    data[TOKEN_KEY] = token
    funnel_store.start(tx, token, now.astimezone(timezone).date())


def reached(tx: aiosqlite.Connection, data: dict[str, Any], step: str) -> None:
    """The form asks ``step``; forms begun before the funnel existed have no token and count nowhere."""
    token = data.get(TOKEN_KEY)
    if isinstance(token, str) and step:
        funnel_store.reach(tx, token, step)


def submitted(tx: aiosqlite.Connection, data: dict[str, Any]) -> None:
    token = data.get(TOKEN_KEY)
    if isinstance(token, str):
        funnel_store.submit(tx, token)
