"""The one sending path for proactive messages (staff notices, reminders,
broadcasts, surveys): rows in the SQLite outbox, sent by one worker through
one rate limiter, woken by the scheduler when the next row is due.

Each row is marked ``sending`` in a commit just before its platform call
(rows whose rate slots come up together share that commit) and its outcome
is written soon after (outcomes are written in batches, and always before
the worker waits: for a slot, a 429 pause or a back-off), so a crash can cut
off at most the calls in flight; those rows become ``interrupted`` at
start-up and are never repeated. A row answered 429 is due again the moment
the pause Telegram named ends.
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
import contextlib
import functools
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.flows.registry import Delivery, Registry
from bot.i18n import language_for, use_language
from bot.messages import Option, Reply
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.scheduler import WakeScheduler
from storage import Database, outbox, users
from storage.outbox import OutboxItem
from storage.users import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 200
GROUP_MAX = 64  # rows rendered and marked in one transaction at most
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


@dataclass(frozen=True)
class _Result:
    """How one platform call ended, waiting to be written (see ``_flush``)."""

    item: OutboxItem
    status: str  # sent, retry, failed, unreachable, interrupted
    error: str = ""
    retry_at: datetime | None = None  # when a retried row is due again, fixed when the answer came
    message_id: str | None = None


class OutboxWorker:
    """Sends due rows at the limiter's pace, ``concurrency`` calls at a time.

    Rows are taken in small groups: the rows whose rate slots come up together
    are rendered and marked ``sending`` in one transaction, then their calls
    start. Outcomes are written in batches, together with the next group (or
    before the worker waits): a row whose call ended but whose outcome was not
    yet written when the process died is still ``sending`` and becomes
    ``interrupted``, never sent twice.
    """

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
        self._results: list[_Result] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._retry_in: float | None = None
        self._waiting = False  # the sending loop is waiting: outcomes are written as they come
        self._flusher: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def register(self, channel: str, sender: ChannelSender) -> None:
        """Send this channel's rows too (the web server runs Telegram and Viber on one worker)."""
        self.senders[channel] = sender

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
            group: list[OutboxItem] = []
            taken = 0
            for item in items:
                if self.stopping:
                    break
                chat_key = f"{item.channel}:{item.chat_id}"
                wait = self.limiter.chat_ready_in(chat_key)
                if wait > 0:  # this chat had a message a moment ago: others go first
                    self._note_retry(wait)
                    continue
                if group and (len(group) >= GROUP_MAX or self.limiter.next_slot_in() > 0 or self._slots.locked()):
                    await self._start(group)
                    group = []
                await self._wait_for(self.limiter.acquire(chat_key), self.limiter.next_slot_in() > 0)
                await self._wait_for(self._slots.acquire(), self._slots.locked())
                group.append(item)
                taken += 1
            if group:
                await self._start(group)
            attempted += taken
            if taken == 0:
                break
        await self.drain()
        return attempted

    async def _start(self, group: list[OutboxItem]) -> None:
        """Render and mark a group in one transaction (with the outcomes so far), then call."""
        results, self._results = self._results, []
        async with self.db.transaction() as tx:
            await self._write(tx, results)
            people = await outbox.recipients(tx, [i.user_id for i in group if i.user_id is not None])
            prepared = [(item, await self._prepare(tx, item, people.get(item.user_id or 0))) for item in group]
            taken = await outbox.mark_sending_many(tx, [item.id for item, reply in prepared if reply is not None])
        for item, reply in prepared:
            if reply is None or item.id not in taken:
                self._slots.release()
                continue
            task = asyncio.create_task(self._deliver(item, reply))
            self._in_flight[item.id] = task
            task.add_done_callback(functools.partial(self._done, item.id))

    async def _wait_for(self, wait: Awaitable[object], blocks: bool) -> None:
        """Wait for a slot or the end of a pause, with every outcome written first and while waiting.

        A kill during the wait then cuts off nothing but the calls still in flight.
        """
        self._waiting = True  # a pause may begin while waiting: what is answered then is written then
        try:
            if blocks:
                await self._flush()
            await wait
        finally:
            self._waiting = False
        if self._flusher is not None:
            await self._flusher

    def _record(self, result: _Result) -> None:
        self._results.append(result)
        if self._waiting and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush_while_waiting())

    async def _flush_while_waiting(self) -> None:
        while self._results:
            await self._flush()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called (read anew after each await)."""
        return self._stopping

    def _done(self, item_id: int, _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(item_id, None)
        self._slots.release()

    async def drain(self) -> None:
        """Wait for the platform calls in flight, then write their outcomes."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)
        if self._flusher is not None:
            await self._flusher
        await self._flush()

    async def _flush(self) -> None:
        results, self._results = self._results, []
        if results:
            async with self.db.transaction() as tx:
                await self._write(tx, results)

    def _note_retry(self, seconds: float) -> None:
        self._retry_in = seconds if self._retry_in is None else min(self._retry_in, seconds)

    async def _prepare(self, tx: aiosqlite.Connection, item: OutboxItem, user: User | None) -> Reply | None:
        """Decide whether the row goes out and render it (None: it was closed for good)."""
        now = self.clock.now()
        if item.expires_at is not None and item.expires_at <= now:
            await outbox.mark_final(tx, item.id, "expired")
            return None
        if user is not None and not user.reachable:
            await outbox.mark_final(tx, item.id, "unreachable", "the person cannot be reached")
            return None
        try:
            reply = await self._render(tx, item, user)
        except Exception:  # a renderer's bug must not stop the other rows
            log.exception("outbox row %s could not be rendered", item.id)
            await outbox.mark_final(tx, item.id, "failed", "could not be rendered")
            return None
        if reply is None:
            await outbox.mark_final(tx, item.id, "cancelled", "no longer relevant")
        return reply

    async def _render(self, tx: aiosqlite.Connection, item: OutboxItem, user: User | None) -> Reply | None:
        language = language_for(user.language if user else None, self.settings.default_language)
        with use_language(language.code):
            kind = self.registry.message_kinds.get(item.kind)
            if kind is None:
                return plain_reply(item)
            return await kind.render(Delivery(tx, item, user, self.settings, self.clock.now()))

    async def _deliver(self, item: OutboxItem, reply: Reply) -> None:
        try:
            message_id = await self.senders[item.channel].send(item.chat_id, reply)
        except RetryLater as exc:
            self.limiter.pause(exc.seconds, f"{item.channel}:{item.chat_id}")
            result = _Result(item, "retry", str(exc), retry_at=self._after(exc.seconds))
        except Unreachable as exc:
            result = _Result(item, "unreachable", str(exc))
        except DeliveryUncertain as exc:
            result = _Result(item, "interrupted", f"no answer, may have arrived: {exc}")
        except TransientError as exc:
            if item.attempts + 1 >= MAX_ATTEMPTS:
                result = _Result(item, "failed", str(exc))
            else:
                result = _Result(item, "retry", str(exc), retry_at=self._after(2.0 ** (item.attempts + 1)))
        except Exception as exc:  # an unexpected answer: record it, don't loop on it
            log.exception("outbox row %s could not be sent", item.id)
            result = _Result(item, "failed", type(exc).__name__)
        else:
            result = _Result(item, "sent", message_id=message_id)
        self._record(result)

    def _after(self, seconds: float) -> datetime:
        return self.clock.now() + timedelta(seconds=seconds)

    async def _write(self, tx: aiosqlite.Connection, results: list[_Result]) -> None:
        now = self.clock.now()
        await outbox.mark_sent_many(tx, [(r.item.id, r.message_id) for r in results if r.status == "sent"], now)
        for r in results:
            if r.status == "retry":
                retry_at = r.retry_at or now
                await outbox.retry_later(tx, r.item.id, retry_at, r.error)
                self._note_retry(max(0.0, (retry_at - now).total_seconds()))
            elif r.status != "sent":
                await outbox.mark_final(tx, r.item.id, r.status, r.error)
                if r.status == "unreachable":
                    await users.mark_unreachable(tx, r.item.channel, r.item.chat_id, now)

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
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), FALLBACK_POLL_SECONDS)
        finally:
            await self.drain()
            self.scheduler.shutdown()

    def stop(self) -> None:
        """Stop taking rows; the calls in flight finish (see ``run_forever``)."""
        self._stopping = True
        self._wake.set()
