"""Adding, moving, changing and cancelling a session, with everything that follows from it.

Shared by the staff's Telegram flow and the CSV schedule import, and always
run inside the caller's transaction, so a session and its reminders (or the
notices about it) change together or not at all.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.services import reminders as reminder_plan
from storage import attendance, sessions
from storage.sessions import Session, SessionDetails


class SessionClash(ValueError):
    """Another scheduled session of the same cohort starts at that moment."""

    def __init__(self, other: Session) -> None:
        super().__init__(f"session {other.id} already starts then")
        self.other = other


async def _check_free(tx: aiosqlite.Connection, cohort_id: int, starts_at: datetime, moving: int | None = None) -> None:
    other = await sessions.at_start(tx, cohort_id, starts_at)
    if other is not None and other.scheduled and other.id != moving:
        raise SessionClash(other)


async def add(
    tx: aiosqlite.Connection, cohort_id: int, details: SessionDetails, settings: Settings, now: datetime
) -> tuple[Session, int]:
    """Create a session and plan its reminders; return it and how many reminders were planned."""
    await _check_free(tx, cohort_id, details.starts_at)
    session = await sessions.create(tx, cohort_id, details, now)
    return session, await reminder_plan.plan_session(tx, session, settings.reminder_offsets, now)


async def move(
    tx: aiosqlite.Connection,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    settings: Settings,
    now: datetime,
) -> tuple[Session, int]:
    """New time: old reminders withdrawn, new ones planned, earlier answers cleared
    (they were for the old time), trainees told with buttons to answer again.
    Returns the moved session and how many reminders were planned."""
    await _check_free(tx, session.cohort_id, starts_at, moving=session.id)
    moved = await sessions.move(tx, session.id, starts_at, ends_at, now)
    await attendance.clear_answers(tx, session.id)
    planned = await reminder_plan.session_moved(tx, session, moved, settings.reminder_offsets, now)
    return moved, planned


async def update_details(tx: aiosqlite.Connection, session: Session, details: SessionDetails, now: datetime) -> None:
    """Place, link, topic or end time: reminders are rendered when sent, so they show the change."""
    await sessions.update_details(tx, session.id, details, now)


async def cancel(tx: aiosqlite.Connection, session: Session, now: datetime) -> int | None:
    """Cancel; return how many trainees are told, or None when it was not scheduled any more."""
    if not await sessions.cancel(tx, session.id, now):
        return None
    return await reminder_plan.session_cancelled(tx, session, now)
