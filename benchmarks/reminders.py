"""Benchmark: 100,000 planned reminders, a restart, and bursts of 5,000 due at once.

    .venv/bin/python benchmarks/reminders.py [--planned 100000] [--burst 5000] [--rate 100]

1. Seeds a fresh SQLite database: ``--burst`` enrolled trainees in one cohort
   and enough sessions that ``--planned`` reminders are planned (offsets 24 h
   and 1 h), through the same planning code the bot uses. The first session's
   24-hour reminders are all due at one instant, its 1-hour ones at another.
2. Starts a fresh process (so its memory is its own) that opens the database
   like ``youthbot run`` does, on a clock set ``--lead`` seconds before the
   first burst, and measures the time until the scheduler is armed (counted from
   the process's first line, imports included). The APScheduler job then
   wakes the outbox worker, which sends the burst through a local fake sender
   (no network) with the rate limit off: the delays are the bot's own work.
3. The second burst goes through the real rate limiter at ``--rate``
   messages per second; the waiting the limit imposes (n / rate for the n-th
   message) is reported separately from the rest of the delay.
4. Prints start-up time, delays between due time and send (median, p99, max),
   rate-limit waiting, and peak memory (maximum resident set size).
"""

from __future__ import annotations

import time

START = time.perf_counter()  # before the bot's modules are imported: start-up counts from here

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.messages import Reply  # noqa: E402
from bot.outbox.ratelimit import RateLimiter  # noqa: E402
from bot.outbox.worker import OutboxWorker  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from bot.services import applications as application_service  # noqa: E402
from bot.services import reminders as reminder_plan  # noqa: E402
from storage import applications, cohorts, outbox, programmes, sessions, users  # noqa: E402
from storage.sessions import SessionDetails  # noqa: E402

FIRST_START = datetime(2030, 1, 10, 16, 0, tzinfo=UTC)  # the first session: its reminders are the bursts
BURSTS = (FIRST_START - timedelta(hours=24), FIRST_START - timedelta(hours=1))
REARM_SECONDS = 0.2  # the second burst becomes due this long after the clock jumps before it


class ShiftedClock:
    """Real time moved to a chosen moment: the scheduler really waits, and due times are ours."""

    def __init__(self, now: datetime) -> None:
        self.jump(now)

    def jump(self, now: datetime) -> None:
        self._offset = now - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class TimingSender:
    """A local fake platform: records how long after its due time each message left."""

    def __init__(self, clock: ShiftedClock) -> None:
        self.clock = clock
        self.due = BURSTS[0]
        self.delays: list[float] = []
        self.expected = 0
        self.done = asyncio.Event()

    def expect(self, due: datetime, count: int) -> None:
        self.due, self.expected, self.delays = due, count, []
        self.done = asyncio.Event()

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.delays.append((self.clock.now() - self.due).total_seconds())
        if len(self.delays) >= self.expected:
            self.done.set()
        return str(len(self.delays))


class TimedLimiter(RateLimiter):
    """The real limiter, recording how long each send waited in it."""

    def __init__(self, per_second: float) -> None:
        super().__init__(per_second, 0.0)
        self.waits: list[float] = []

    async def acquire(self, chat_key: str) -> None:
        began = time.perf_counter()
        await super().acquire(chat_key)
        self.waits.append(time.perf_counter() - began)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _settings(database: Path) -> Settings:
    return replace(load_settings(environ={}, env_file=None), database_path=database)


async def seed(database: Path, planned: int, burst: int) -> dict[str, float]:
    """Trainees, sessions and their planned reminders, planned by the bot's own code."""
    settings = _settings(database)
    offsets = settings.reminder_offsets
    session_count = max(1, math.ceil(planned / (burst * len(offsets))))
    clock = ManualClock(BURSTS[0] - timedelta(days=1))
    async with open_runtime(settings, clock=clock) as runtime:
        now = clock.now()
        async with runtime.db.transaction() as tx:
            programme = await programmes.by_code(tx, "pro2y-software")
            assert programme is not None
            cohort = await cohorts.create(tx, programme.id, "bench-1", "Bench 1", now)
            for n in range(session_count):
                start = FIRST_START + timedelta(days=n)
                await sessions.create(
                    tx, cohort.id, SessionDetails(start, start + timedelta(hours=2), "Room 3", None, f"Topic {n}"), now
                )
            for n in range(burst):
                user, _new = await users.get_or_create(tx, "telegram", str(10_000 + n), str(10_000 + n), None, now)
                await users.set_language(tx, user.id, ("sq", "sr", "sr_Latn", "en")[n % 4], now)
                app = await application_service.submit(
                    tx,
                    applications.NewApplication(
                        user.id,
                        programme.id,
                        f"Trainee {n}",
                        "2004-03-15",
                        "female",
                        "prishtine",
                        "+38344123456",
                        None,
                        "secondary",
                        "unemployed",
                        "I want to learn.",
                        None,
                        None,
                        "en",
                        now,
                    ),
                    now,
                    settings.timezone,
                )
                await cohorts.enrol(tx, cohort.id, app.id, now)
        began = time.perf_counter()
        async with runtime.db.transaction() as tx:
            for session in await sessions.of_cohort(tx, cohort.id):
                await reminder_plan.plan_session(tx, session, offsets, now)
        planning = time.perf_counter() - began
        async with runtime.db.reading() as conn:
            rows = (await outbox.counts(conn)).get("pending", 0)
    return {"planning_seconds": planning, "planned_rows": rows, "sessions": session_count}


async def _burst(
    worker: OutboxWorker, clock: ShiftedClock, sender: TimingSender, due: datetime, count: int
) -> list[float]:
    clock.jump(due - timedelta(seconds=REARM_SECONDS))
    sender.expect(due, count)
    worker.wake()  # the clock jumped: the worker re-arms the scheduler for the new due time
    await asyncio.wait_for(sender.done.wait(), 3600)
    return sender.delays


async def measure(database: Path, burst: int, rate: float, lead: float) -> dict[str, float]:
    """In a fresh process: start-up until armed, the two bursts, then memory."""
    settings = _settings(database)
    clock = ShiftedClock(BURSTS[0] - timedelta(seconds=lead))
    sender = TimingSender(clock)
    sender.expect(BURSTS[0], burst)
    unlimited = TimedLimiter(1e9)
    async with open_runtime(settings, clock=clock) as runtime:
        worker = OutboxWorker(runtime.db, clock, settings, runtime.engine.registry, {"telegram": sender}, unlimited)
        await worker.recover()
        worker.scheduler.start()
        await worker.run_once()
        await worker.arm()
        startup = time.perf_counter() - START
        if worker.scheduler.armed_for != BURSTS[0]:
            raise RuntimeError(
                f"start-up took longer than --lead {lead} s; the scheduler is armed for {worker.scheduler.armed_for}"
            )
        loop = asyncio.create_task(worker.run_forever())
        await asyncio.wait_for(sender.done.wait(), 3600)
        free = sender.delays
        limited = TimedLimiter(rate)
        worker.limiter = limited
        paced = await _burst(worker, clock, sender, BURSTS[1], burst)
        worker.stop()
        await loop
    # The limit itself makes the n-th message of a burst wait n / rate seconds at
    # least, however the worker spreads its calls; what is beyond that is ours.
    waited = [n / rate for n in range(len(paced))]
    beyond = [delay - wait for delay, wait in zip(paced, waited, strict=True)]
    return {
        "startup_seconds": startup,
        "sent": len(free),
        "delay_median": statistics.median(free),
        "delay_p99": percentile(free, 0.99),
        "delay_max": max(free),
        "throughput": len(free) / max(free),
        "limiter_wait_free": sum(unlimited.waits),
        "paced_sent": len(paced),
        "paced_delay_p99": percentile(paced, 0.99),
        "paced_wait_p99": percentile(waited, 0.99),
        "paced_beyond_median": statistics.median(beyond),
        "paced_beyond_p99": percentile(beyond, 0.99),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def rate_limit_wait(burst: int, per_second: float) -> tuple[float, float]:
    """What the configured overall limit adds for the n-th message of a burst: median and p99."""
    waits = [n / per_second for n in range(burst)]
    return statistics.median(waits), percentile(waits, 0.99)


def report(seeded: dict[str, float], f: dict[str, float], burst: int, rate: float) -> None:
    configured = _settings(Path("unused")).outbox_rate_per_second
    wait_median, wait_p99 = rate_limit_wait(burst, configured)
    print(
        f"planned reminders in the database:  {seeded['planned_rows']:,} ({seeded['sessions']:g} sessions, {burst:,} trainees)"
    )
    print(f"planning them took:                 {seeded['planning_seconds']:.2f} s (setup, not a target)")
    print(f"start-up until scheduler armed:     {f['startup_seconds']:.2f} s   (target < 2 s)")
    print(f"burst 1, rate limit off:            {f['sent']:,} sent, {f['throughput']:.0f} messages/s")
    print(f"  delay due -> send, median:        {f['delay_median']:.3f} s")
    print(f"  delay due -> send, p99:           {f['delay_p99']:.3f} s")
    print(f"  delay due -> send, max:           {f['delay_max']:.3f} s")
    print(f"  rate-limit waiting:               {f['limiter_wait_free']:.3f} s in total")
    print(f"burst 2, rate limit {rate:g}/s:         {f['paced_sent']:,} sent")
    print(f"  delay due -> send, p99:           {f['paced_delay_p99']:.3f} s")
    print(f"  of it rate-limit waiting, p99:    {f['paced_wait_p99']:.3f} s")
    print(
        f"  delay beyond rate-limit waiting:  median {f['paced_beyond_median']:.3f} s, p99 {f['paced_beyond_p99']:.3f} s   (target < 1 s)"
    )
    print(
        f"at the configured {configured:g}/s a burst waits: median {wait_median:.1f} s, p99 {wait_p99:.1f} s (computed)"
    )
    print(f"peak memory (max RSS):              {f['peak_rss_mb']:.0f} MB   (target < 150 MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--planned", type=int, default=100_000, help="reminders planned in the database")
    parser.add_argument("--burst", type=int, default=5_000, help="reminders due at the same instant (= trainees)")
    parser.add_argument("--rate", type=float, default=100.0, help="rate limit (messages/s) for the second burst")
    parser.add_argument("--lead", type=float, default=3.0, help="seconds between start-up and the first burst")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(asyncio.run(measure(args.measure, args.burst, args.rate, args.lead))))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        seeded = asyncio.run(seed(database, args.planned, args.burst))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [
            sys.executable,
            __file__,
            "--measure",
            str(database),
            "--burst",
            str(args.burst),
            "--rate",
            str(args.rate),
            "--lead",
            str(args.lead),
        ]
        child = subprocess.run(command, capture_output=True, text=True, env=env, cwd=folder, check=False)
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    report(seeded, figures, args.burst, args.rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
