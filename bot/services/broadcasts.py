"""Sending a broadcast: the record, the sender's progress report, one row per recipient."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.services.opening_days import deadline_end
from storage import broadcasts, outbox
from storage.broadcasts import Broadcast
from storage.openings import Opening
from storage.outbox import NewMessage
from storage.segments import Recipient, Segment
from storage.users import User

BROADCAST_KIND = "broadcast"
PROGRESS_KIND = "broadcast_progress"


async def send(
    tx: aiosqlite.Connection,
    sender: User,
    segment: Segment,
    people: Sequence[Recipient],
    opening: Opening | None,
    text: str | None,
    settings: Settings,
    now: datetime,
) -> Broadcast:
    """Record the broadcast and queue it; it goes out at the bulk pace, the report to ``sender``."""
    broadcast = await broadcasts.create(
        tx,
        created_by=sender.id,
        segment=segment,
        recipients=len(people),
        now=now,
        opening_id=opening.id if opening else None,
        text=text,
    )
    await outbox.enqueue(
        tx,
        channel=sender.channel,
        chat_id=sender.chat_id,
        user_id=sender.id,
        kind=PROGRESS_KIND,
        payload={"broadcast": broadcast.id},
        now=now,
        ref=broadcasts.report_ref(broadcast.id),
        dedup_key=broadcasts.progress_key(broadcast.id),
    )
    expires = deadline_end(opening, settings) if opening is not None else None
    await outbox.enqueue_many(
        tx,
        [
            NewMessage(
                channel=p.channel,
                chat_id=p.chat_id,
                user_id=p.user_id,
                kind=BROADCAST_KIND,
                payload={"broadcast": broadcast.id},
                ref=broadcasts.recipients_ref(broadcast.id),
                dedup_key=broadcasts.recipient_key(broadcast.id, p.user_id),
                expires_at=expires,
                bulk=True,
            )
            for p in people
        ],
        now,
    )
    return broadcast


async def note_progress_shown(tx: aiosqlite.Connection, broadcast_id: int, text: str) -> None:
    """Remember the progress message's text as rendered, so no later edit repeats it."""
    await broadcasts.note_progress_shown(tx, broadcast_id, text)
