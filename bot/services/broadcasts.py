"""Sending a broadcast: who it reaches, the rules before it goes, the record, one row per recipient.

The chat's /broadcast and the console's composer both count with ``audience``
and send with ``start``: an opening that no longer takes applications, or a
group that is empty now, is refused here (``BroadcastRefused``), for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.services import audit
from bot.services.alerts import PROACTIVE_CHANNELS
from bot.services.opening_days import deadline_end, local_today
from storage import broadcasts, openings, outbox, segments
from storage.broadcasts import Broadcast
from storage.openings import Opening
from storage.outbox import NewMessage
from storage.segments import Recipient, Segment
from storage.users import User

BROADCAST_KIND = "broadcast"
PROGRESS_KIND = "broadcast_progress"
TEXT_LENGTH = (2, 3500)  # room for the heading and the STOP hint within Telegram's 4,096 characters


class BroadcastRefused(ValueError):
    """Nothing was sent; ``code`` is "closed" (the opening no longer takes applications), "empty" or "text"
    (a message shorter or longer than ``TEXT_LENGTH``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def still_open(opening: Opening | None, text: str | None, settings: Settings, now: datetime) -> bool:
    """A text always goes; an opening only while it takes applications."""
    return text is not None or (opening is not None and opening.is_open_on(local_today(settings, now)))


async def audience(conn: aiosqlite.Connection, segment: Segment, opening: Opening | None) -> int:
    """How many people it reaches now (an opening leaves out those its alert reached)."""
    return await segments.count(conn, segment, PROACTIVE_CHANNELS, opening.id if opening else None)


async def start(
    tx: aiosqlite.Connection,
    *,
    segment: Segment,
    opening: Opening | None,
    text: str | None,
    sender: User | None,
    staff_id: int | None,
    settings: Settings,
    now: datetime,
    confirmation: str | None = None,
) -> Broadcast:
    """Check the rules, queue the broadcast and record it in the audit trail; raises ``BroadcastRefused``.

    ``sender`` (a chat user) gets the progress message and the report; the console follows it on its page.
    A ``confirmation`` token that already started a broadcast returns that one: nothing is sent twice."""
    if confirmation is not None:
        done = await broadcasts.by_confirmation(tx, confirmation)
        if done is not None:
            return done
    if text is not None and not TEXT_LENGTH[0] <= len(text) <= TEXT_LENGTH[1]:
        raise BroadcastRefused("text")
    if opening is not None:  # as it is now, not as the caller read it before this transaction
        opening = await openings.get(tx, opening.id)
        if opening is None:
            raise BroadcastRefused("closed")
    if not still_open(opening, text, settings, now):
        raise BroadcastRefused("closed")
    people = await segments.recipients(tx, segment, PROACTIVE_CHANNELS, opening.id if opening else None)
    if not people:
        raise BroadcastRefused("empty")
    broadcast = await send(tx, sender, segment, people, opening, text, settings, now, confirmation)
    await audit.record(
        tx,
        staff_id=staff_id,
        action="broadcast.send",
        target_kind="broadcast",
        target_id=str(broadcast.id),
        detail={
            "segment": segment.kind,
            "segment_arg": segment.arg,
            "opening_id": opening.id if opening else None,
            "recipients": len(people),
        },
        now=now,
    )
    return broadcast


async def send(
    tx: aiosqlite.Connection,
    sender: User | None,
    segment: Segment,
    people: Sequence[Recipient],
    opening: Opening | None,
    text: str | None,
    settings: Settings,
    now: datetime,
    confirmation: str | None = None,
) -> Broadcast:
    """Record the broadcast and queue it; it goes out at the bulk pace, the report to ``sender`` if any."""
    broadcast = await broadcasts.create(
        tx,
        created_by=sender.id if sender else None,
        segment=segment,
        recipients=len(people),
        now=now,
        opening_id=opening.id if opening else None,
        text=text,
        confirmation=confirmation,
    )
    if sender is not None:
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
