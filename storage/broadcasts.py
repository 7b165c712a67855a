"""Staff broadcasts: what was sent to which segment, and how delivery went.

The messages themselves are outbox rows, one per recipient, with
``ref = "broadcast:<id>"``; their statuses are the broadcast's progress. The
progress message to the staff member and the final report are outbox rows
too, under ``ref = "broadcast-report:<id>"``, so they never count as recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage import outbox
from storage.db import inserted_id
from storage.segments import Segment
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int | None
    opening_id: int | None
    text: str | None
    segment: Segment
    recipients: int
    status: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class DeliveryCounts:
    """Recipient rows by outcome."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0  # cancelled (stopped, opening closed) or expired
    interrupted: int = 0  # cut off mid-call by a restart: may or may not have arrived

    @property
    def remaining(self) -> int:
        return self.pending + self.sending

    @property
    def total(self) -> int:
        return self.remaining + self.sent + self.failed + self.unreachable + self.skipped + self.interrupted


@dataclass(frozen=True)
class SentMessage:
    """Where a message went and its platform id (for editing it)."""

    channel: str
    chat_id: str
    platform_message_id: str | None
    shown: str | None = None  # the text the message shows now (an edit to the same text is refused)


def recipients_ref(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def report_ref(broadcast_id: int) -> str:
    return f"broadcast-report:{broadcast_id}"


def progress_key(broadcast_id: int) -> str:
    """The outbox dedup key of the progress message."""
    return f"broadcast-progress:{broadcast_id}"


def report_key(broadcast_id: int) -> str:
    return f"broadcast-final:{broadcast_id}"


def recipient_key(broadcast_id: int, user_id: int) -> str:
    return f"broadcast:{broadcast_id}:{user_id}"


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        created_by=row["created_by"],
        opening_id=row["opening_id"],
        text=row["text"],
        segment=Segment(row["segment"], row["segment_arg"]),
        recipients=row["recipients"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
        finished_at=from_db(row["finished_at"]) if row["finished_at"] else None,
    )


async def create(
    conn: aiosqlite.Connection,
    *,
    created_by: int | None,
    segment: Segment,
    recipients: int,
    now: datetime,
    opening_id: int | None = None,
    text: str | None = None,
    confirmation: str | None = None,
) -> Broadcast:
    if (opening_id is None) == (text is None):
        raise ValueError("a broadcast is either an opening or a text")
    cur = await conn.execute(
        "INSERT INTO broadcasts(created_by, opening_id, text, segment, segment_arg, recipients, created_at,"
        " confirmation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (created_by, opening_id, text, segment.kind, segment.arg, recipients, to_db(now), confirmation),
    )
    broadcast = await get(conn, inserted_id(cur))
    assert broadcast is not None
    return broadcast


async def by_confirmation(conn: aiosqlite.Connection, confirmation: str) -> Broadcast | None:
    """The broadcast a console confirmation started, if it did."""
    rows = list(await conn.execute_fetchall("SELECT * FROM broadcasts WHERE confirmation = ?", (confirmation,)))
    return _broadcast(rows[0]) if rows else None


async def set_recipients(conn: aiosqlite.Connection, broadcast_id: int, recipients: int) -> None:
    await conn.execute("UPDATE broadcasts SET recipients = ? WHERE id = ?", (recipients, broadcast_id))


async def get(conn: aiosqlite.Connection, broadcast_id: int) -> Broadcast | None:
    rows = list(await conn.execute_fetchall("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)))
    return _broadcast(rows[0]) if rows else None


async def list_all(conn: aiosqlite.Connection) -> list[Broadcast]:
    async with conn.execute("SELECT * FROM broadcasts ORDER BY id DESC") as cur:
        return [_broadcast(row) for row in await cur.fetchall()]


async def sending(conn: aiosqlite.Connection) -> list[Broadcast]:
    """Broadcasts not yet reported as finished."""
    async with conn.execute("SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id") as cur:
        return [_broadcast(row) for row in await cur.fetchall()]


async def finish(conn: aiosqlite.Connection, broadcast_id: int, now: datetime) -> bool:
    """Mark finished once; False when another run did it already."""
    cur = await conn.execute(
        "UPDATE broadcasts SET status = 'finished', finished_at = ? WHERE id = ? AND status = 'sending'",
        (to_db(now), broadcast_id),
    )
    return cur.rowcount == 1


async def delivery_counts(conn: aiosqlite.Connection, broadcast_id: int) -> DeliveryCounts:
    by_status = await outbox.counts(conn, recipients_ref(broadcast_id))
    return DeliveryCounts(
        pending=by_status.get("pending", 0),
        sending=by_status.get("sending", 0),
        sent=by_status.get("sent", 0),
        failed=by_status.get("failed", 0),
        unreachable=by_status.get("unreachable", 0),
        skipped=by_status.get("cancelled", 0) + by_status.get("expired", 0),
        interrupted=by_status.get("interrupted", 0),
    )


async def progress_message(conn: aiosqlite.Connection, broadcast_id: int) -> SentMessage | None:
    """The progress message as sent (its platform id is None until it has gone out)."""
    async with conn.execute(
        "SELECT channel, chat_id, platform_message_id, json_extract(payload, '$.shown') FROM outbox"
        " WHERE dedup_key = ? AND status = 'sent'",
        (progress_key(broadcast_id),),
    ) as cur:
        row = await cur.fetchone()
    return SentMessage(row[0], row[1], row[2], row[3]) if row else None


async def note_progress_shown(conn: aiosqlite.Connection, broadcast_id: int, text: str) -> None:
    """Remember the text the progress message shows (when rendered for sending, and after each edit)."""
    await conn.execute(
        "UPDATE outbox SET payload = json_set(payload, '$.shown', ?) WHERE dedup_key = ?",
        (text, progress_key(broadcast_id)),
    )


async def sent_since(conn: aiosqlite.Connection, broadcast_id: int, since: datetime) -> int:
    """Recipient rows sent at or after ``since`` (the broadcast's recent pace)."""
    async with conn.execute(
        "SELECT count(*) FROM outbox WHERE ref = ? AND status = 'sent' AND sent_at >= ?",
        (recipients_ref(broadcast_id), to_db(since)),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
