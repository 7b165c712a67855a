"""Retention: nothing personal is kept longer than RETENTION_MONTHS.

Applications that were never accepted are anonymised that long after they were made,
trainees and graduates that long after their last follow-up survey wave (all their data,
as /forget would, but their applications keep their status for the reports), and
conversations and settled outbox messages that long after they were last touched. The
keeper runs at start-up and then daily; ``youthbot retention --dry-run`` prints the plan.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.services.campaigns import add_months
from storage import Database, personal_data, retention

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class RetentionPlan:
    before: datetime  # everything older than this goes
    applications: int  # never accepted, anonymised
    former_trainees: int  # accounts of trainees and graduates, erased
    conversations: int
    messages: int

    @property
    def total(self) -> int:
        return self.applications + self.former_trainees + self.conversations + self.messages


def cutoff(settings: Settings, now: datetime) -> datetime:
    """The moment RETENTION_MONTHS calendar months before ``now``."""
    return datetime.combine(add_months(now.date(), -settings.retention_months), now.timetz())


async def plan(conn: aiosqlite.Connection, settings: Settings, now: datetime) -> RetentionPlan:
    """What :func:`apply` would anonymise now, changing nothing."""
    before = cutoff(settings, now)
    trainees = await retention.former_trainees(conn, before)
    applications = await retention.unaccepted_applications(conn, before)
    return RetentionPlan(
        before,
        len(applications),
        len(trainees),
        await retention.count_old_conversations(conn, before),
        await retention.count_old_messages(conn, before),
    )


async def apply(tx: aiosqlite.Connection, settings: Settings, now: datetime) -> RetentionPlan:
    """Anonymise what is older than the retention period (the same erasure as /forget)."""
    before = cutoff(settings, now)
    trainees = await retention.former_trainees(tx, before)
    for user_id in trainees:
        await personal_data.erase_person(tx, user_id, now, withdraw=False)
    applications = await retention.unaccepted_applications(tx, before)
    await personal_data.anonymise_applications(tx, applications, now)
    conversations = await retention.delete_old_conversations(tx, before)
    messages = await retention.delete_old_messages(tx, before)
    return RetentionPlan(before, len(applications), len(trainees), conversations, messages)


class RetentionKeeper:
    """Applies retention at start-up and then once a day, on the injectable clock."""

    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def run_once(self) -> RetentionPlan:
        async with self.db.transaction() as tx:
            done = await apply(tx, self.settings, self.clock.now())
        if done.total:
            log.info(
                "retention: %d application(s) and %d former trainee(s) anonymised, %d conversation(s) and"
                " %d message(s) deleted",
                done.applications,
                done.former_trainees,
                done.conversations,
                done.messages,
            )
        return done

    async def run_daily(self) -> None:
        """Repeat every day until cancelled (it is idempotent)."""
        while True:
            await asyncio.sleep(INTERVAL_SECONDS)
            try:
                await self.run_once()
            except Exception:
                log.exception("retention failed; trying again tomorrow")
