"""Latency at human pace: 200 people answering at random intervals averaging 5 s.

About 40 updates a second are offered (open loop: when an answer is due does
not depend on the bot). The latency of an update is the time from it being
offered to the end of its reply arriving; an answer that could only go out
late because the previous reply was late counts from when it was due. The
baseline gets the same updates at the same moments.

Then the same pace once more while the bot also sends a broadcast at 1,000
messages/s (Telegram's paid broadcasts, ``OUTBOX_RATE_PER_SECOND=1000``):
replies must not wait behind it. Only the replies that arrived while the
broadcast was being sent count in that figure.

``python -m benchmarks.latency --duration 120 --users 200``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks import Figure
from benchmarks.harness.botproc import BROADCAST_FIRST_CHAT, BROADCAST_RATE
from benchmarks.harness.crowd import Crowd
from benchmarks.harness.fake_api import SentMessage
from benchmarks.harness.report import print_report
from benchmarks.harness.runs import Run, human_pace, measured, replaying
from bot.handlers.telegram.channel import CONCURRENT_UPDATES

TARGET_P99_MS = 50.0
BASELINE_CONCURRENCY = 256


class BroadcastWatch:
    """Counts the broadcast's messages as the fake API gets them (the crowd never sees them)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.crowd: Crowd | None = None

    def __call__(self, crowd: Crowd) -> None:
        self.crowd = crowd
        inner = crowd.api.on_message

        def on_message(message: SentMessage) -> None:
            if message.chat_id >= BROADCAST_FIRST_CHAT:
                self.times.append(time.perf_counter())
            else:
                inner(message)

        crowd.api.on_message = on_message

    def during(self) -> list[float]:
        """The latencies of replies that arrived while the broadcast was going out."""
        if self.crowd is None or not self.times:
            return []
        first, last = self.times[0], self.times[-1]
        pairs = zip(self.crowd.arrivals, self.crowd.latencies, strict=True)
        return [latency for arrived, latency in pairs if first <= arrived <= last]

    def rate(self) -> float:
        span = self.times[-1] - self.times[0] if len(self.times) > 1 else 0.0
        return (len(self.times) - 1) / span if span else float("nan")


async def during_broadcast(
    users: int, duration: float, mean_interval: float, people: int, due_in: float, work: Path, warm_up: int
) -> tuple[Run, BroadcastWatch]:
    watch = BroadcastWatch()
    load = human_pace(users, duration, mean_interval, seed=11)
    run = await measured(
        "bot during a broadcast",
        "bot",
        CONCURRENT_UPDATES,
        work,
        load,
        duration + 120,
        warm_up=warm_up,
        broadcast=(people, due_in),
        observe=watch,
    )
    return run, watch


async def measure(
    users: int,
    duration: float,
    mean_interval: float = 5.0,
    verbose: bool = False,
    warm_up: int = 10,
    broadcast: tuple[int, float, float] = (30_000, 40.0, 8.0),
) -> list[Figure]:
    """``broadcast``: people, seconds of offered load, seconds after the bot's start it is due."""
    timeout = duration + 120
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        work = Path(tmp)
        load = human_pace(users, duration, mean_interval)
        bot = await measured("bot", "bot", CONCURRENT_UPDATES, work / "bot", load, timeout, warm_up=warm_up)
        baseline = await measured(
            "baseline",
            "baseline",
            BASELINE_CONCURRENCY,
            work / "base",
            replaying(bot.streams, paced=True),
            timeout,
            warm_up=warm_up,
        )
        people, window, due_in = broadcast
        busy, watch = await during_broadcast(users, window, mean_interval, people, due_in, work / "busy", warm_up)
    if verbose:
        print(bot.summary())
        print(baseline.summary())
        print(busy.summary())
    during = Run("during", 0, len(watch.during()), 1.0, 0.0, 0.0, watch.during(), [])
    busy_p99 = during.latency_ms(0.99)
    p99 = bot.latency_ms(0.99)
    pace = f"{users} people, one answer per {mean_interval:g} s each"
    return [
        Figure(f"Latency, bot, median ({pace})", bot.latency_ms(0.5), "ms"),
        Figure("Latency, bot, p99", p99, "ms", f"< {TARGET_P99_MS:g} ms", p99 < TARGET_P99_MS),
        Figure("Latency, baseline, median", baseline.latency_ms(0.5), "ms"),
        Figure("Latency, baseline, p99", baseline.latency_ms(0.99), "ms"),
        Figure("Updates offered at human pace", bot.updates / bot.wall, "updates/s"),
        Figure(f"Latency during a {BROADCAST_RATE:,}/s broadcast, bot, median", during.latency_ms(0.5), "ms"),
        Figure(
            "Latency during the broadcast, bot, p99 (replies that arrived while it went out)",
            busy_p99,
            "ms",
            f"< {TARGET_P99_MS:g} ms + the machine's share",
            busy_p99 < TARGET_P99_MS if during.latencies else None,
        ),
        Figure("Broadcast rate meanwhile (messages/s, limit 1,000)", watch.rate(), "messages/s"),
        Figure("Replies counted during the broadcast", len(watch.during()), ""),
        Figure("Other programs on the machine during that run", 100 * busy.others_cpu_share, "% of all cores"),
    ]


def run(quick: bool) -> list[Figure]:
    if quick:
        return asyncio.run(measure(3, 1.0, 0.3, warm_up=1, broadcast=(300, 2.0, 1.0)))
    return asyncio.run(measure(users=200, duration=60.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of offered load")
    parser.add_argument("--interval", type=float, default=5.0, help="mean seconds between one person's answers")
    args = parser.parse_args()
    print_report(asyncio.run(measure(args.users, args.duration, args.interval, verbose=True)), "Latency at human pace")


if __name__ == "__main__":
    main()
