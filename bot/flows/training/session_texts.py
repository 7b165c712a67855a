"""How a training session reads in the current language (Babel dates, programme zone)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_interval, format_skeleton
from babel.lists import format_list

from bot.i18n import _, current_language, format_date, format_datetime, ngettext
from storage.sessions import Session

LABEL_MAX = 60
COHORT_CREATE = "youthbot cohort create"  # named in texts as a {command} placeholder


def _locale() -> Locale:
    return Locale.parse(current_language().babel_locale)


def when_text(session: Session, tz: ZoneInfo) -> str:
    """``Monday, 15 March 2027, 17:30–19:00`` in the reader's language, no zone name."""
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    if start.date() != end.date():
        return f"{format_datetime(start, tz, 'short')} – {format_datetime(end, tz, 'short')}"
    hours = format_interval(start, end, "Hm", tzinfo=tz, locale=_locale())
    return f"{format_date(start.date(), 'full')}, {hours}"


def start_text(moment: datetime, tz: ZoneInfo) -> str:
    """A start alone, for notices: ``Monday, 15 March 2027, 17:30``."""
    start = moment.astimezone(tz)
    return f"{format_date(start.date(), 'full')}, {format_datetime(start, tz, 'HH:mm')}"


def short_label(session: Session, tz: ZoneInfo) -> str:
    """A button label: ``Mon 15 Mar, 17:30 · Topic``."""
    start = session.starts_at.astimezone(tz)
    label = f"{format_skeleton('MMMEd', start, locale=_locale())}, {format_datetime(start, tz, 'HH:mm')}"
    if session.topic:
        label += f" · {session.topic}"
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def detail_lines(session: Session, tz: ZoneInfo) -> list[str]:
    """When, topic, place and link, one per line."""
    lines = [_("When: {when}").format(when=when_text(session, tz))]
    if session.topic:
        lines.append(_("Topic: {topic}").format(topic=session.topic))
    if session.place:
        lines.append(_("Where: {place}").format(place=session.place))
    if session.online_url:
        lines.append(_("Online: {link}").format(link=session.online_url))
    return lines


def offset_text(offset: timedelta) -> str:
    """``24 hours``, ``90 minutes``, ``2 days``."""
    minutes = int(offset.total_seconds() // 60)
    if minutes % 1440 == 0 and minutes >= 2880:  # 24 hours reads better than 1 day
        return ngettext("{n} day", "{n} days", minutes // 1440).format(n=minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("{n} hour", "{n} hours", minutes // 60).format(n=minutes // 60)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def offsets_text(offsets: tuple[timedelta, ...]) -> str:
    """``24 hours and 1 hour``: the list joined the language's way (``24 orë dhe 1 orë``)."""
    return format_list([offset_text(o) for o in offsets], locale=current_language().babel_locale)
