"""Start-up shared by every channel: catalogs, database, programme catalogue, engine."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.flows.engine import Engine
from bot.flows.features import build_registry
from bot.i18n import load_catalogs
from bot.i18n.catalogs import compile_catalogs
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.reference.municipalities import Municipalities
from bot.reference.programmes import read_programmes
from bot.services import application_days
from bot.services.campaigns import CampaignPlanner
from bot.services.retention import RetentionKeeper
from bot.surveys.loader import catalogue_for
from storage import Database, programmes, updates

GIL_SWITCH_SECONDS = 0.0005  # see open_runtime
GC_YOUNG_THRESHOLD = 20_000  # new objects between two runs of the cyclic collector (Python's default: 700)
GC_OLDER_THRESHOLD = 20  # runs of a generation between two of the next (default: 10)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    engine: Engine
    clock: Clock


def staff_check(settings: Settings, console_staff: bool = False) -> Callable[[str, str], bool]:
    """Who may use staff commands: configured Telegram and Viber ids, or the console when asked."""

    def is_staff(channel: str, platform_id: str) -> bool:
        if channel == "console":
            return console_staff
        if channel == "telegram":
            try:
                return int(platform_id) in settings.staff_telegram_ids
            except ValueError:
                return False
        if channel == "viber":
            return platform_id in settings.viber_staff_ids
        return False

    return is_staff


def prepare_catalogs() -> None:
    """Compile catalogs that are stale, then load them all (fails loudly if one is missing)."""
    with contextlib.suppress(OSError):  # a read-only install: use the compiled catalogs it ships with
        compile_catalogs()
    load_catalogs()


@asynccontextmanager
async def open_runtime(
    settings: Settings, clock: Clock | None = None, console_staff: bool = False
) -> AsyncIterator[Runtime]:
    # Every query is a hop to aiosqlite's thread, which then waits for the GIL; while the event
    # loop is busy (a 1,000/s broadcast) Python hands it over only every 5 ms by default, so a
    # transaction of ten statements took 50 ms and a broadcast group or a reply waited that long.
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    prepare_catalogs()
    records = read_programmes(settings.programmes_file)
    catalogue_for(settings.survey_dir)  # a broken survey file stops the start-up, naming its line
    db = await Database(settings.database_path).open()
    planning: asyncio.Task[None] | None = None
    keeping: asyncio.Task[None] | None = None
    try:
        clock = clock or SystemClock()
        async with db.transaction() as tx:
            await programmes.sync(tx, records)
            # Platforms redeliver an update within hours, not days: older records only take space.
            await updates.forget_older_than(tx, clock.now() - updates.RETENTION)
        await application_days.fill_missing(db, settings.timezone)  # rows from before migration 0020
        planner = CampaignPlanner(db, settings, clock)
        await planner.run_once()  # survey waves due while the bot was down are planned now
        planning = asyncio.create_task(planner.run_daily(), name="survey-planning")
        keeper = RetentionKeeper(db, settings, clock)
        await keeper.run_once()  # what passed its retention period while the bot was down goes now
        keeping = asyncio.create_task(keeper.run_daily(), name="retention")
        engine = Engine(
            db, settings, clock, Municipalities.load(), staff_check(settings, console_staff), build_registry()
        )
        yield Runtime(settings, db, engine, clock)
    finally:
        for task in (planning, keeping):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        await db.close()


def settle_garbage_collector() -> None:
    """Once start-up is done, for a process that serves from now on.

    What exists now (modules, catalogs, the engine, the programme list) lives as long as the
    process, so the cyclic collector stops scanning it (``gc.freeze``); and it runs after
    20,000 new objects instead of 700. Each update allocates thousands of short-lived objects
    (python-telegram-bot's parsed update, aiohttp's request and response), nearly all freed by
    their reference counts at once; with the defaults the collector still ran several times
    per update over the whole heap: 5–8 % of the event loop's time in the throughput benchmark
    (docs/performance.md). Cycles are still collected, a little later."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, GC_OLDER_THRESHOLD, GC_OLDER_THRESHOLD)


def run_until_signalled(settings: Settings, serve: Callable[[Runtime, asyncio.Event], Awaitable[None]]) -> None:
    """Open the runtime and serve until Ctrl-C or SIGTERM (``youthbot run`` in either mode)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with open_runtime(settings) as runtime:
            settle_garbage_collector()
            await serve(runtime, stop)

    asyncio.run(main())


def outbox_concurrency(per_second: float) -> int:
    """The most outbox rows on their way at once (the worker sizes its window below this from
    the rate and the measured time a row takes, see ``InFlight``): at 1,000/s a row spends its
    group's 50 ms waiting for its slot plus the call, so 250; always well below the HTTP pool
    (``HTTP_POOL`` in bot/handlers/telegram/request.py), so replies to conversations find a connection."""
    return max(8, math.ceil(min(per_second, 1000.0) / 4))


def build_outbox_worker(runtime: Runtime) -> OutboxWorker:
    """The one outbox worker of the process; each channel registers its sender on it."""
    settings = runtime.settings
    limiter = RateLimiter(settings.outbox_rate_per_second, settings.outbox_per_chat_interval)
    return OutboxWorker(
        runtime.db,
        runtime.clock,
        settings,
        runtime.engine.registry,
        {},
        limiter,
        concurrency=outbox_concurrency(settings.outbox_rate_per_second),
    )
