"""Conversation throughput, side by side with python-telegram-bot itself.

N users (default 500) each go through the whole application form at once,
each answering as soon as the reply arrives (saturation), through the real
bot. The same update stream then goes to the baseline, a bare
python-telegram-bot bot answering every update with one message. Both run
once handling updates one at a time and once concurrently; the bot's figure is
its production setting, the baseline's its faster mode. The baseline runs once
more on the bot's HTTP client, to show what the client alone is worth.

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

TARGET_RATIO = 0.8
BASELINE_CONCURRENCY = 256  # python-telegram-bot's usual "many at once" (concurrent_updates=True)


async def measure(users: int, profile: Path | None = None, verbose: bool = False, warm_up: int = 10) -> list[Figure]:
    timeout = 60 + users * 0.5
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        work = Path(tmp)

        async def bot_run(label: str, concurrency: int, watch: Path | None = None) -> Run:
            return await measured(label, "bot", concurrency, work / label, saturation(users), timeout, watch, warm_up)

        async def baseline_run(label: str, concurrency: int, http: str = "httpx") -> Run:
            return await measured(
                label,
                "baseline",
                concurrency,
                work / label,
                replaying(bot.streams),
                timeout,
                warm_up=warm_up,
                http=http,
            )

        bot = await bot_run("bot", CONCURRENT_UPDATES, profile)
        bot_alone = await bot_run("bot, one at a time", 1) if CONCURRENT_UPDATES > 1 else bot
        base_seq = await baseline_run("baseline, one at a time", 1)
        base_conc = await baseline_run("baseline, concurrent", BASELINE_CONCURRENCY)
        baseline = max(base_seq, base_conc, key=lambda run: run.replies_per_second)
        base_aiohttp = await baseline_run("baseline with aiohttp", baseline.concurrency_used, "aiohttp")
    runs = (bot, bot_alone, base_seq, base_conc, base_aiohttp)
    if verbose:
        for one in runs:
            print(one.summary())
    ratio = bot.replies_per_second / baseline.replies_per_second
    mode = "concurrent" if baseline is base_conc else "one at a time"
    others = max(one.others_cpu_share for one in runs)
    return [
        Figure(f"Throughput, bot ({users} users, whole form, saturated)", bot.replies_per_second, "replies/s"),
        Figure(f"Throughput, baseline (its faster mode: {mode})", baseline.replies_per_second, "replies/s"),
        Figure("Throughput, bot / baseline", ratio, "", f">= {TARGET_RATIO}", ratio >= TARGET_RATIO),
        Figure("CPU per update, bot", bot.cpu_per_update_ms, "ms"),
        Figure("CPU per update, baseline", baseline.cpu_per_update_ms, "ms"),
        Figure("Bot API calls per update, bot / baseline", bot.calls_per_update / baseline.calls_per_update, ""),
        Figure("Bot, updates one at a time", bot_alone.replies_per_second, "replies/s"),
        Figure("Bot, concurrent (each person's in order)", bot.replies_per_second, "replies/s"),
        Figure("Baseline, updates one at a time", base_seq.replies_per_second, "replies/s"),
        Figure("Baseline, concurrent", base_conc.replies_per_second, "replies/s"),
        Figure(f"Baseline on the bot's HTTP client (aiohttp), {mode}", base_aiohttp.replies_per_second, "replies/s"),
        Figure("Harness (fake API + users) during the bot's run", 100 * bot.harness_cpu / bot.wall, "% of a core"),
        Figure("Other programs on the machine meanwhile (worst run)", 100 * others, "% of all cores"),
    ]


def run(quick: bool) -> list[Figure]:
    return asyncio.run(measure(3, warm_up=1) if quick else measure(500))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile of the bot's run here")
    args = parser.parse_args()
    print_report(asyncio.run(measure(args.users, args.profile, verbose=True)), "Conversation throughput")


if __name__ == "__main__":
    main()
