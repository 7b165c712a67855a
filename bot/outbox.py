"""The one sending path for proactive messages (staff notices, and later
reminders, broadcasts and surveys): rows in the SQLite outbox, sent by one
worker through one rate limiter.

Errors a channel's sender may raise, and what the worker does:

    DeliveryError
    ├── RetryLater(seconds)   429 / flood control: pause everything, retry the row
    ├── TransientError        network trouble: retry with back-off, then give up
    └── Unreachable           the person blocked the bot: mark them, never retry
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Protocol

from bot.clock import Clock
from bot.ratelimit import RateLimiter
from storage import Database, outbox, users
from storage.outbox import OutboxItem

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50


class DeliveryError(Exception):
    pass


class RetryLater(DeliveryError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class TransientError(DeliveryError):
    pass


class Unreachable(DeliveryError):
    pass


class ChannelSender(Protocol):
    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Deliver one outbox payload or raise a DeliveryError."""
        ...


class OutboxWorker:
    def __init__(self, db: Database, clock: Clock, senders: dict[str, ChannelSender], limiter: RateLimiter) -> None:
        self.db = db
        self.clock = clock
        self.senders = senders
        self.limiter = limiter
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def recover(self) -> int:
        """Rows a crash left half-sent go back to the queue (at-least-once)."""
        async with self.db.transaction() as tx:
            return await outbox.release_interrupted(tx)

    async def run_once(self) -> int:
        """Send every row that is due now; return how many were attempted."""
        attempted = 0
        while not self._stopping:
            async with self.db.transaction() as tx:
                items = await outbox.claim_due(tx, list(self.senders), self.clock.now(), BATCH)
            if not items:
                break
            for item in items:
                await self._deliver(item)
                attempted += 1
        return attempted

    async def _deliver(self, item: OutboxItem) -> None:
        await self.limiter.acquire(f"{item.channel}:{item.chat_id}")
        try:
            await self.senders[item.channel].send(item.chat_id, item.payload)
        except RetryLater as exc:
            self.limiter.pause(exc.seconds)
            await self._finish(item, "retry", str(exc), delay=exc.seconds)
        except Unreachable as exc:
            await self._finish(item, "unreachable", str(exc))
        except TransientError as exc:
            if item.attempts >= MAX_ATTEMPTS:
                await self._finish(item, "failed", str(exc))
            else:
                await self._finish(item, "retry", str(exc), delay=2.0 ** item.attempts)
        except Exception as exc:  # a bug or an unexpected answer: keep the row, don't loop on it
            log.exception("outbox row %s could not be sent", item.id)
            await self._finish(item, "failed", type(exc).__name__)
        else:
            await self._finish(item, "sent", "")

    async def _finish(self, item: OutboxItem, result: str, error: str, delay: float = 0.0) -> None:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if result == "sent":
                await outbox.mark_sent(tx, item.id, now)
            elif result == "retry":
                await outbox.retry_later(tx, item.id, now + timedelta(seconds=delay), error)
            else:
                await outbox.mark_failed(tx, item.id, result, error)
                if result == "unreachable":
                    await users.mark_unreachable(tx, item.channel, item.chat_id, now)

    async def run_forever(self, poll_seconds: float = 1.0) -> None:
        await self.recover()
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox worker round failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), poll_seconds)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
