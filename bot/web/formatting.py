"""Dates, session times and rates as the console's templates show them, in the staff member's
language (the templates render inside it) and the programme's time zone, without a zone name."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.numbers import format_percent

from bot.i18n import current_language, format_date, format_datetime
from storage.programmes import Programme
from storage.sessions import Session

if TYPE_CHECKING:
    from bot.web.console import Console


def page_helpers(console: Console) -> dict[str, Any]:
    """Callables the templates format with (typed Any: they go into ``Console.page`` as keywords)."""
    tz = console.settings.timezone

    def fmt_date(value: date | None) -> str:
        return format_date(value, "medium") if value else "–"

    def fmt_time(value: datetime) -> str:
        return format_datetime(value, tz, "HH:mm")

    def fmt_when(session: Session) -> str:
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        tail = fmt_time(end) if start.date() == end.date() else format_datetime(end, tz, "short")
        return f"{format_date(start.date(), 'medium')}, {fmt_time(start)}–{tail}"

    def fmt_percent(value: float | None) -> str:
        if value is None:
            return "–"
        return format_percent(value, locale=Locale.parse(current_language().babel_locale))

    def programme_name(programme: Programme | None) -> str:
        return programme.title(current_language().content_key) if programme is not None else "–"

    return {
        "programme_name": programme_name,
        "fmt_date": fmt_date,
        "fmt_time": fmt_time,
        "fmt_when": fmt_when,
        "fmt_percent": fmt_percent,
    }
