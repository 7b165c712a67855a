"""The outbox worker: one sending path, rate-limited, at most once, never stuck."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.messages import Reply
from bot.outbox.worker import RetryLater, TransientError, Unreachable
from bot.runtime import Runtime
from storage import outbox, users
from tests.support.outbox import FakeSender, worker_for


async def _queue(runtime: Runtime, chat_id: str, text: str, **extra) -> int:
    async with runtime.db.transaction() as tx:
        return await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id=chat_id,
            user_id=extra.pop("user_id", None),
            kind="staff_notice",
            payload={"text": text},
            now=runtime.clock.now(),
            **extra,
        )


async def _counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.db.reading() as conn:
        return await outbox.counts(conn)


async def test_sends_each_row_once(runtime: Runtime) -> None:
    sender = FakeSender()
    worker, _ = worker_for(runtime, sender)
    for n in range(5):
        await _queue(runtime, str(n), f"hello {n}")
    assert await worker.run_once() == 5
    assert await worker.run_once() == 0
    assert sorted(sender.sent) == [(str(n), f"hello {n}") for n in range(5)]
    assert await _counts(runtime) == {"sent": 5}


async def test_rate_limit_spaces_sends(runtime: Runtime) -> None:
    sender = FakeSender()
    worker, ticks = worker_for(runtime, sender, per_second=10)
    for n in range(20):
        await _queue(runtime, str(n), "x")
    await worker.run_once()
    assert len(sender.sent) == 20
    assert 1.8 <= ticks.now <= 2.1  # 20 messages at 10/s


async def test_one_chat_gets_at_most_one_message_a_second(runtime: Runtime) -> None:
    sender = FakeSender()
    worker, ticks = worker_for(runtime, sender)
    await _queue(runtime, "7", "first")
    await _queue(runtime, "7", "second")
    await _queue(runtime, "8", "other")
    await worker.run_once()
    assert [t for c, t in sender.sent] == ["first", "other"]  # the second waits for its chat
    ticks.now += 1.0
    await worker.run_once()
    assert [t for c, t in sender.sent] == ["first", "other", "second"]


async def test_retry_after_and_transient_errors_retry_later(runtime: Runtime) -> None:
    sender = FakeSender()
    sender.errors["1"] = [RetryLater(3)]
    sender.errors["2"] = [TransientError("timeout")]
    worker, ticks = worker_for(runtime, sender)
    await _queue(runtime, "1", "a")
    await _queue(runtime, "2", "b")
    await worker.run_once()
    assert sender.sent == []
    assert await _counts(runtime) == {"pending": 2}
    runtime.clock.advance(timedelta(seconds=5))
    ticks.now += 5
    await worker.run_once()
    assert sorted(sender.sent) == [("1", "a"), ("2", "b")]


async def test_blocked_user_is_marked_and_others_still_get_theirs(runtime: Runtime) -> None:
    sender = FakeSender()
    async with runtime.db.transaction() as tx:
        blocked, _ = await users.get_or_create(tx, "telegram", "66", "66", None, runtime.clock.now())
    sender.errors["66"] = [Unreachable("Forbidden: bot was blocked by the user")]
    worker, ticks = worker_for(runtime, sender)
    await _queue(runtime, "66", "x", user_id=blocked.id)
    await _queue(runtime, "67", "y")
    await worker.run_once()
    assert sender.sent == [("67", "y")]
    ticks.now += 1.0
    async with runtime.db.reading() as conn:
        assert not (await users.get(conn, blocked.id)).reachable
    await _queue(runtime, "66", "again", user_id=blocked.id)
    await worker.run_once()
    assert await _counts(runtime) == {"sent": 1, "unreachable": 2}


async def test_expired_rows_are_not_sent(runtime: Runtime) -> None:
    sender = FakeSender()
    worker, _ = worker_for(runtime, sender)
    await _queue(runtime, "1", "late", expires_at=runtime.clock.now() + timedelta(minutes=5))
    runtime.clock.advance(timedelta(minutes=10))
    await worker.run_once()
    assert sender.sent == [] and await _counts(runtime) == {"expired": 1}


async def test_rows_cut_off_by_a_crash_are_not_repeated(runtime: Runtime) -> None:
    sender = FakeSender()
    worker, _ = worker_for(runtime, sender)
    row = await _queue(runtime, "1", "x")
    await _queue(runtime, "2", "y")
    async with runtime.db.transaction() as tx:
        await outbox.mark_sending(tx, row)  # the process died during this call
    assert await worker.recover() == 1
    await worker.run_once()
    assert sender.sent == [("2", "y")]


async def test_scheduler_is_armed_for_the_next_due_row(runtime: Runtime) -> None:
    sender = FakeSender()
    worker, _ = worker_for(runtime, sender)
    later = runtime.clock.now() + timedelta(hours=3)
    await _queue(runtime, "1", "later", not_before=later)
    worker.scheduler.start()
    try:
        await worker.run_once()
        await worker.arm()
        assert worker.scheduler.armed_for == later
        assert sender.sent == []
        runtime.clock.advance(timedelta(hours=3))
        await worker.run_once()
        assert sender.sent == [("1", "later")]
    finally:
        worker.scheduler.shutdown()


class _Killed(Exception):
    """The process dies here (SIGKILL during a wait)."""


async def test_a_kill_during_a_429_pause_loses_no_outcome(runtime: Runtime) -> None:
    sender = FakeSender()
    sender.errors["3"] = [RetryLater(3)]
    worker, ticks = worker_for(runtime, sender)

    async def die_in_a_long_wait(seconds: float) -> None:
        if seconds > 1.0:

            def busy() -> bool:
                flusher = getattr(worker, "_flusher", None)
                return bool(worker._in_flight) or (flusher is not None and not flusher.done())

            while busy():
                await asyncio.sleep(0.01)  # the pause goes on while the calls in flight are answered
            raise _Killed
        ticks.now += seconds

    worker.limiter._sleep = die_in_a_long_wait
    for n in range(8):
        await _queue(runtime, str(n), f"hello {n}")
    with pytest.raises(_Killed):
        await worker.run_once()
    # The restart: only calls in flight could be cut off, and there were none.
    restarted, _ = worker_for(runtime, sender)
    assert await restarted.recover() == 0
    counts = await _counts(runtime)
    assert counts == {"sent": len(sender.sent), "pending": 8 - len(sender.sent)}
    runtime.clock.advance(timedelta(seconds=3))
    await restarted.run_once()
    assert await _counts(runtime) == {"sent": 8}


async def test_a_row_answered_429_is_retried_when_the_pause_ends(runtime: Runtime) -> None:
    sent_at: dict[str, float] = {}

    class SlowSender(FakeSender):
        """Answers after the worker has started waiting for its next slot, as over a network."""

        async def send(self, chat_id: str, reply: Reply) -> str | None:
            await asyncio.sleep(0.02)
            message_id = await super().send(chat_id, reply)
            sent_at[chat_id] = ticks.now
            return message_id

    sender = SlowSender()
    sender.errors["1"] = [RetryLater(3)]
    worker, ticks = worker_for(runtime, sender, per_second=2)

    async def sleep_with_the_clock(seconds: float) -> None:
        await asyncio.sleep(0.05)
        ticks.now += seconds
        runtime.clock.advance(timedelta(seconds=seconds))

    worker.limiter._sleep = sleep_with_the_clock
    await _queue(runtime, "1", "a")
    await _queue(runtime, "2", "b")
    await worker.run_once()
    assert await _counts(runtime) == {"sent": 2}
    assert sent_at["1"] <= 3.6  # due when the 3 s pause ended (then one slot later), not 3 s after that
