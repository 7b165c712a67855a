"""Times as staff type them (programme zone, e.g. 15.03.2027 17:30) turned into UTC.

Daylight saving makes two kinds of local times special (Europe/Belgrade,
last Sundays of March and October):

* On the spring-forward night, 02:00-02:59 does not exist (clocks jump from
  02:00 to 03:00). Such a time is refused: nobody means it, and silently
  shifting it would put a session an hour off.
* On the autumn night, 02:00-02:59 happens twice. It is resolved
  deterministically as the first occurrence (``fold=0``, still summer time,
  UTC+2), which is what a schedule written in advance means.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

_DATE_TIME = (
    re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\.?[,\s]+(?P<H>\d{1,2})[:.](?P<M>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})$"),
)
_CLOCK = re.compile(r"^(?P<H>\d{1,2})[:.](?P<M>\d{2})$")


class TimeProblem(enum.StrEnum):
    FORMAT = "format"  # not a date and time we can read
    NONEXISTENT = "nonexistent"  # skipped by the spring-forward change


class LocalTimeError(ValueError):
    def __init__(self, problem: TimeProblem, text: str) -> None:
        super().__init__(f"{problem}: {text!r}")
        self.problem = problem
        self.text = text


@dataclass(frozen=True)
class LocalMoment:
    utc: datetime
    ambiguous: bool  # the local time happened twice; the first occurrence was taken


def parse_local_datetime(text: str) -> datetime:
    """``15.03.2027 17:30`` or ``2027-03-15 17:30`` as a naive local date-time."""
    cleaned = " ".join(text.split())
    for pattern in _DATE_TIME:
        match = pattern.match(cleaned)
        if match is None:
            continue
        try:
            return datetime(int(match["y"]), int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"]))
        except ValueError:
            break
    raise LocalTimeError(TimeProblem.FORMAT, text)


def parse_clock_time(text: str) -> time:
    """``17:30`` or ``17.30`` as a time of day."""
    match = _CLOCK.match(text.strip())
    if match is not None:
        hour, minute = int(match["H"]), int(match["M"])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise LocalTimeError(TimeProblem.FORMAT, text)


def local_to_utc(local: datetime, tz: ZoneInfo) -> LocalMoment:
    """Place a naive local time in the zone; refuse a skipped time, take fold=0 for a repeated one."""
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    utc = first.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local:
        raise LocalTimeError(TimeProblem.NONEXISTENT, local.strftime("%d.%m.%Y %H:%M"))
    return LocalMoment(utc, ambiguous=first.utcoffset() != second.utcoffset())


def parse_local(text: str, tz: ZoneInfo) -> LocalMoment:
    """Typed local date and time to UTC, with the daylight-saving rules above."""
    return local_to_utc(parse_local_datetime(text), tz)


def end_on_day(text: str, start_local: date, tz: ZoneInfo) -> LocalMoment:
    """An end typed as a time (same day as the start) or as a full date and time."""
    try:
        clock = parse_clock_time(text)
    except LocalTimeError:
        return parse_local(text, tz)
    return local_to_utc(datetime.combine(start_local, clock), tz)
