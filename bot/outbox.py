"""The one sending path for proactive messages (staff notices, reminders,
broadcasts, surveys): rows in the SQLite outbox, sent by one worker through
one rate limiter, woken by the scheduler when the next row is due.

Each row is marked ``sending`` in its own commit just before the platform
call and ``sent`` right after, so a crash can cut off at most the calls in
flight; those rows become ``interrupted`` at start-up and are never repeated.
A graceful stop (SIGTERM) finishes the calls in flight first. No database
lock is held during a platform call, so conversations never wait for one.

Errors a channel's sender may raise, and what the worker does:

    DeliveryError
    ├── RetryLater(seconds)   429 / too many requests: pause all sending that long, retry the row
    ├── TransientError        the request surely did not arrive (no connection, 5xx):
    │                         retry with back-off, give up after 5 attempts
    ├── DeliveryUncertain     the request may have arrived (no answer in time): never
    │                         repeated, recorded as ``interrupted`` like a crash mid-call
    └── Unreachable           blocked / unsubscribed: mark the person, never retry

A sender that can also edit a message it sent (:class:`MessageEditor`) lets
the broadcast progress message be updated in place.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Protocol, runtime_checkable

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.flows.core import Option, Reply
from bot.flows.registry import Delivery, Registry
from bot.i18n import language_for, use_language
from bot.ratelimit import RateLimiter
from bot.scheduler import WakeScheduler
from storage import Database, outbox, users
from storage.outbox import OutboxItem
from storage.users import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 200
FALLBACK_POLL_SECONDS = 60.0


class DeliveryError(Exception):
    pass


class RetryLater(DeliveryError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class TransientError(DeliveryError):
    pass


class DeliveryUncertain(DeliveryError):
    pass


class Unreachable(DeliveryError):
    pass


class ChannelSender(Protocol):
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver one message; return the platform's message id, or raise a DeliveryError."""
        ...


@runtime_checkable
class MessageEditor(Protocol):
    """The optional second capability of a sender: replace the text of a message it sent."""

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Edit in place; an unchanged text is no error. Raises a DeliveryError like ``send``."""
        ...


def plain_reply(item: OutboxItem) -> Reply | None:
    """Rows whose payload already holds the text (staff notices, free-text broadcasts)."""
    text = item.payload.get("text")
    if not text:
        return None
    options = [Option(o["key"], o["label"]) for o in item.payload.get("options", [])]
    return Reply(text, options, menu=True)


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        registry: Registry,
        senders: dict[str, ChannelSender],
        limiter: RateLimiter,
        concurrency: int = 8,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.registry = registry
        self.senders = senders
        self.limiter = limiter
        self.scheduler = WakeScheduler(clock, self.wake)
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._retry_in: float | None = None

    def wake(self) -> None:
        self._wake.set()

    async def recover(self) -> int:
        """Rows a crash cut off mid-call are marked interrupted (at most once)."""
        async with self.db.transaction() as tx:
            count = await outbox.interrupt_unfinished(tx)
        if count:
            log.warning("%d message(s) were cut off by a restart and will not be repeated", count)
        return count

    async def run_once(self) -> int:
        """Send every row that is due now and wait for the calls; return how many were attempted."""
        attempted = 0
        self._retry_in = None
        channels = list(self.senders)
        while not self._stopping:
            async with self.db.reading() as conn:
                items = await outbox.due(conn, channels, self.clock.now(), BATCH, self._in_flight)
            started = 0
            for item in items:
                if self._stopping:
                    break
                chat_key = f"{item.channel}:{item.chat_id}"
                wait = self.limiter.chat_ready_in(chat_key)
                if wait > 0:  # this chat had a message a moment ago: others go first
                    self._retry_in = wait if self._retry_in is None else min(self._retry_in, wait)
                    continue
                await self.limiter.acquire(chat_key)
                await self._slots.acquire()
                task = asyncio.create_task(self._deliver(item))
                self._in_flight[item.id] = task
                task.add_done_callback(lambda _t, item_id=item.id: self._done(item_id))
                started += 1
            attempted += started
            if started == 0:
                break
        await self.drain()
        return attempted

    def _done(self, item_id: int) -> None:
        self._in_flight.pop(item_id, None)
        self._slots.release()

    async def drain(self) -> None:
        """Wait for the platform calls in flight."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)

    async def _prepare(self, tx: aiosqlite.Connection, item: OutboxItem) -> Reply | None:
        """Decide in one transaction whether the row goes out; render it and mark it sending."""
        now = self.clock.now()
        if item.expires_at is not None and item.expires_at <= now:
            await outbox.mark_final(tx, item.id, "expired")
            return None
        user = await users.get(tx, item.user_id) if item.user_id is not None else None
        if user is not None and not user.reachable:
            await outbox.mark_final(tx, item.id, "unreachable", "the person cannot be reached")
            return None
        reply = await self._render(tx, item, user)
        if reply is None:
            await outbox.mark_final(tx, item.id, "cancelled", "no longer relevant")
            return None
        if not await outbox.mark_sending(tx, item.id):
            return None
        return reply

    async def _render(self, tx: aiosqlite.Connection, item: OutboxItem, user: User | None) -> Reply | None:
        language = language_for(user.language if user else None, self.settings.default_language)
        with use_language(language.code):
            kind = self.registry.message_kinds.get(item.kind)
            if kind is None:
                return plain_reply(item)
            return await kind.render(Delivery(tx, item, user, self.settings, self.clock.now()))

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            async with self.db.transaction() as tx:
                reply = await self._prepare(tx, item)
            if reply is None:
                return
            try:
                message_id = await self.senders[item.channel].send(item.chat_id, reply)
            except RetryLater as exc:
                self.limiter.pause(exc.seconds, f"{item.channel}:{item.chat_id}")
                await self._record(item, "retry", str(exc), delay=exc.seconds)
            except Unreachable as exc:
                await self._record(item, "unreachable", str(exc))
            except DeliveryUncertain as exc:
                await self._record(item, "interrupted", f"no answer, may have arrived: {exc}")
            except TransientError as exc:
                if item.attempts + 1 >= MAX_ATTEMPTS:
                    await self._record(item, "failed", str(exc))
                else:
                    await self._record(item, "retry", str(exc), delay=2.0 ** (item.attempts + 1))
            except Exception as exc:  # an unexpected answer: record it, don't loop on it
                log.exception("outbox row %s could not be sent", item.id)
                await self._record(item, "failed", type(exc).__name__)
            else:
                await self._record(item, "sent", "", message_id=message_id)
        except Exception:
            log.exception("outbox row %s: bookkeeping failed", item.id)

    async def _record(self, item: OutboxItem, result: str, error: str, delay: float = 0.0, message_id: str | None = None) -> None:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if result == "sent":
                await outbox.mark_sent(tx, item.id, now, message_id)
            elif result == "retry":
                await outbox.retry_later(tx, item.id, now + timedelta(seconds=delay), error)
                self._retry_in = delay if self._retry_in is None else min(self._retry_in, delay)
            else:
                await outbox.mark_final(tx, item.id, result, error)
                if result == "unreachable":
                    await users.mark_unreachable(tx, item.channel, item.chat_id, now)

    async def arm(self) -> None:
        """Point the scheduler at the next due row (or the next moment a busy chat frees up)."""
        async with self.db.reading() as conn:
            due = await outbox.next_due_at(conn, list(self.senders))
        now = self.clock.now()
        if self._retry_in is not None:
            soon = now + timedelta(seconds=self._retry_in)
            due = soon if due is None or due <= now else min(due, soon)
        if due is not None:
            self.scheduler.arm(max(due, now))

    async def run_forever(self) -> None:
        await self.recover()
        self.scheduler.start()
        try:
            while not self._stopping:
                self._wake.clear()  # a wake() from here on is kept for the wait below
                try:
                    await self.run_once()
                    await self.arm()
                except Exception:
                    log.exception("outbox worker round failed")
                try:
                    await asyncio.wait_for(self._wake.wait(), FALLBACK_POLL_SECONDS)
                except TimeoutError:
                    pass
        finally:
            await self.drain()
            self.scheduler.shutdown()

    def stop(self) -> None:
        """Stop taking rows; the calls in flight finish (see ``run_forever``)."""
        self._stopping = True
        self._wake.set()
