"""The local day of applications made before the day was stored, given once at start-up.

Migration 0020 cannot know the programme's time zone (a setting), so the bot fills
the days and ages of older rows when it opens the database, with the same rules
as a new application (``bot.services.applications``).
"""

from __future__ import annotations

import logging
from datetime import tzinfo

from bot.parsing.validators import application_age
from storage import Database, application_days
from storage.application_days import Dated, Undated

log = logging.getLogger(__name__)


def dated(row: Undated, timezone: tzinfo) -> Dated:
    """The day of application in ``timezone`` and the age on it (``application_age``)."""
    day = row.created_at.astimezone(timezone).date()
    return Dated(row.id, day, application_age(day, row.birth_date, row.age_at_application, row.birth_year))


async def fill_missing(db: Database, timezone: tzinfo) -> int:
    """Give the applications stored without a local day their day and age; how many there were."""
    async with db.transaction() as tx:
        rows = await application_days.undated(tx)
        if not rows:
            return 0
        await application_days.set_days(tx, [dated(row, timezone) for row in rows])
    log.info("gave %d earlier applications their local day of application", len(rows))
    return len(rows)
