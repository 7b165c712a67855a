"""Typed local times to UTC, across Europe/Belgrade's daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings, parse_reminder_offsets
from bot.parsing.localtime import (
    LocalTimeError,
    TimeProblem,
    end_on_day,
    parse_clock_time,
    parse_local,
    parse_local_datetime,
)

TZ = ZoneInfo("Europe/Belgrade")


@pytest.mark.parametrize(
    "text",
    [
        "15.03.2027 17:30",
        "15.3.2027 17:30",
        "15.03.2027. 17:30",
        "15.03.2027, 17.30",
        "2027-03-15 17:30",
        "2027-03-15T17:30",
        " 15.03.2027   17:30 ",
    ],
)
def test_accepted_spellings(text: str) -> None:
    assert parse_local_datetime(text) == datetime(2027, 3, 15, 17, 30)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "15.03.2027",
        "32.03.2027 17:30",
        "15.13.2027 17:30",
        "15.03.2027 24:30",
        "17:30",
        "15/03/2027 17:30",
    ],
)
def test_unreadable_times_are_refused(text: str) -> None:
    with pytest.raises(LocalTimeError) as info:
        parse_local(text, TZ)
    assert info.value.problem == TimeProblem.FORMAT


def test_winter_and_summer_offsets() -> None:
    assert parse_local("15.01.2027 17:30", TZ).utc == datetime(2027, 1, 15, 16, 30, tzinfo=UTC)
    assert parse_local("15.07.2027 17:30", TZ).utc == datetime(2027, 7, 15, 15, 30, tzinfo=UTC)


def test_spring_forward_gap_is_refused() -> None:
    """28 March 2027: clocks jump from 02:00 to 03:00, so 02:30 never happens."""
    with pytest.raises(LocalTimeError) as info:
        parse_local("28.03.2027 02:30", TZ)
    assert info.value.problem == TimeProblem.NONEXISTENT
    assert info.value.text == "28.03.2027 02:30"
    assert parse_local("28.03.2027 01:59", TZ).utc == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert parse_local("28.03.2027 03:00", TZ).utc == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_autumn_repeated_hour_takes_the_first_occurrence() -> None:
    """31 October 2027: 02:00-02:59 happens twice; fold=0 (summer time, UTC+2) is taken."""
    moment = parse_local("31.10.2027 02:30", TZ)
    assert moment.ambiguous
    assert moment.utc == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    after = parse_local("31.10.2027 03:30", TZ)
    assert not after.ambiguous and after.utc == datetime(2027, 10, 31, 2, 30, tzinfo=UTC)


def test_end_as_time_of_day_or_full_date() -> None:
    assert end_on_day("19:00", date(2027, 3, 15), TZ).utc == datetime(2027, 3, 15, 18, 0, tzinfo=UTC)
    assert end_on_day("16.03.2027 01:00", date(2027, 3, 15), TZ).utc == datetime(2027, 3, 16, 0, 0, tzinfo=UTC)
    assert parse_clock_time("9.05") == time(9, 5)
    with pytest.raises(LocalTimeError):
        end_on_day("25:00", date(2027, 3, 15), TZ)


def test_reminder_offsets_setting() -> None:
    assert parse_reminder_offsets("1h, 24h") == parse_reminder_offsets("24h,1h")
    assert [o.total_seconds() for o in parse_reminder_offsets("2d,90m,1h")] == [172800, 5400, 3600]
    assert load_settings(environ={}, env_file=None).reminder_offsets == parse_reminder_offsets("24h,1h")
    for bad in ("", "soon", "24", "0h", "1m", "30d", "1h,2h,3h,4h,5h,6h", "-1h"):
        with pytest.raises(ConfigError, match="REMINDER_OFFSETS"):
            load_settings(environ={"REMINDER_OFFSETS": bad or ","}, env_file=None)
