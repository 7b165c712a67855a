"""The rate limiter: overall pace, per-chat spacing, and 429 pauses that never end early."""

from __future__ import annotations

import math

from bot.outbox.ratelimit import RateLimiter
from tests.support.training import InstantTicks


def _limiter(per_second: float, per_chat: float = 1.0) -> tuple[RateLimiter, InstantTicks]:
    ticks = InstantTicks()
    return RateLimiter(per_second, per_chat, monotonic=ticks.monotonic, sleep=ticks.sleep), ticks


async def test_slots_follow_the_configured_rate() -> None:
    limiter, ticks = _limiter(25)
    for n in range(100):
        await limiter.acquire(f"c{n}")
    assert 3.9 <= ticks.now <= 4.0  # 100 messages at 25/s


async def test_a_pause_is_never_released_early() -> None:
    limiter, ticks = _limiter(100)
    limiter.pause(5)
    limiter.pause(1)  # a shorter pause asked later does not shorten the first
    assert limiter.next_slot_in() == 5
    await limiter.acquire("a")
    assert ticks.now >= 5
    assert limiter.paused_seconds == 5


async def test_overlapping_pauses_extend_and_are_counted_once() -> None:
    limiter, ticks = _limiter(100)
    limiter.pause(2)
    ticks.now += 1
    limiter.pause(3)  # until 4
    assert limiter.paused_seconds == 4
    await limiter.acquire("a")
    assert ticks.now == 4


async def test_no_burst_after_a_pause() -> None:
    limiter, ticks = _limiter(10)
    limiter.pause(3)
    starts = []
    for n in range(10):
        await limiter.acquire(f"c{n}")
        starts.append(ticks.now)
    assert starts[0] >= 3 and starts.count(starts[0]) == 1  # the slots of the pause are not caught up
    assert starts[-1] - starts[0] >= 0.89  # still ten a second, not all at once


async def test_each_chat_is_spaced_and_a_paused_chat_waits() -> None:
    limiter, ticks = _limiter(1000, per_chat=1.0)
    await limiter.acquire("a")
    assert limiter.chat_ready_in("a") == 1.0 and limiter.chat_ready_in("b") == 0
    limiter.pause(7, "b")
    assert limiter.chat_ready_in("b") == 7
    await limiter.acquire("a")
    assert ticks.now >= 7


async def test_a_message_answered_429_does_not_hold_its_chat_s_spacing() -> None:
    limiter, ticks = _limiter(1000, per_chat=1.0)
    await limiter.acquire("a")
    called_at = ticks.now
    ticks.now += 0.01  # the 429 answer arrives
    limiter.pause(0.05, "a", called_at)
    assert math.isclose(limiter.chat_ready_in("a"), 0.05)  # as Telegram said, not a second after the call
    limiter.pause(0.05, "b", called_at=ticks.now)  # a chat without calls: the pause alone
    assert math.isclose(limiter.chat_ready_in("b"), 0.05)


async def test_a_later_call_to_the_chat_keeps_its_spacing_after_a_429() -> None:
    limiter, ticks = _limiter(1000, per_chat=1.0)
    await limiter.acquire("a")
    called_at = ticks.now
    ticks.now += 1.5
    await limiter.acquire("a")  # a newer message to the chat went while the first call hung
    limiter.pause(0.05, "a", called_at)  # then the first one's 429 arrives
    assert math.isclose(limiter.chat_ready_in("a"), 1.0)  # the newer call's spacing holds
    limiter.pause(0.05, "a")  # without the call's time: at least the pause, never less than the spacing
    assert math.isclose(limiter.chat_ready_in("a"), 1.0)


async def test_the_limit_can_be_switched_off() -> None:
    limiter, ticks = _limiter(math.inf, per_chat=0)
    for n in range(1000):
        await limiter.acquire(str(n))
    assert ticks.now == 0 and limiter.next_slot_in() == 0


async def test_a_late_caller_catches_up_a_little_but_never_bursts() -> None:
    limiter, ticks = _limiter(10)
    await limiter.acquire("c0")
    ticks.now += 2.0  # the caller was busy for two seconds
    starts = []
    for n in range(1, 21):
        await limiter.acquire(f"c{n}")
        starts.append(ticks.now)
    assert starts.count(2.0) == 2  # the one missed slot of the last 0.1 s, and the current one
    in_first_second = [t for t in starts if t < 3.0]
    assert len(in_first_second) <= 10 * 1.1 + 1
