"""The sender at 1,000 messages/s: rows prepared and outcomes written in batches, at most once
through a kill, a 429 pausing everything, 403s marking people, one-off rows before bulk ones."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.messages import Reply
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import InFlight, OutboxWorker, RetryLater, Unreachable
from bot.runtime import Runtime
from storage import outbox, users
from tests.support.outbox import FakeSender
from tests.support.training import InstantTicks


class YieldingTicks(InstantTicks):
    """Instant time whose sleeps still let the calls in flight answer, as real sleeps do."""

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class TimedSender(FakeSender):
    """Records the limiter's time of every call."""

    def __init__(self, ticks: InstantTicks) -> None:
        super().__init__()
        self.ticks = ticks
        self.called_at: list[tuple[str, float]] = []

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.called_at.append((chat_id, self.ticks.now))
        await asyncio.sleep(0)  # the answer comes back a moment later, over the network
        return await super().send(chat_id, reply)


def fast_worker(runtime: Runtime, sender: FakeSender, ticks: InstantTicks, concurrency: int = 250) -> OutboxWorker:
    limiter = RateLimiter(1000.0, 1.0, monotonic=ticks.monotonic, sleep=ticks.sleep)
    return OutboxWorker(
        runtime.db,
        runtime.clock,
        runtime.settings,
        runtime.engine.registry,
        {"telegram": sender},
        limiter,
        concurrency=concurrency,
    )


async def _queue(runtime: Runtime, count: int, first: int = 0, bulk: bool = False, user_ids: bool = False) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        for n in range(first, first + count):
            user_id = None
            if user_ids:
                user, _ = await users.get_or_create(tx, "telegram", str(n), str(n), None, now)
                user_id = user.id
            await outbox.enqueue(
                tx,
                channel="telegram",
                chat_id=str(n),
                user_id=user_id,
                kind="staff_notice",
                payload={"text": f"hello {n}"},
                now=now,
                bulk=bulk,
            )


async def _counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.db.reading() as conn:
        return await outbox.counts(conn)


def count_commits(runtime: Runtime) -> list[int]:
    """Counts the write transactions the database runs from now on."""
    commits = [0]
    opened = runtime.db.transaction

    @contextlib.asynccontextmanager
    async def counted(background: bool = False) -> AsyncIterator[object]:
        async with opened(background) as tx:
            yield tx
        commits[0] += 1

    runtime.db.transaction = counted  # type: ignore[method-assign]
    return commits


async def test_rows_and_outcomes_are_written_in_batches(runtime: Runtime) -> None:
    await _queue(runtime, 200, user_ids=True)
    ticks = YieldingTicks()
    sender = TimedSender(ticks)
    for n in (3, 77, 150):
        sender.errors[str(n)] = [Unreachable("Forbidden: bot was blocked by the user")]
    worker = fast_worker(runtime, sender, ticks)
    commits = count_commits(runtime)
    assert await worker.run_once() == 200
    assert sorted(int(c) for c, _t in sender.sent) == [n for n in range(200) if n not in (3, 77, 150)]
    assert await _counts(runtime) == {"sent": 197, "unreachable": 3}
    # 50 rows a group at 1,000/s: four groups, each marked in one commit with the outcomes so far
    assert commits[0] <= 8
    async with runtime.db.reading() as conn:
        assert [n for n in range(200) if not (await users.find(conn, "telegram", str(n))).reachable] == [3, 77, 150]


async def test_a_429_pauses_every_send_until_the_moment_named(runtime: Runtime) -> None:
    await _queue(runtime, 120)
    ticks = YieldingTicks()
    sender = TimedSender(ticks)
    sender.errors["10"] = [RetryLater(5)]
    worker = fast_worker(runtime, sender, ticks)
    await worker.run_once()
    answered = next(at for chat, at in sender.called_at if chat == "10")
    after = [at for chat, at in sender.called_at if at > answered + 0.01]
    assert after and min(after) >= answered + 5  # nothing went out during the pause
    assert worker.limiter.paused_seconds >= 5
    assert await _counts(runtime) == {"sent": 119, "pending": 1}  # the answered row is due when the pause ends
    runtime.clock.advance(timedelta(seconds=6))
    await worker.run_once()
    assert await _counts(runtime) == {"sent": 120}


class _Killed(Exception):
    """The process dies here."""


async def test_a_kill_in_a_pause_begun_mid_group_sends_nothing_twice_and_cuts_nothing_off(runtime: Runtime) -> None:
    await _queue(runtime, 40)
    ticks = YieldingTicks()
    sender = TimedSender(ticks)
    sender.errors["2"] = [RetryLater(30)]
    worker = fast_worker(runtime, sender, ticks)

    async def die_in_the_pause(seconds: float) -> None:
        if seconds > 1:
            while worker._in_flight:
                await asyncio.sleep(0)
            await asyncio.sleep(0.05)  # the outcomes of the calls answered meanwhile are written
            raise _Killed
        await YieldingTicks.sleep(ticks, seconds)

    worker.limiter._sleep = die_in_the_pause
    with pytest.raises(_Killed):
        await worker.run_once()
    sent_before = len(sender.sent)
    assert 0 < sent_before < 40  # the group of 40 was cut by the pause
    restarted = fast_worker(runtime, sender, YieldingTicks())
    assert await restarted.recover() == 0  # the rows of the group not yet called were given back
    assert await _counts(runtime) == {"sent": sent_before, "pending": 40 - sent_before}
    runtime.clock.advance(timedelta(seconds=31))
    await restarted.run_once()
    assert await _counts(runtime) == {"sent": 40}
    assert sorted(c for c, _t in sender.sent) == sorted(str(n) for n in range(40))  # each exactly once


async def test_one_off_rows_go_before_a_broadcast_queued_earlier(runtime: Runtime) -> None:
    await _queue(runtime, 60, first=1000, bulk=True)
    await _queue(runtime, 3, first=1)
    ticks = YieldingTicks()
    sender = TimedSender(ticks)
    await fast_worker(runtime, sender, ticks).run_once()
    order = [chat for chat, _t in sender.called_at]
    assert order[:3] == ["1", "2", "3"] and len(order) == 63


def test_calls_in_flight_follow_the_rate_and_the_measured_latency() -> None:
    window = InFlight(1000.0, 250)
    for _ in range(200):
        window.measured(0.04)
    assert 180 <= window.limit <= 185  # 1,000/s x 40 ms, twice over, and two groups of 50
    for _ in range(200):
        window.measured(1.0)
    assert window.limit == 250  # never above the ceiling (the HTTP pool is for replies too)
    slow = InFlight(25.0, 250)
    for _ in range(200):
        slow.measured(0.01)
    assert slow.limit == 8  # never below a few (25/s x 10 ms x 2 + two groups of 2)
    assert InFlight(float("inf"), 64).limit == 64
