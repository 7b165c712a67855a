"""APScheduler wakes the outbox worker when the next planned message is due.

The plan itself (every reminder, survey and broadcast row) lives in SQLite;
the scheduler holds one job only: "wake the worker at the earliest due time".
So a restart re-arms it from the database in one query, and nothing depends on
APScheduler's memory. ``misfire_grace_time=None`` makes a late wake-up still
run (the default of 1 s would silently drop it), and ``coalesce`` folds missed
runs into one.

Due times are read from the injectable clock, so with a manual clock a test
moves time and calls :meth:`OutboxWorker.run_once` instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock

JOB_ID = "outbox-wake"


class WakeScheduler:
    def __init__(self, clock: Clock, wake: Callable[[], None]) -> None:
        self.clock = clock
        self._wake = wake
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self.armed_for: datetime | None = None

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def arm(self, due: datetime) -> None:
        """Wake the worker at ``due`` (a moment on the injectable clock), replacing any earlier plan."""
        self.armed_for = due
        delay = max(0.0, (due - self.clock.now()).total_seconds())
        run_at = datetime.now(UTC) + timedelta(seconds=delay)
        self._scheduler.add_job(self._fire, "date", run_date=run_at, id=JOB_ID, replace_existing=True)

    def _fire(self) -> None:
        self.armed_for = None
        self._wake()
