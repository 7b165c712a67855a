"""Storage under load: 1,000 people answering at once, straight into the engine and SQLite.

Every person goes through the whole application form at the same moment (no
Telegram in between, so SQLite and the engine are what is measured). Meanwhile
a second connection, as the command line opens one, reads every application
again and again and now and then writes. Counted: "database is locked" errors
(target: none), answers lost (every person's application must hold exactly
what they typed), and answers written per second.

``python -m benchmarks.storage_load --users 1000``
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import string
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks import Figure
from benchmarks.harness.report import print_report
from bot.config import load_settings
from bot.flows.engine import Incoming
from bot.messages import InputKind, Reply, UserInput
from bot.reference.programmes import read_programmes
from bot.runtime import Runtime, open_runtime
from storage import Database, applications, programmes

LOCKED = "database is locked"


def name_for(number: int) -> str:
    """A distinct, valid name for each person (names are letters only)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += string.ascii_lowercase[digit]
        if number == 0:
            break
    return f"Jane {letters.capitalize()}"


class Applicant:
    def __init__(self, runtime: Runtime, number: int) -> None:
        self.runtime = runtime
        self.id = str(2_000_000 + number)
        self.name = name_for(number)
        self.last: list[Reply] = []
        self.sent = 0

    async def send(self, inp: UserInput) -> None:
        self.sent += 1
        incoming = Incoming("telegram", self.id, self.id, inp, "Jane", "en", f"{self.id}-{self.sent}")
        self.last = (await self.runtime.engine.handle(incoming)).replies

    def press(self, label: str | None = None) -> UserInput:
        prompt = [reply for reply in self.last if reply.options][-1]
        option = next(o for o in prompt.options if label is None or label in o.label)
        return UserInput(InputKind.OPTION, option.key, token=None if prompt.menu else prompt.token)

    async def apply(self) -> None:
        text = UserInput.parse_text
        await self.send(text("/start"))
        await self.send(self.press("English"))
        await self.send(text("/apply"))
        await self.send(self.press())
        await self.send(text(self.name))
        await self.send(text(f"15.03.{time.localtime().tm_year - 20}"))
        await self.send(self.press())
        await self.send(text("Prishtinë"))
        await self.send(UserInput(InputKind.CONTACT, "+38344123456"))
        await self.send(self.press("Skip"))
        await self.send(self.press())
        await self.send(self.press())
        await self.send(text("I want to learn networks and find a job in ICT."))
        await self.send(self.press())
        await self.send(self.press("Yes"))
        await self.send(self.press("Submit"))


async def _other_connection(path: Path, catalogue: Path, stop: asyncio.Event, errors: list[str]) -> int:
    """Another connection, as the command line opens one while the bot runs: it exports every
    application again and again, and now and then writes (the programme catalogue)."""
    rounds = 0
    records = read_programmes(catalogue)
    async with Database(path) as db:
        while not stop.is_set():
            try:
                async with db.reading() as conn:
                    await applications.export_rows(conn)
                if rounds % 4 == 0:
                    async with db.transaction() as tx:
                        await programmes.sync(tx, records)
                rounds += 1
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
            await asyncio.sleep(0.05)
    return rounds


class _LockedCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if LOCKED in record.getMessage() or (record.exc_info and LOCKED in str(record.exc_info[1])):
            self.count += 1


async def measure(users: int, verbose: bool = False) -> list[Figure]:
    counter = _LockedCounter()
    logging.getLogger().addHandler(counter)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
            base = load_settings(environ={}, env_file=None)
            settings = replace(base, database_path=Path(tmp) / "bot.sqlite3", staff_telegram_ids=frozenset({424242}))
            async with open_runtime(settings) as runtime:
                people = [Applicant(runtime, number) for number in range(users)]
                errors: list[str] = []
                stop = asyncio.Event()
                reader = asyncio.create_task(
                    _other_connection(settings.database_path, settings.programmes_file, stop, errors)
                )
                started = time.perf_counter()
                results = await asyncio.gather(*(person.apply() for person in people), return_exceptions=True)
                elapsed = time.perf_counter() - started
                stop.set()
                reads = await reader
                async with runtime.db.reading() as conn:
                    rows = await applications.export_rows(conn)
    finally:
        logging.getLogger().removeHandler(counter)
    failures = [r for r in results if isinstance(r, BaseException)]
    errors += [str(f) for f in failures if LOCKED in str(f)]
    by_name = {row["full_name"]: row for row in rows}
    complete = sum(
        1
        for person in people
        if (row := by_name.get(person.name)) is not None
        and row["phone"] == "+38344123456"
        and row["municipality"] == "prishtine"
    )
    answers = sum(person.sent for person in people)
    locked = len(errors) + counter.count
    if verbose:
        print(
            f"{answers} answers in {elapsed:.1f} s; {len(failures)} failures; the other connection worked {reads} times meanwhile"
        )
        for failure in failures[:3]:
            print(f"  {type(failure).__name__}: {failure}")
    lost = users - complete
    return [
        Figure(
            f"Storage: '{LOCKED}' errors ({users:,} people at once, another connection reading and writing)",
            locked,
            "",
            "0",
            locked == 0,
        ),
        Figure("Storage: applications lost or wrong", lost, "", "0", lost == 0),
        Figure("Storage: answers written per second (engine + SQLite)", answers / elapsed, "answers/s"),
    ]


def run(quick: bool) -> list[Figure]:
    return asyncio.run(measure(10 if quick else 1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    args = parser.parse_args()
    print_report(asyncio.run(measure(args.users, verbose=True)), "Storage under load")


if __name__ == "__main__":
    main()
