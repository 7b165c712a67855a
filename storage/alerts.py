"""Who wants new-opening alerts, for which tracks, and who said STOP.

Two separate wishes: ``alerts`` (tell me about new openings) and ``stopped``
(send me no alerts and no broadcasts at all). Without a row a person gets no
alerts and has not stopped anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import joined_text
from storage.timefmt import to_db


@dataclass(frozen=True)
class AlertPreferences:
    alerts: bool = False
    stopped: bool = False
    tracks: frozenset[str] = frozenset()  # empty: every track


async def get(conn: aiosqlite.Connection, user_id: int) -> AlertPreferences:
    """One query (it runs for every broadcast row being sent)."""
    rows = await conn.execute_fetchall(
        f"SELECT p.alerts, p.stopped, (SELECT {joined_text('t.track')} FROM alert_tracks t WHERE t.user_id = ?)"
        " FROM (SELECT 1) LEFT JOIN alert_preferences p ON p.user_id = ?",
        (user_id, user_id),
    )
    alerts, stopped, tracks = next(iter(rows))
    return AlertPreferences(bool(alerts), bool(stopped), frozenset(tracks.split(",")) if tracks else frozenset())


async def stopped_among(conn: aiosqlite.Connection, user_ids: Iterable[int]) -> set[int]:
    """Which of these people said STOP, in one query (broadcast rows are prepared in groups)."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    rows = await conn.execute_fetchall(
        f"SELECT user_id FROM alert_preferences WHERE stopped = 1 AND user_id IN ({','.join('?' * len(ids))})", ids
    )
    return {row[0] for row in rows}


async def _upsert(
    conn: aiosqlite.Connection, user_id: int, now: datetime, alerts: bool | None, stopped: bool | None
) -> None:
    await conn.execute(
        "INSERT INTO alert_preferences(user_id, alerts, stopped, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET"
        " alerts = coalesce(?, alerts), stopped = coalesce(?, stopped), updated_at = excluded.updated_at",
        (
            user_id,
            int(bool(alerts)),
            int(bool(stopped)),
            to_db(now),
            None if alerts is None else int(alerts),
            None if stopped is None else int(stopped),
        ),
    )


async def set_alerts(conn: aiosqlite.Connection, user_id: int, on: bool, now: datetime) -> None:
    """Turn alerts on or off; turning them on also lifts an earlier STOP (a clear opt-in)."""
    await _upsert(conn, user_id, now, alerts=on, stopped=False if on else None)


async def stop(conn: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    """STOP: no more alerts and no broadcasts."""
    await _upsert(conn, user_id, now, alerts=False, stopped=True)


async def resume(conn: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    """Allow broadcasts again (alerts stay as they are: off after a STOP)."""
    await _upsert(conn, user_id, now, alerts=None, stopped=False)


async def set_tracks(conn: aiosqlite.Connection, user_id: int, tracks: Iterable[str], now: datetime) -> None:
    await conn.execute("DELETE FROM alert_tracks WHERE user_id = ?", (user_id,))
    await conn.executemany(
        "INSERT INTO alert_tracks(user_id, track) VALUES (?, ?)", [(user_id, t) for t in set(tracks)]
    )
    await _upsert(conn, user_id, now, alerts=None, stopped=None)
