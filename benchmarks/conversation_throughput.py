"""Conversation throughput, side by side with python-telegram-bot itself on the same HTTP client.

N users (default 500) each go through the whole application form at once,
each answering as soon as the reply arrives (saturation), through the real
bot. The same update stream then goes to the baseline, a bare
python-telegram-bot bot answering every update with one message, on the
bot's own HTTP client (aiohttp): the headline ratio compares the two, so what
it measures is the bot's own work (flows, SQLite, catalogs, rendering), not a
client swap. The baseline runs once one update at a time and once
concurrently and its faster mode counts. A second line compares with the
baseline on python-telegram-bot's default client (httpx), the framework as
installed. A third baseline makes the bot's Bot API calls (every button
press answered, then a message, through the bot's lean JSON calls) and
nothing else: the bot's CPU per update minus its is the bot's own work.

``python -m benchmarks.conversation_throughput --users 1000``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from benchmarks import Figure
from benchmarks.harness.report import print_report
from benchmarks.harness.runs import Run, measured, replaying, saturation
from bot.handlers.telegram.channel import CONCURRENT_UPDATES

TARGET_RATIO = 0.6  # against the bare framework on the same client
TARGET_CPU_MS = 0.8  # the bot's CPU per update on the 2-core machine of docs/performance.md
BASELINE_CONCURRENCY = 256  # python-telegram-bot's usual "many at once" (concurrent_updates=True)


async def measure(users: int, profile: Path | None = None, verbose: bool = False, warm_up: int = 10) -> list[Figure]:
    timeout = 60 + users * 0.5
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        work = Path(tmp)

        async def baseline_run(label: str, concurrency: int, http: str) -> Run:
            load = replaying(bot.streams)
            return await measured(
                label, "baseline", concurrency, work / label, load, timeout, warm_up=warm_up, http=http
            )

        bot = await measured(
            "bot", "bot", CONCURRENT_UPDATES, work / "bot", saturation(users), timeout, profile, warm_up
        )
        same_seq = await baseline_run("baseline on aiohttp, one at a time", 1, "aiohttp")
        same_conc = await baseline_run("baseline on aiohttp, concurrent", BASELINE_CONCURRENCY, "aiohttp")
        same = max(same_seq, same_conc, key=lambda run: run.replies_per_second)
        httpx_base = await baseline_run("baseline on httpx, one at a time", 1, "httpx")
        calls_base = await baseline_run(
            "baseline making the bot's calls, concurrent", BASELINE_CONCURRENCY, "bot-calls"
        )
    runs = (bot, same_seq, same_conc, httpx_base, calls_base)
    if verbose:
        for one in runs:
            print(one.summary())
    ratio = bot.replies_per_second / same.replies_per_second
    cpu_ratio = same.cpu_per_update_ms / bot.cpu_per_update_ms
    mode = "concurrent" if same is same_conc else "one at a time"
    others = max(one.others_cpu_share for one in runs)
    cpu = bot.cpu_per_update_ms
    return [
        Figure(f"Throughput, bot ({users} users, whole form, saturated)", bot.replies_per_second, "replies/s"),
        Figure(f"Throughput, baseline on aiohttp (its faster mode: {mode})", same.replies_per_second, "replies/s"),
        Figure(
            "Throughput, bot / baseline on the same client (aiohttp)",
            ratio,
            "",
            f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
        ),
        Figure("CPU per update, bot", cpu, "ms", f"<= {TARGET_CPU_MS} ms", cpu <= TARGET_CPU_MS),
        Figure("CPU per update, baseline on aiohttp", same.cpu_per_update_ms, "ms"),
        Figure("CPU per update, baseline / bot (same client)", cpu_ratio, ""),
        Figure(
            "Throughput, baseline on httpx (python-telegram-bot's default), one at a time",
            httpx_base.replies_per_second,
            "replies/s",
        ),
        Figure(
            "Throughput, bot / baseline on httpx (second line: includes the client swap)",
            bot.replies_per_second / httpx_base.replies_per_second,
            "",
        ),
        Figure("CPU per update, baseline on httpx", httpx_base.cpu_per_update_ms, "ms"),
        Figure("Bot API calls per update, bot / baseline", bot.calls_per_update / same.calls_per_update, ""),
        Figure(
            "CPU per update, baseline making the bot's calls (every button press answered; lean JSON calls)",
            calls_base.cpu_per_update_ms,
            "ms",
        ),
        Figure(
            "  bot minus that: the bot's own work per update (flows, storage, rendering)",
            cpu - calls_base.cpu_per_update_ms,
            "ms",
        ),
        Figure("Harness (fake API + users) during the bot's run", 100 * bot.harness_cpu / bot.wall, "% of a core"),
        Figure("Other programs on the machine meanwhile (worst run)", 100 * others, "% of all cores"),
    ]


def run(quick: bool) -> list[Figure]:
    return asyncio.run(measure(3, warm_up=1) if quick else measure(500))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--profile", type=Path, help="write a profile of the bot's run here (.pstats: cProfile)")
    args = parser.parse_args()
    print_report(asyncio.run(measure(args.users, args.profile, verbose=True)), "Conversation throughput")


if __name__ == "__main__":
    main()
