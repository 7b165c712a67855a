"""Linking two accounts of one person: codes, failed tries, and moving the records."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage import links, outbox
from storage.links import LinkCode, MoveResult
from storage.users import User


async def issue(tx: aiosqlite.Connection, user_id: int, now: datetime, expires_at: datetime) -> str:
    return await links.issue(tx, user_id, now, expires_at)


async def record_failure(tx: aiosqlite.Connection, user_id: int, now: datetime, keep_since: datetime) -> None:
    await links.record_failure(tx, user_id, now, keep_since)


async def move_records(tx: aiosqlite.Connection, source: User, target: User) -> MoveResult:
    """Move ``source``'s records to ``target``; raises :class:`storage.links.MoveConflict`."""
    return await links.move_records(tx, source.id, target.id, target.channel, target.chat_id)


async def finish_move(
    tx: aiosqlite.Connection, record: LinkCode, source: User, target: User, notice_kind: str, now: datetime
) -> None:
    """Use up the code and tell the old account (through the outbox) where its records went."""
    await links.mark_used(tx, record.id, target.id, now)
    await outbox.enqueue(
        tx,
        channel=source.channel,
        chat_id=source.chat_id,
        user_id=source.id,
        kind=notice_kind,
        payload={"channel": target.channel},
        now=now,
        dedup_key=f"{notice_kind}:{record.id}",
    )
