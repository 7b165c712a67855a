"""The days an opening is open in: deadlines are days in the programme's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.config import Settings
from storage.openings import Opening


def local_today(settings: Settings, now: datetime) -> date:
    """Deadlines are days in the programme's time zone."""
    return now.astimezone(settings.timezone).date()


def deadline_end(opening: Opening, settings: Settings) -> datetime:
    """The moment an opening's last day to apply is over, in the programme's time zone
    (alerts and broadcasts of it are not worth sending after that)."""
    return datetime.combine(opening.deadline + timedelta(days=1), time(0), tzinfo=settings.timezone)
