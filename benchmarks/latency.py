"""Latency at human pace: 200 people answering at random intervals averaging 5 s.

About 40 updates a second are offered (open loop: when an answer is due does
not depend on the bot). The latency of an update is the time from it being
offered to the end of its reply arriving; an answer that could only go out
late because the previous reply was late counts from when it was due. The
baseline gets the same updates at the same moments.

``python -m benchmarks.latency --duration 120 --users 200``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from benchmarks import Figure
from benchmarks.harness.report import print_report
from benchmarks.harness.runs import human_pace, measured, replaying
from bot.handlers.telegram.channel import CONCURRENT_UPDATES

TARGET_P99_MS = 50.0
BASELINE_CONCURRENCY = 256


async def measure(
    users: int, duration: float, mean_interval: float = 5.0, verbose: bool = False, warm_up: int = 10
) -> list[Figure]:
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
    if verbose:
        print(bot.summary())
        print(baseline.summary())
    p99 = bot.latency_ms(0.99)
    pace = f"{users} people, one answer per {mean_interval:g} s each"
    return [
        Figure(f"Latency, bot, median ({pace})", bot.latency_ms(0.5), "ms"),
        Figure("Latency, bot, p99", p99, "ms", f"< {TARGET_P99_MS:g} ms", p99 < TARGET_P99_MS),
        Figure("Latency, baseline, median", baseline.latency_ms(0.5), "ms"),
        Figure("Latency, baseline, p99", baseline.latency_ms(0.99), "ms"),
        Figure("Updates offered at human pace", bot.updates / bot.wall, "updates/s"),
    ]


def run(quick: bool) -> list[Figure]:
    if quick:
        return asyncio.run(measure(users=3, duration=1.0, mean_interval=0.3, warm_up=1))
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
