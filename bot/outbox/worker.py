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
import math
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
BATCH = 200  # due rows read at once
GROUP_MAX = 64  # rows rendered and marked in one transaction at most
GROUP_SECONDS = 0.05  # a group holds the rows the rate allows in this long (50 at 1,000/s)
FLUSH_AFTER = 0.05  # outcomes are written before a wait longer than this
RELEASE_AFTER = 0.25  # a wait this long in the middle of a group gives its rows not yet called back
MIN_IN_FLIGHT = 8
IN_FLIGHT_HEADROOM = 2.0  # calls in flight: rate x latency x this (answers vary)
FIRST_LATENCY_GUESS = 0.05  # seconds, until calls have been measured
LATENCY_WEIGHT = 0.05  # of each new call in the moving average
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


class InFlight:
    """How many rows may be on their way at once (taken for a group, rendered, called): the
    configured rate times the time a row measurably spends on its way (preparing its group,
    waiting for its slot, the call), with room to spare, between ``MIN_IN_FLIGHT`` and the
    worker's ``concurrency``.

    At 1,000 messages/s with a row taking 40 ms from its group's start to the answer, 40 are
    on their way on average: fewer and the rate cannot be reached, many more only hold HTTP
    connections that replies to conversations need (and widen what a kill cuts off).
    """

    def __init__(self, per_second: float, ceiling: int) -> None:
        self.per_second = per_second
        self.ceiling = max(1, ceiling)
        self.latency = FIRST_LATENCY_GUESS
        self.taken = 0
        self._freed = asyncio.Event()

    @property
    def limit(self) -> int:
        if math.isinf(self.per_second):
            return self.ceiling
        # rate x latency, twice over, plus the two groups that are taken but not yet all called
        # (the one starting its calls and the next one being prepared meanwhile)
        groups = 2 * min(GROUP_MAX, math.ceil(self.per_second * GROUP_SECONDS))
        wanted = math.ceil(self.per_second * self.latency * IN_FLIGHT_HEADROOM) + groups + 1
        return max(min(MIN_IN_FLIGHT, self.ceiling), min(self.ceiling, wanted))

    @property
    def free(self) -> int:
        return max(0, self.limit - self.taken)

    def take(self, count: int) -> None:
        self.taken += count

    def give_back(self, count: int = 1) -> None:
        self.taken -= count
        self._freed.set()

    def measured(self, seconds: float) -> None:
        """One call's round trip: a moving average, so a slow spell widens the window soon."""
        self.latency += LATENCY_WEIGHT * (seconds - self.latency)

    async def wait_free(self) -> None:
        while self.free == 0:
            self._freed.clear()
            await self._freed.wait()


class OutboxWorker:
    """Sends due rows at the limiter's pace, up to ``concurrency`` calls at a time.

    Rows go out in small groups: as many as the rate allows in the next ``GROUP_SECONDS``
    and the calls in flight leave room for. A group is rendered and marked ``sending`` in
    one commit, together with the outcomes so far; its calls then start one by one as the
    limiter gives slots, and no transaction is open during any of them. If a long wait
    comes up in the middle of a group (a 429 pause, a stop), the rows not yet called are
    given back (pending again) in the next commit. Outcomes are written in batches, with
    the next group or before the worker waits longer than ``FLUSH_AFTER``: a row whose
    call ended but whose outcome was not written when the process died is still
    ``sending`` and becomes ``interrupted``, never sent twice. So a kill cuts off at most
    the calls in flight and the rows of the group being started.
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
        self.in_flight = InFlight(limiter.per_second, concurrency)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._results: list[_Result] = []
        self._released: list[int] = []
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
        async with self.db.transaction(background=True) as tx:
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
            async with self.db.reading(background=True) as conn:
                items = await outbox.due(conn, channels, self.clock.now(), BATCH, self._in_flight)
            taken = await self._send_all(self._ready(items))
            attempted += taken
            if taken == 0:
                break
        await self.drain()
        return attempted

    async def _send_all(self, ready: list[OutboxItem]) -> int:
        """Send these rows group by group; the next group is prepared while the calls of the
        one before start. Returns how many calls started."""
        started = 0
        starting: asyncio.Task[tuple[int, bool]] | None = None
        try:
            while ready and not self.stopping:
                if starting is None:
                    await self._wait_for_turn()
                elif self.in_flight.free == 0:
                    await self._wait_for(self.in_flight.wait_free(), False)
                if self.stop_asked():  # stop() may have come during the wait
                    break
                size = max(1, min(len(ready), self.in_flight.free, self._group_size()))
                group, ready = ready[:size], ready[size:]
                self.in_flight.take(len(group))
                taken_at = self.limiter.now()
                prepared = await self._prepare_group(group)
                if starting is not None:
                    count, complete = await starting
                    starting, started = None, started + count
                    if not complete:  # a pause or a stop came up: give this group back too
                        self._give_back(prepared)
                        break
                starting = asyncio.create_task(self._start_calls(prepared, taken_at))
            if starting is not None:
                count, complete = await starting
                starting, started = None, started + count
        finally:
            if starting is not None:  # cancelled (the process is going): no more calls start
                starting.cancel()
        if self._released:  # read again after the pause, with what was given back pending again
            await self._flush()
        return started

    def _ready(self, items: list[OutboxItem]) -> list[OutboxItem]:
        """The rows that may go now: one per chat, and none to a chat that had one a moment ago."""
        ready, chats = [], set()
        for item in items:
            chat_key = f"{item.channel}:{item.chat_id}"
            wait = self.limiter.chat_ready_in(chat_key)
            if chat_key in chats:
                wait = max(wait, self.limiter.per_chat_interval)
            if wait > 0:  # this chat had a message a moment ago: others go first
                self._note_retry(wait)
                continue
            chats.add(chat_key)
            ready.append(item)
        return ready

    def _group_size(self) -> int:
        per_second = self.limiter.per_second
        if math.isinf(per_second):
            return GROUP_MAX
        return max(1, min(GROUP_MAX, math.ceil(per_second * GROUP_SECONDS)))

    async def _wait_for_turn(self) -> None:
        """Until the next rate slot is close and a call may start, outcomes written if that is long."""
        ahead = self.limiter.next_slot_in()
        if ahead > GROUP_SECONDS:
            await self._wait_for(self.limiter.wait_until(GROUP_SECONDS), ahead > FLUSH_AFTER)
        if self.in_flight.free == 0:
            await self._wait_for(self.in_flight.wait_free(), False)

    async def _start_calls(self, prepared: list[tuple[OutboxItem, Reply]], taken_at: float) -> tuple[int, bool]:
        """Start each call at its rate slot; returns how many started and whether all did (a
        wait longer than ``RELEASE_AFTER`` gives the rest back instead)."""
        for n, (item, reply) in enumerate(prepared):
            if self.stopping or not await self.limiter.acquire_within(f"{item.channel}:{item.chat_id}", RELEASE_AFTER):
                self._give_back(prepared[n:])
                return n, False
            task = asyncio.create_task(self._deliver(item, reply, taken_at, self.limiter.now()))
            self._in_flight[item.id] = task
            task.add_done_callback(functools.partial(self._done, item.id))
        return len(prepared), True

    def _give_back(self, rows: list[tuple[OutboxItem, Reply]]) -> None:
        """Rows marked for sending whose calls will not start now: pending again at the next commit."""
        self._released += [item.id for item, _reply in rows]
        self.in_flight.give_back(len(rows))

    async def _prepare_group(self, group: list[OutboxItem]) -> list[tuple[OutboxItem, Reply]]:
        """One commit: the outcomes so far, rows given back, and the group rendered and marked."""
        results, self._results = self._results, []
        released, self._released = self._released, []
        async with self.db.transaction(background=True) as tx:
            await self._write(tx, results)
            await outbox.release(tx, released)
            people = await outbox.recipients(tx, [i.user_id for i in group if i.user_id is not None])
            memo: dict[object, object] = {}
            prepared = [
                (item, await self._prepare(tx, item, people.get(item.user_id or 0), group, memo)) for item in group
            ]
            taken = await outbox.mark_sending_many(tx, [item.id for item, reply in prepared if reply is not None])
        going = [(item, reply) for item, reply in prepared if reply is not None and item.id in taken]
        self.in_flight.give_back(len(group) - len(going))
        return going

    async def _wait_for(self, wait: Awaitable[object], long: bool) -> None:
        """Wait for a slot, a free call or the end of a pause. A long wait writes every outcome
        first and the ones that come meanwhile as they come; a short one that drags on, after
        ``FLUSH_AFTER``. A kill during a wait then cuts off nothing but the calls in flight."""
        waiting = asyncio.ensure_future(wait)
        try:
            if not long:
                done, _pending = await asyncio.wait({waiting}, timeout=FLUSH_AFTER)
                if done:
                    waiting.result()
                    return
            self._waiting = True  # a pause may begin while waiting: what is answered then is written then
            try:
                await self._flush()
                await waiting
            finally:
                self._waiting = False
        finally:
            if not waiting.done():
                waiting.cancel()
        if self._flusher is not None:
            await self._flusher

    def _record(self, result: _Result) -> None:
        self._results.append(result)
        if self._waiting and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush_while_waiting())

    async def _flush_while_waiting(self) -> None:
        while self._results:
            await self._flush()

    def stop_asked(self) -> bool:
        return self._stopping

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called (read anew after each await)."""
        return self._stopping

    def _done(self, item_id: int, _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(item_id, None)
        self.in_flight.give_back()

    async def drain(self) -> None:
        """Wait for the platform calls in flight, then write their outcomes."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)
        if self._flusher is not None:
            await self._flusher
        await self._flush()

    async def _flush(self) -> None:
        results, self._results = self._results, []
        released, self._released = self._released, []
        if results or released:
            async with self.db.transaction(background=True) as tx:
                await self._write(tx, results)
                await outbox.release(tx, released)

    def _note_retry(self, seconds: float) -> None:
        self._retry_in = seconds if self._retry_in is None else min(self._retry_in, seconds)

    async def _prepare(
        self,
        tx: aiosqlite.Connection,
        item: OutboxItem,
        user: User | None,
        group: list[OutboxItem],
        memo: dict[object, object],
    ) -> Reply | None:
        """Decide whether the row goes out and render it (None: it was closed for good)."""
        now = self.clock.now()
        if item.expires_at is not None and item.expires_at <= now:
            await outbox.mark_final(tx, item.id, "expired")
            return None
        if user is not None and not user.reachable:
            await outbox.mark_final(tx, item.id, "unreachable", "the person cannot be reached")
            return None
        try:
            reply = await self._render(tx, item, user, group, memo)
        except Exception:  # a renderer's bug must not stop the other rows
            log.exception("outbox row %s could not be rendered", item.id)
            await outbox.mark_final(tx, item.id, "failed", "could not be rendered")
            return None
        if reply is None:
            await outbox.mark_final(tx, item.id, "cancelled", "no longer relevant")
        return reply

    async def _render(
        self,
        tx: aiosqlite.Connection,
        item: OutboxItem,
        user: User | None,
        group: list[OutboxItem],
        memo: dict[object, object],
    ) -> Reply | None:
        language = language_for(user.language if user else None, self.settings.default_language)
        with use_language(language.code):
            kind = self.registry.message_kinds.get(item.kind)
            if kind is None:
                return plain_reply(item)
            return await kind.render(Delivery(tx, item, user, self.settings, self.clock.now(), group, memo))

    async def _deliver(self, item: OutboxItem, reply: Reply, taken_at: float, called_at: float) -> None:
        """One platform call; ``taken_at``: when its group started, ``called_at``: when its slot came."""
        try:
            message_id = await self.senders[item.channel].send(item.chat_id, reply)
        except RetryLater as exc:
            self.limiter.pause(exc.seconds, f"{item.channel}:{item.chat_id}", called_at)
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
        self.in_flight.measured(self.limiter.now() - taken_at)
        self._record(result)

    def _after(self, seconds: float) -> datetime:
        return self.clock.now() + timedelta(seconds=seconds)

    async def _write(self, tx: aiosqlite.Connection, results: list[_Result]) -> None:
        """Outcomes in a few statement batches (one trip to the database each), not one per row."""
        if not results:
            return
        now = self.clock.now()
        await outbox.mark_sent_many(tx, [(r.item.id, r.message_id) for r in results if r.status == "sent"], now)
        retries = [(r.item.id, r.retry_at or now, r.error) for r in results if r.status == "retry"]
        await outbox.retry_later_many(tx, retries)
        for _id, retry_at, _error in retries:
            self._note_retry(max(0.0, (retry_at - now).total_seconds()))
        final = [(r.item.id, r.status, r.error) for r in results if r.status not in ("sent", "retry")]
        await outbox.mark_final_many(tx, final)
        gone = [(r.item.channel, r.item.chat_id) for r in results if r.status == "unreachable"]
        await users.mark_unreachable_many(tx, gone, now)

    async def arm(self) -> None:
        """Point the scheduler at the next due row (or the next moment a busy chat frees up)."""
        async with self.db.reading(background=True) as conn:
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
