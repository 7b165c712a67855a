"""One rate limiter for every proactive message: overall rate and per-chat spacing.

Telegram allows about 30 messages/s in bulk and about 1 message/s to one chat.
python-telegram-bot's AIORateLimiter has no per-private-chat limit, so the
outbox limits itself here. Time comes from an injectable monotonic function
and waiting from an injectable sleep, so tests need no real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        per_chat_interval: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.interval = 1.0 / per_second
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot = 0.0
        self._chat_next: dict[str, float] = {}
        self._paused_until = 0.0

    def chat_ready_in(self, chat_key: str) -> float:
        """Seconds until this chat may get another message (0 when it may now)."""
        return max(0.0, self._chat_next.get(chat_key, 0.0) - self._monotonic())

    def pause(self, seconds: float) -> None:
        """Hold every send for a while (Telegram answered 429 with retry_after)."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    async def acquire(self, chat_key: str) -> None:
        """Wait for a slot in the overall rate and for this chat's spacing."""
        while True:
            now = self._monotonic()
            start = max(now, self._next_slot, self._paused_until, self._chat_next.get(chat_key, 0.0))
            if start <= now:
                break
            await self._sleep(start - now)
        self._next_slot = max(now, self._next_slot) + self.interval
        self._chat_next[chat_key] = now + self.per_chat_interval
        if len(self._chat_next) > 10_000:
            self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
