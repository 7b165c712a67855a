"""Submitting an application, for the chat form now and the staff console later."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, tzinfo

import aiosqlite

from bot.parsing.validators import age_on
from storage import applications
from storage.applications import Application, NewApplication


async def submit(tx: aiosqlite.Connection, app: NewApplication, now: datetime, timezone: tzinfo) -> Application:
    """Store the application with its day in the programme's time zone and the age on that day,
    the two facts the indicators group by (and the age is kept after an erasure)."""
    day = now.astimezone(timezone).date()
    dated = replace(app, applied_on=day, age_at_application=age_on(date.fromisoformat(app.birth_date), day))
    return await applications.submit(tx, dated, now)
