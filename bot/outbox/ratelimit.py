"""One rate limiter for every proactive message: overall rate and per-chat spacing.

Telegram allows about 30 messages/s in bulk and about 1 message/s to one chat.
python-telegram-bot's AIORateLimiter has no per-private-chat limit, so the
outbox limits itself here. Time comes from an injectable monotonic function
and waiting from an injectable sleep, so tests need no real time.

A 429 answer pauses everything until the moment Telegram named. Pauses only
ever extend: a shorter pause asked later, or a request finishing meanwhile,
never ends a longer one early (python-telegram-bot 22.8's AIORateLimiter can
release a pause early: upstream issue 5338). Slots lie on a fixed grid of
``1 / per_second``. A caller woken late (a busy event loop) may still use the
slots it missed in the last ``CATCH_UP`` seconds, so the configured rate is
kept under load; after an idle spell at most that many seconds' worth go
out at once, after a pause none, and no one-second window carries more than
``per_second * (1 + CATCH_UP) + 1`` messages.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

CATCH_UP = 0.1  # seconds of missed slots a late caller may still use


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        per_chat_interval: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``per_second=math.inf`` switches the overall limit off (benchmarks measure the sender's own ceiling)."""
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.per_second = per_second
        self.interval = 0.0 if math.isinf(per_second) else 1.0 / per_second
        self.catch_up = max(self.interval, CATCH_UP)
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot = 0.0
        self._chat_next: dict[str, float] = {}
        self._paused_until = 0.0
        self.paused_seconds = 0.0  # total time paused by 429 answers, for reports

    def now(self) -> float:
        """The limiter's own monotonic time (injectable: tests jump it instead of sleeping)."""
        return self._monotonic()

    def chat_ready_in(self, chat_key: str) -> float:
        """Seconds until this chat may get another message (0 when it may now)."""
        return max(0.0, self._chat_next.get(chat_key, 0.0) - self._monotonic())

    def next_slot_in(self) -> float:
        """Seconds until the next overall slot (or the end of a pause): 0 when one is free now."""
        return max(0.0, max(self._next_slot, self._paused_until) - self._monotonic())

    async def wait_until(self, ahead: float) -> None:
        """Wait until the next slot (or the end of a pause) is at most ``ahead`` seconds away."""
        while (wait := self.next_slot_in() - ahead) > 1e-6:  # (a float below that never adds up)
            await self._sleep(wait)

    def pause(self, seconds: float, chat_key: str | None = None, called_at: float | None = None) -> None:
        """Hold every send for ``seconds`` (Telegram answered 429 with retry_after).

        Never shortens a pause already running. With ``chat_key`` that chat waits at
        least as long. With ``called_at`` too (when the call answered 429 started, on
        this limiter's clock) and no later call to that chat since, the chat waits
        exactly that long: the message was not delivered, so the spacing its call took
        no longer holds (the last message delivered to the chat went at least the spacing
        before the call), and Telegram says the request may be repeated after retry_after.
        """
        now = self._monotonic()
        until = now + max(0.0, seconds)
        if until > self._paused_until:
            self.paused_seconds += until - max(now, self._paused_until)
            self._paused_until = until
            self._next_slot = max(self._next_slot, until)  # slots of a pause are lost, not caught up
        if chat_key is not None:
            spaced_until = self._chat_next.get(chat_key, 0.0)
            latest_call = spaced_until - self.per_chat_interval
            if called_at is not None and latest_call <= called_at:  # this call was the chat's latest
                self._chat_next[chat_key] = until
            else:
                self._chat_next[chat_key] = max(spaced_until, until)

    async def acquire(self, chat_key: str) -> None:
        """Wait for a slot in the overall rate, the end of any pause, and this chat's spacing."""
        await self.acquire_within(chat_key, math.inf)

    async def acquire_within(self, chat_key: str, longest: float) -> bool:
        """Like :meth:`acquire`, but False instead of waiting longer than ``longest`` seconds
        (a pause that began meanwhile): the caller gives its rows back rather than hold them."""
        while True:
            now = self._monotonic()
            start = max(now, self._next_slot, self._paused_until, self._chat_next.get(chat_key, 0.0))
            if start <= now:
                break
            if start - now > longest:
                return False
            await self._sleep(start - now)
        self._next_slot = max(now - self.catch_up, self._next_slot) + self.interval
        self._chat_next[chat_key] = now + self.per_chat_interval
        if len(self._chat_next) > 10_000:
            self._forget_old(now)
        return True

    def _forget_old(self, now: float) -> None:
        self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
