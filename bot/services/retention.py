"""Retention: nothing personal is kept longer than RETENTION_MONTHS.

Applications that were never accepted are anonymised that long after they were made,
trainees and graduates that long after their last follow-up survey wave (all their data,
as /forget would, but their applications keep their status for the reports),
conversations and settled outbox messages that long after they were last touched, and
accounts that have left no trace at all for that long (no application, form, message,
answer or alert wish) are erased. The
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
    dormant_accounts: int = 0  # accounts with no trace of activity in the period, erased

    @property
    def total(self) -> int:
        return self.applications + self.former_trainees + self.conversations + self.messages + self.dormant_accounts


def cutoff(settings: Settings, now: datetime) -> datetime:
    """The moment RETENTION_MONTHS calendar months before ``now``."""
    return datetime.combine(add_months(now.date(), -settings.retention_months), now.timetz())


def _not_staff(settings: Settings, accounts: list[tuple[int, str, str]]) -> list[int]:
    """The accounts that are not the configured staff's (STAFF_TELEGRAM_IDS, VIBER_STAFF_IDS)."""
    staff = {("telegram", str(i)) for i in settings.staff_telegram_ids} | {
        ("viber", i) for i in settings.viber_staff_ids
    }
    return [user_id for user_id, channel, platform_id in accounts if (channel, platform_id) not in staff]


async def plan(conn: aiosqlite.Connection, settings: Settings, now: datetime) -> RetentionPlan:
    """What :func:`apply` would anonymise now, changing nothing.

    An account whose last old application or conversation goes in a run is dormant, and
    erased, from the next day's run.
    """
    before = cutoff(settings, now)
    trainees = await retention.former_trainees(conn, before)
    applications = await retention.unaccepted_applications(conn, before)
    return RetentionPlan(
        before,
        len(applications),
        len(trainees),
        await retention.count_old_conversations(conn, before),
        await retention.count_old_messages(conn, before),
        len(_not_staff(settings, await retention.dormant_accounts(conn, before))),
    )


async def apply(tx: aiosqlite.Connection, settings: Settings, now: datetime) -> RetentionPlan:
    """Anonymise what is older than the retention period (the same erasure as /forget).

    Everything is chosen before anything changes, so a run does what :func:`plan` said.
    """
    before = cutoff(settings, now)
    trainees = await retention.former_trainees(tx, before)
    dormant = _not_staff(settings, await retention.dormant_accounts(tx, before))
    for user_id in trainees:
        await personal_data.erase_person(tx, user_id, now, withdraw=False)
    applications = await retention.unaccepted_applications(tx, before)
    await personal_data.anonymise_applications(tx, applications, now)
    conversations = await retention.delete_old_conversations(tx, before)
    messages = await retention.delete_old_messages(tx, before)
    for user_id in dormant:
        await personal_data.erase_person(tx, user_id, now, withdraw=False)
    return RetentionPlan(before, len(applications), len(trainees), conversations, messages, len(dormant))


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
                " %d message(s) deleted, %d dormant account(s) erased",
                done.applications,
                done.former_trainees,
                done.conversations,
                done.messages,
                done.dormant_accounts,
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
