"""Job alerts: a person's choices, and one alert queued per fitting person for a new opening."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.services.opening_days import deadline_end
from storage import alerts, outbox, segments
from storage.openings import Opening
from storage.outbox import NewMessage

PROACTIVE_CHANNELS = ("telegram",)
ALERT_KIND = "opening_alert"


async def stop(tx: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    await alerts.stop(tx, user_id, now)


async def set_alerts(tx: aiosqlite.Connection, user_id: int, on: bool, now: datetime) -> None:
    await alerts.set_alerts(tx, user_id, on, now)


async def resume(tx: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    await alerts.resume(tx, user_id, now)


async def set_tracks(tx: aiosqlite.Connection, user_id: int, tracks: Iterable[str], now: datetime) -> None:
    await alerts.set_tracks(tx, user_id, tracks, now)


async def queue_alerts(tx: aiosqlite.Connection, opening: Opening, settings: Settings, now: datetime) -> int:
    """Queue one alert per person whose alerts fit the new opening; returns how many."""
    people = await segments.alert_recipients(tx, opening.tracks, PROACTIVE_CHANNELS)
    return await outbox.enqueue_many(
        tx,
        [
            NewMessage(
                channel=p.channel,
                chat_id=p.chat_id,
                user_id=p.user_id,
                kind=ALERT_KIND,
                payload={"opening": opening.id},
                ref=f"opening:{opening.id}",
                dedup_key=segments.alert_dedup_key(opening.id, p.user_id),
                expires_at=deadline_end(opening, settings),
                bulk=True,
            )
            for p in people
        ],
        now,
    )
