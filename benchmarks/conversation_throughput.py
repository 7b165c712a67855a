"""Conversation throughput, side by side with python-telegram-bot itself.

N users (default 500) each go through the whole application form at once,
each answering as soon as the reply arrives (saturation), through the real
bot. The same update stream then goes to the baseline, a bare
python-telegram-bot bot answering every update with one message. Both run
once handling updates one at a time and once concurrently; the bot's figure is
its production setting, the baseline's its faster mode.

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
from bot.handlers.telegram import CONCURRENT_UPDATES

TARGET_RATIO = 0.8
BASELINE_CONCURRENCY = 256  # python-telegram-bot's usual "many at once"


async def measure(users: int, profile: Path | None = None, verbose: bool = False, warm_up: int = 10) -> list[Figure]:
    timeout = 60 + users * 0.5
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        work = Path(tmp)
        sequential_bot = CONCURRENT_UPDATES <= 1
        bot = await measured("bot", "bot", CONCURRENT_UPDATES, work / "bot", saturation(users), timeout, profile, warm_up)
        other_mode = 1 if not sequential_bot else 32
        bot_other = await measured("bot (other mode)", "bot", other_mode, work / "bot-other", saturation(users), timeout, warm_up=warm_up)
        stream = replaying(bot.streams)
        base_seq = await measured("baseline, one at a time", "baseline", 1, work / "base-seq", stream, timeout, warm_up=warm_up)
        base_conc = await measured("baseline, concurrent", "baseline", BASELINE_CONCURRENCY, work / "base-conc", stream, timeout, warm_up=warm_up)
    if verbose:
        for run in (bot, bot_other, base_seq, base_conc):
            print(run.summary())
    baseline = max(base_seq, base_conc, key=lambda run: run.replies_per_second)
    ratio = bot.replies_per_second / baseline.replies_per_second
    bot_sequential, bot_concurrent = (bot, bot_other) if sequential_bot else (bot_other, bot)
    n = f"{users} users"
    return [
        Figure(f"Throughput, bot ({n}, whole form, saturated)", bot.replies_per_second, "replies/s"),
        Figure(f"Throughput, baseline ({'concurrent' if baseline is base_conc else 'one at a time'})",
               baseline.replies_per_second, "replies/s"),
        Figure("Throughput, bot / baseline", ratio, "", f">= {TARGET_RATIO}", ratio >= TARGET_RATIO),
        Figure("CPU per update, bot", bot.cpu_per_update_ms, "ms"),
        Figure("CPU per update, baseline", baseline.cpu_per_update_ms, "ms"),
        Figure("Bot, updates one at a time", bot_sequential.replies_per_second, "replies/s"),
        Figure("Bot, concurrent (in order per user)", bot_concurrent.replies_per_second, "replies/s"),
        Figure("Baseline, updates one at a time", base_seq.replies_per_second, "replies/s"),
        Figure("Baseline, concurrent", base_conc.replies_per_second, "replies/s"),
        Figure("Harness load during the bot's run (fake API + users)", 100 * bot.harness_cpu / bot.wall, "% of a core"),
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
