"""Memory: what 10,000 conversations in progress cost the bot's process.

A conversation's state lives in SQLite, not in the process, so bringing many
people into the middle of the application form should cost little resident
memory. The bot starts and idles (that is the reference), then 10,000
people each choose their language and answer the form's first question
(500 at a time), and the process's resident memory is read again once they
have all had their replies.

``python -m benchmarks.memory --users 10000``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from benchmarks import Figure
from benchmarks.harness.report import print_report
from benchmarks.harness.runs import into_the_form, measured
from bot.handlers.telegram.channel import CONCURRENT_UPDATES

TARGET_MB = 50.0
MB = 1024 * 1024


async def measure(users: int, verbose: bool = False, warm_up: int = 10) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        run = await measured(
            "bot",
            "bot",
            CONCURRENT_UPDATES,
            Path(tmp) / "bot",
            into_the_form(users),
            120 + users * 0.1,
            warm_up=warm_up,
        )
        database = sum(path.stat().st_size for path in (Path(tmp) / "bot").glob("bot.sqlite3*"))
    if verbose:
        print(run.summary())
    grown = (run.rss_after - run.rss_before) / MB
    return [
        Figure("Resident memory of the idle bot (after warm-up)", run.rss_before / MB, "MB"),
        Figure(
            f"Resident memory added by {users:,} conversations in progress",
            grown,
            "MB",
            f"<= {TARGET_MB:g} MB",
            grown <= TARGET_MB,
        ),
        Figure("Database size with them", database / MB, "MB"),
    ]


def run(quick: bool) -> list[Figure]:
    return asyncio.run(measure(10, warm_up=1) if quick else measure(10_000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()
    print_report(asyncio.run(measure(args.users, verbose=True)), "Memory")


if __name__ == "__main__":
    main()
