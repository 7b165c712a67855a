"""Job openings: publishing (with its alerts), closing, and interest."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.services.alerts import queue_alerts
from storage import openings, outbox
from storage.openings import NewOpening, Opening


async def publish(
    tx: aiosqlite.Connection, new: NewOpening, created_by: int | None, settings: Settings, now: datetime
) -> tuple[Opening, int]:
    """Save the opening and queue its alerts; returns it and how many alerts were queued."""
    opening = await openings.create(tx, new, created_by, now)
    return opening, await queue_alerts(tx, opening, settings, now)


async def close(tx: aiosqlite.Connection, opening_id: int, now: datetime) -> int:
    """Close the opening and withdraw its alerts not yet sent; returns how many were withdrawn."""
    await openings.close(tx, opening_id, now)
    return await outbox.cancel_pending(tx, f"opening:{opening_id}")


async def add_interest(tx: aiosqlite.Connection, opening_id: int, user_id: int, now: datetime) -> bool:
    return await openings.add_interest(tx, opening_id, user_id, now)
