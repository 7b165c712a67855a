"""Submitting an application, for the chat form now and the staff console later."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage import applications
from storage.applications import Application, NewApplication


async def submit(tx: aiosqlite.Connection, app: NewApplication, now: datetime) -> Application:
    return await applications.submit(tx, app, now)
