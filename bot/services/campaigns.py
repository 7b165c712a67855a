"""Campaigns: when each graduate gets which survey, planned into SQLite.

A survey with ``campaign: after_graduation_months: [3, 6, 12]`` goes to every
graduate that many calendar months after their cohort's graduation date, at
SURVEY_SEND_HOUR local time. Planning writes one invitation row per wave and
its outbox row in one transaction; a unique (survey, enrolment, wave) and the
outbox dedup key make planning idempotent, so it runs at start-up, daily, and
whenever a cohort graduates. A wave already past its expiry is never planned
(a graduate entered late gets what is still open, not every old wave).

The one reminder is planned when the invitation is actually sent (see
``plan_reminder``), so it always comes SURVEY_REMINDER_DAYS after it, even
when the invitation went out late after downtime; none is planned when the
survey closes before then.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
from datetime import UTC, date, datetime, time, timedelta

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.services import audit
from bot.surveys.definition import Catalogue, Survey
from bot.surveys.loader import catalogue_for
from storage import Database, cohorts, outbox, programmes, surveys
from storage.cohorts import Cohort
from storage.surveys import Invitation, NewInvitation, Recipient

log = logging.getLogger(__name__)

INVITATION_KIND = "survey_invitation"
REMINDER_KIND = "survey_reminder"
PLAN_INTERVAL_SECONDS = 24 * 3600


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic: 31 January + 1 month is the last day of February."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def wave_due(graduates_on: date, months: int, settings: Settings) -> datetime:
    """The moment a wave goes out: its day, at the send hour in the programme's time zone."""
    local = datetime.combine(add_months(graduates_on, months), time(settings.survey_send_hour), settings.timezone)
    return local.astimezone(UTC)


def wave_name(months: int) -> str:
    return f"m{months}"


async def _invite(
    tx: aiosqlite.Connection,
    survey: Survey,
    recipient: Recipient,
    wave: str,
    due: datetime,
    expires: datetime,
    now: datetime,
) -> bool:
    """Plan one invitation and its outbox row; False when it was planned before."""
    invitation_id = await surveys.plan(
        tx, NewInvitation(survey.id, wave, recipient.enrolment_id, recipient.user_id, due, expires), now
    )
    if invitation_id is None:
        return False
    await outbox.enqueue(
        tx,
        channel=recipient.channel,
        chat_id=recipient.chat_id,
        user_id=recipient.user_id,
        kind=INVITATION_KIND,
        payload={"invitation": invitation_id},
        now=now,
        not_before=due,
        expires_at=expires,
        ref=f"survey:{invitation_id}",
        dedup_key=f"survey:{invitation_id}:invite",
    )
    return True


async def plan_campaigns(
    tx: aiosqlite.Connection, catalogue: Catalogue, settings: Settings, now: datetime, cohort_id: int | None = None
) -> int:
    """Plan every campaign wave not yet planned and not yet expired; returns how many are new."""
    expiry = timedelta(days=settings.survey_expiry_days)
    planned = 0
    recipients = await surveys.graduates(tx, cohort_id)
    for survey in catalogue.with_campaign():
        for recipient in recipients:
            assert recipient.graduates_on is not None
            for months in survey.campaign_months:
                due = wave_due(recipient.graduates_on, months, settings)
                if due + expiry <= now:
                    continue
                planned += await _invite(tx, survey, recipient, wave_name(months), due, due + expiry, now)
    return planned


async def eligible(
    tx: aiosqlite.Connection, survey: Survey, recipients: list[Recipient], now: datetime
) -> list[Recipient]:
    """Who a staff send would reach: everyone but people whose invitation to this survey is still open."""
    return [r for r in recipients if not await surveys.has_open(tx, survey.id, r.user_id, now)]


async def send_now(
    tx: aiosqlite.Connection, survey: Survey, recipients: list[Recipient], settings: Settings, now: datetime
) -> int:
    """A staff send to a segment, going out at once; returns how many were invited."""
    wave = f"now-{now:%Y%m%dT%H%M%S}"
    expires = now + timedelta(days=settings.survey_expiry_days)
    sent = 0
    for recipient in await eligible(tx, survey, recipients, now):
        sent += await _invite(tx, survey, recipient, wave, now, expires, now)
    return sent


async def plan_reminder(
    tx: aiosqlite.Connection, invitation: Invitation, channel: str, chat_id: str, settings: Settings, now: datetime
) -> bool:
    """Called as the invitation goes out: one reminder, unless the survey closes first."""
    remind_at = now + timedelta(days=settings.survey_reminder_days)
    if remind_at >= invitation.expires_at:
        return False
    queued = await outbox.enqueue(
        tx,
        channel=channel,
        chat_id=chat_id,
        user_id=invitation.user_id,
        kind=REMINDER_KIND,
        payload={"invitation": invitation.id},
        now=now,
        not_before=remind_at,
        expires_at=invitation.expires_at,
        ref=f"survey:{invitation.id}",
        dedup_key=f"survey:{invitation.id}:remind",
    )
    return queued is not None


class GraduationError(ValueError):
    """The cohort cannot graduate as asked; the message says why."""


class SegmentError(ValueError):
    """A segment names no cohort or programme."""


async def resolve_segment(tx: aiosqlite.Connection, spec: str) -> list[Recipient]:
    """``graduates``, ``cohort:CODE`` (its trainees and graduates) or ``programme:CODE`` (its graduates)."""
    kind, _sep, code = spec.partition(":")
    if kind == "graduates" and not code:
        return await surveys.segment(tx, "graduates")
    if kind == "cohort" and code:
        cohort = await cohorts.by_code(tx, code)
        if cohort is None:
            raise SegmentError(f"there is no cohort {code!r}")
        return await surveys.segment(tx, "cohort", cohort.id)
    if kind == "programme" and code:
        programme = await programmes.by_code(tx, code)
        if programme is None:
            raise SegmentError(f"there is no programme {code!r}")
        return await surveys.segment(tx, "programme", programme.id)
    raise SegmentError(f"unknown segment {spec!r}: use graduates, cohort:CODE or programme:CODE")


async def graduate_cohort(
    tx: aiosqlite.Connection,
    cohort: Cohort,
    graduates_on: date,
    catalogue: Catalogue,
    settings: Settings,
    now: datetime,
    *,
    staff_id: int | None = None,
) -> tuple[int, int]:
    """Set the graduation date, mark the trainees as graduates and plan their surveys.
    Running it again with the same date marks late completers. Returns (graduates, invitations).

    The one path of ``youthbot graduate`` (``staff_id`` None) and the console's "graduate the cohort"."""
    if graduates_on > now.astimezone(settings.timezone).date():
        raise GraduationError(f"the graduation date {graduates_on.isoformat()} is in the future")
    if cohort.graduates_on is not None and cohort.graduates_on != graduates_on:
        raise GraduationError(
            f"cohort {cohort.code} already graduated on {cohort.graduates_on.isoformat()}; "
            "the date cannot change once its surveys are planned"
        )
    await cohorts.set_graduation(tx, cohort.id, graduates_on)
    graduated = await cohorts.complete(tx, cohort.id, now)
    planned = await plan_campaigns(tx, catalogue, settings, now, cohort.id)
    await audit.record(
        tx,
        staff_id=staff_id,
        action="cohort.graduate",
        target_kind="cohort",
        target_id=str(cohort.id),
        detail={"on": graduates_on.isoformat(), "graduates": graduated, "invitations": planned},
        now=now,
    )
    return graduated, planned


class CampaignPlanner:
    """Runs the planning step at start-up and then once a day: new waves, expired invitations."""

    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def run_once(self) -> tuple[int, int]:
        """Plan what is due to be planned and close what expired; returns (planned, closed)."""
        catalogue = catalogue_for(self.settings.survey_dir)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            planned = await plan_campaigns(tx, catalogue, self.settings, now)
            closed = await surveys.close_expired(tx, now)
        if planned or closed:
            log.info("surveys: %d invitation(s) planned, %d closed unanswered", planned, closed)
        return planned, closed

    async def run_daily(self) -> None:
        """Repeat the planning step every day until cancelled (it is idempotent)."""
        while True:
            await asyncio.sleep(PLAN_INTERVAL_SECONDS)
            try:
                await self.run_once()
            except Exception:
                log.exception("survey planning failed; trying again tomorrow")
