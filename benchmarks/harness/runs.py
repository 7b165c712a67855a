"""One measured run: a bot process, the fake Bot API, a crowd of simulated users.

The fake API and the users share this process (one core); the bot under test
has its own process (the other core), and its CPU time is read from inside
it at the start and the end of the measured window.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from benchmarks.harness.botproc import BotProcess, Stats
from benchmarks.harness.crowd import INTO_THE_FORM, Crowd, HumanPaceSlot, Person, Sent, replay
from benchmarks.harness.fake_api import FakeBotApi
from benchmarks.harness.report import usable_cores

WARM_UP_USERS = 10
FIRST_CHAT_ID = 1_000_000


@dataclass
class Run:
    """What one run measured."""

    label: str
    concurrency_used: int  # updates the process handled at once
    updates: int  # updates answered in the measured window
    wall: float  # seconds
    bot_cpu: float  # seconds of the bot process's CPU in the window
    harness_cpu: float  # seconds of this process's CPU (fake API + users) in the window
    latencies: list[float]
    streams: list[list[Sent]]  # what each user (or slot) sent, for the baseline's replay
    rss_before: int = 0
    rss_after: int = 0
    calls: dict[str, int] = field(default_factory=dict)  # Bot API calls in the window, by method
    machine_busy: float = float("nan")  # CPU seconds the whole machine spent in the window (all cores)

    @property
    def others_cpu_share(self) -> float:
        """Share of the machine's capacity that other programs used meanwhile (noise in the figures)."""
        capacity = self.wall * usable_cores()
        return max(0.0, self.machine_busy - self.bot_cpu - self.harness_cpu) / capacity if capacity else float("nan")

    @property
    def calls_per_update(self) -> float:
        return sum(self.calls.values()) / self.updates if self.updates else float("nan")

    @property
    def replies_per_second(self) -> float:
        return self.updates / self.wall if self.wall else float("nan")

    @property
    def cpu_per_update_ms(self) -> float:
        return 1000 * self.bot_cpu / self.updates if self.updates else float("nan")

    def latency_ms(self, quantile: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        if quantile == 0.5:
            return 1000 * statistics.median(ordered)
        index = min(len(ordered) - 1, max(0, round(quantile * len(ordered)) - 1))
        return 1000 * ordered[index]

    def summary(self) -> str:
        return (
            f"{self.label}: {self.updates} updates in {self.wall:.1f} s = {self.replies_per_second:.0f}/s, "
            f"bot CPU {self.cpu_per_update_ms:.2f} ms/update ({100 * self.bot_cpu / self.wall:.0f}% of a core), "
            f"harness {100 * self.harness_cpu / self.wall:.0f}% of a core, "
            f"other programs {100 * self.others_cpu_share:.0f}% of the machine, "
            f"latency median {self.latency_ms(0.5):.1f} ms, p99 {self.latency_ms(0.99):.1f} ms; calls per update: "
            + ", ".join(
                f"{method} {count / max(1, self.updates):.2f}" for method, count in sorted(self.calls.items()) if count
            )
        )


Load = Callable[[Crowd], Awaitable[list[list[Sent]]]]
T = TypeVar("T")


def machine_busy_seconds() -> float:
    """CPU seconds all cores have been busy since boot (Linux /proc/stat), NaN elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def measured(
    label: str,
    kind: str,
    concurrency: int,
    workdir: Path,
    load: Load,
    timeout: float,
    profile: Path | None = None,
    warm_up: int = WARM_UP_USERS,
    http: str = "httpx",
    broadcast: tuple[int, float] = (0, 0.0),
    observe: Callable[[Crowd], None] | None = None,
) -> Run:
    """Start the bot, warm it up, then run ``load`` and measure it (``broadcast``: the bot also
    sends to this many people from this many seconds after its start, see botproc.py)."""
    async with FakeBotApi() as api:
        crowd = Crowd(api)
        if observe is not None:
            observe(crowd)
        async with BotProcess(kind, api.base_url, workdir, concurrency, profile, http, broadcast) as process:
            await api.wait_polling()
            await _bounded(_warm_up(crowd, kind, warm_up), 60, crowd, process)
            crowd.latencies.clear()
            crowd.arrivals.clear()
            before: Stats = await process.stats()
            calls_before = dict(api.calls)
            busy_before = machine_busy_seconds()
            harness_before, started = time.process_time(), time.perf_counter()
            streams = await _bounded(load(crowd), timeout, crowd, process)
            wall = time.perf_counter() - started
            harness_cpu = time.process_time() - harness_before
            busy = machine_busy_seconds() - busy_before
            after = await process.stats()
            calls = {method: count - calls_before.get(method, 0) for method, count in api.calls.items()}
    return Run(
        label,
        concurrency,
        len(crowd.latencies),
        wall,
        after.cpu - before.cpu,
        harness_cpu,
        list(crowd.latencies),
        streams,
        before.rss,
        after.rss,
        calls,
        busy,
    )


async def _bounded(work: Awaitable[T], timeout: float, crowd: Crowd, process: BotProcess) -> T:
    """``work``, or a clear error naming who still waits for what when the bot stalls."""
    try:
        return await asyncio.wait_for(work, timeout)
    except TimeoutError:
        raise RuntimeError(f"the {process.kind} stalled: {crowd.stalled()}\n{process.log_tail()}") from None


async def _warm_up(crowd: Crowd, kind: str, users: int) -> None:
    """A few users first, so start-up costs (lazy imports, connections) stay out of the figures."""
    chats = [FIRST_CHAT_ID - 1 - i for i in range(users)]
    if kind == "bot":
        await asyncio.gather(*(Person(crowd, chat).walk() for chat in chats))
        return
    streams = [[Sent(chat, crowd.message(chat, text="/start"), None) for _ in range(8)] for chat in chats]
    await asyncio.gather(*(replay(crowd, stream) for stream in streams))


def saturation(users: int) -> Load:
    """Every user walks through the whole form, all at once, each answer as soon as the reply arrives."""

    async def load(crowd: Crowd) -> list[list[Sent]]:
        people = [Person(crowd, FIRST_CHAT_ID + i) for i in range(users)]
        await asyncio.gather(*(p.walk() for p in people))
        return [p.sent for p in people]

    return load


def replaying(streams: list[list[Sent]], paced: bool = False) -> Load:
    """The same updates again (for the baseline): back to back, or at their recorded due times."""

    async def load(crowd: Crowd) -> list[list[Sent]]:
        start = time.perf_counter() if paced else None
        await asyncio.gather(*(replay(crowd, stream, start) for stream in streams))
        return streams

    return load


def human_pace(users: int, duration: float, mean_interval: float = 5.0, seed: int = 7) -> Load:
    """A constant crowd answering at random intervals (open loop), for ``duration`` seconds."""

    async def load(crowd: Crowd) -> list[list[Sent]]:
        rng = random.Random(seed)
        ids = iter(range(FIRST_CHAT_ID, FIRST_CHAT_ID + 10_000_000))
        slots = [HumanPaceSlot(crowd, ids, random.Random(rng.random()), mean_interval) for _ in range(users)]
        start = time.perf_counter()
        await asyncio.gather(*(slot.run(start, duration) for slot in slots))
        return [slot.sent for slot in slots]

    return load


def into_the_form(users: int, at_once: int = 500) -> Load:
    """Bring ``users`` people into the middle of the form (``at_once`` of them at a time)."""

    async def load(crowd: Crowd) -> list[list[Sent]]:
        gate = asyncio.Semaphore(at_once)

        async def one(chat_id: int) -> None:
            async with gate:
                await Person(crowd, chat_id, INTO_THE_FORM).walk()

        await asyncio.gather(*(one(FIRST_CHAT_ID + i) for i in range(users)))
        return []

    return load
