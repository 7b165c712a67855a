"""Keeps each running broadcast's progress message current and reports its end.

Every few seconds it reads the counts of each unfinished broadcast from the
outbox and, when they changed, edits the staff member's progress message (one
message, edited in place; never more often than the tick). When no row of a
broadcast is pending or in flight any more, the broadcast is marked finished
(once) in the same transaction that queues the final report, and the progress
message shows the final counts. Everything it needs is in the database, so
after a restart it carries on where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.flows.openings.broadcast_texts import final_text, progress_text
from bot.i18n import language_for, use_language
from bot.messages import Reply
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import ChannelSender, DeliveryError, MessageEditor, RetryLater
from storage import Connection, Database, broadcasts, outbox, users
from storage.broadcasts import Broadcast, DeliveryCounts, SentMessage

log = logging.getLogger(__name__)

PROGRESS_EDIT_SECONDS = 3.0
RATE_WINDOW = timedelta(seconds=10)


@dataclass(frozen=True)
class Progress:
    """A broadcast's figures as the progress message counts them (the console shows the same)."""

    broadcast: Broadcast
    counts: DeliveryCounts
    rate: float  # messages sent per second over the last RATE_WINDOW

    @property
    def not_delivered(self) -> int:
        return self.counts.failed + self.counts.unreachable

    @property
    def finished(self) -> bool:
        """Nothing pending or in flight: the monitor reports it finished on its next round."""
        return self.counts.remaining == 0


async def progress(conn: Connection, broadcast_id: int, now: datetime) -> Progress | None:
    broadcast = await broadcasts.get(conn, broadcast_id)
    if broadcast is None:
        return None
    counts = await broadcasts.delivery_counts(conn, broadcast_id)
    recent = await broadcasts.sent_since(conn, broadcast_id, now - RATE_WINDOW) if counts.remaining else 0
    return Progress(broadcast, counts, recent / RATE_WINDOW.total_seconds())


@dataclass(frozen=True)
class _Snapshot:
    broadcast: Broadcast
    counts: DeliveryCounts
    message: SentMessage | None
    owner: users.User | None


class BroadcastMonitor:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        senders: dict[str, ChannelSender],
        limiter: RateLimiter | None = None,
        interval: float | None = None,
        on_report: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.senders = senders
        self.limiter = limiter
        self.interval = PROGRESS_EDIT_SECONDS if interval is None else interval
        self.on_report = on_report  # wakes the outbox worker so the report goes out at once
        self._shown: dict[int, str] = {}
        self._stop = asyncio.Event()

    async def tick(self) -> list[int]:
        """Update every running broadcast once; return the ids that finished now."""
        async with self.db.reading(background=True) as conn:
            snapshots = [
                _Snapshot(
                    b,
                    await broadcasts.delivery_counts(conn, b.id),
                    await broadcasts.progress_message(conn, b.id),
                    await users.get(conn, b.created_by) if b.created_by is not None else None,
                )
                for b in await broadcasts.sending(conn)
            ]
        finished = []
        for snap in snapshots:
            language = language_for(snap.owner.language if snap.owner else None, self.settings.default_language)
            with use_language(language.code):
                done = snap.counts.remaining == 0
                text = final_text(snap.broadcast, snap.counts) if done else progress_text(snap.broadcast, snap.counts)
                if done and await self._finish(snap, text):
                    finished.append(snap.broadcast.id)
            await self._show(snap, text)
            if done:
                self._shown.pop(snap.broadcast.id, None)
        if finished and self.on_report is not None:
            self.on_report()
        return finished

    async def _finish(self, snap: _Snapshot, report: str) -> bool:
        async with self.db.transaction(background=True) as tx:
            if not await broadcasts.finish(tx, snap.broadcast.id, self.clock.now()):
                return False
            if snap.owner is not None:
                await outbox.enqueue(
                    tx,
                    channel=snap.owner.channel,
                    chat_id=snap.owner.chat_id,
                    user_id=snap.owner.id,
                    kind="staff_notice",
                    payload={"text": report},
                    now=self.clock.now(),
                    ref=broadcasts.report_ref(snap.broadcast.id),
                    dedup_key=broadcasts.report_key(snap.broadcast.id),
                )
        log.info("broadcast %d finished: %s", snap.broadcast.id, snap.counts)
        return True

    async def _show(self, snap: _Snapshot, text: str) -> None:
        """Edit the progress message when its text changed (and the channel can edit)."""
        message = snap.message
        if message is None or message.platform_message_id is None:
            return
        if self._shown.get(snap.broadcast.id, message.shown) == text:
            return  # the message shows this already: Telegram would refuse the edit
        editor: object = self.senders.get(message.channel)
        if not isinstance(editor, MessageEditor):
            return
        if self.limiter is not None:
            await self.limiter.acquire(f"{message.channel}:{message.chat_id}")
        try:
            await editor.edit(message.chat_id, message.platform_message_id, Reply(text))
        except RetryLater as exc:
            if self.limiter is not None:
                self.limiter.pause(exc.seconds)
            return
        except DeliveryError as exc:
            log.warning("progress of broadcast %d not shown: %s", snap.broadcast.id, exc)
            return
        self._shown[snap.broadcast.id] = text
        async with self.db.transaction(background=True) as tx:
            await broadcasts.note_progress_shown(tx, snap.broadcast.id, text)

    async def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast progress round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    def stop(self) -> None:
        self._stop.set()
