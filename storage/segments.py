"""Who a broadcast or an alert goes to.

Every segment leaves out people who cannot be reached (they blocked the bot),
who said STOP, and who are on a channel that cannot receive proactive
messages. "everyone" and "track" are the people who opted in to alerts;
the others are people the programme knows through applications and cohorts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_count

SEGMENTS = ("everyone", "track", "municipality", "cohort", "graduates", "programme")
WITH_ARGUMENT = frozenset({"track", "municipality", "cohort", "programme"})
ALERT_KEY_PREFIX = "alert:"


@dataclass(frozen=True)
class Segment:
    kind: str
    arg: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SEGMENTS:
            raise ValueError(f"unknown segment {self.kind!r}")
        if (self.kind in WITH_ARGUMENT) != (self.arg is not None):
            raise ValueError(f"segment {self.kind!r} {'needs' if self.kind in WITH_ARGUMENT else 'takes no'} argument")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    channel: str
    chat_id: str


def alert_dedup_key(opening_id: int, user_id: int) -> str:
    """The outbox key of one person's alert about one opening (the SQL below builds the same)."""
    return f"{ALERT_KEY_PREFIX}{opening_id}:{user_id}"


_OPTED_IN = (
    "p.alerts = 1 AND (NOT EXISTS (SELECT 1 FROM alert_tracks t WHERE t.user_id = u.id)"
    " OR EXISTS (SELECT 1 FROM alert_tracks t WHERE t.user_id = u.id AND t.track IN ({tracks})))"
)
_CONDITIONS = {
    "everyone": "p.alerts = 1",
    "municipality": "EXISTS (SELECT 1 FROM applications a WHERE a.user_id = u.id AND a.municipality = ?)",
    "cohort": (
        "EXISTS (SELECT 1 FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id"
        " WHERE e.user_id = u.id AND c.code = ? AND e.status <> 'dropped')"
    ),
    "graduates": "EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = u.id AND e.status = 'completed')",
    "programme": (
        "EXISTS (SELECT 1 FROM applications a JOIN programmes g ON g.id = a.programme_id"
        " WHERE a.user_id = u.id AND g.code = ?)"
    ),
}


def _query(
    select: str, condition: str, params: list[object], channels: Sequence[str], not_alerted_about: int | None
) -> tuple[str, list[object]]:
    sql = (
        f"SELECT {select} FROM users u LEFT JOIN alert_preferences p ON p.user_id = u.id"
        f" WHERE u.reachable = 1 AND coalesce(p.stopped, 0) = 0"
        f" AND u.channel IN ({','.join('?' * len(channels))}) AND {condition}"
    )
    params = [*channels, *params]
    if not_alerted_about is not None:
        sql += " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.dedup_key = ? || ? || ':' || u.id)"
        params += [ALERT_KEY_PREFIX, not_alerted_about]
    return sql, params


def _segment_condition(segment: Segment) -> tuple[str, list[object]]:
    if segment.kind == "track":
        return _OPTED_IN.format(tracks="?"), [segment.arg]
    return _CONDITIONS[segment.kind], [] if segment.arg is None else [segment.arg]


async def recipients(
    conn: aiosqlite.Connection, segment: Segment, channels: Sequence[str], not_alerted_about: int | None = None
) -> list[Recipient]:
    """The people in a segment; ``not_alerted_about`` leaves out those alerted to that opening."""
    condition, params = _segment_condition(segment)
    sql, params = _query("u.id, u.channel, u.chat_id", condition, params, channels, not_alerted_about)
    async with conn.execute(sql + " ORDER BY u.id", params) as cur:
        return [Recipient(row[0], row[1], row[2]) for row in await cur.fetchall()]


async def count(
    conn: aiosqlite.Connection, segment: Segment, channels: Sequence[str], not_alerted_about: int | None = None
) -> int:
    condition, params = _segment_condition(segment)
    sql, params = _query("count(*)", condition, params, channels, not_alerted_about)
    return await fetch_count(conn, sql, params)


async def alert_recipients(
    conn: aiosqlite.Connection, tracks: Iterable[str], channels: Sequence[str]
) -> list[Recipient]:
    """People with alerts on for any of these tracks (or for every track)."""
    wanted = sorted(set(tracks))
    condition = _OPTED_IN.format(tracks=",".join("?" * len(wanted))) if wanted else _CONDITIONS["everyone"]
    sql, params = _query("u.id, u.channel, u.chat_id", condition, list(wanted), channels, None)
    async with conn.execute(sql + " ORDER BY u.id", params) as cur:
        return [Recipient(row[0], row[1], row[2]) for row in await cur.fetchall()]
