"""The local day of applications made before the day was stored, given once at start-up.

Migration 0020 cannot know the programme's time zone (a setting), so the bot fills
the days and ages of older rows when it opens the database; later applications
get theirs when they are submitted (``bot.services.applications``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, tzinfo

from storage import Database, application_days
from storage.application_days import ZoneSpan

log = logging.getLogger(__name__)


def zone_spans(timezone: tzinfo, first: datetime, last: datetime) -> list[ZoneSpan]:
    """The UTC offsets of ``timezone`` in force from ``first`` to ``last``, to the minute, for the database."""

    def offset(moment: datetime) -> int:
        shift = moment.astimezone(timezone).utcoffset()
        return int(shift.total_seconds() // 60) if shift is not None else 0

    step = timedelta(hours=6)  # zones change offset at most a few times a year, never twice in six hours
    moment = first.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - step
    spans = [ZoneSpan(None, offset(moment))]
    while moment <= last:
        following = moment + step
        if offset(following) != spans[-1].minutes:
            low, high = moment, following  # offset(low) is the old one, offset(high) the new one
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if offset(middle) == spans[-1].minutes:
                    low = middle
                else:
                    high = middle
            spans.append(ZoneSpan(high, offset(high)))
        moment = following
    return spans


async def fill_missing(db: Database, timezone: tzinfo) -> int:
    """Give the applications stored without a local day their day and age; how many there were."""
    async with db.transaction() as tx:
        first, last = await application_days.undated_range(tx)
        if first is None or last is None:
            return 0
        zone = zone_spans(timezone, datetime.fromisoformat(first), datetime.fromisoformat(last))
        filled = await application_days.fill(tx, zone)
    log.info("gave %d earlier applications their local day of application", filled)
    return filled
