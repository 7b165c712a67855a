"""Stored timestamps: one text form in UTC, whatever zone the moment came in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage.timefmt import from_db, to_db

BELGRADE_WINTER = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 12, 3, 7, 30, 5, 123456, tzinfo=UTC), "2026-12-03T07:30:05.123456Z"),
        (datetime(2026, 12, 3, 7, 30, tzinfo=UTC), "2026-12-03T07:30:00.000000Z"),  # no microseconds: still six digits
        (datetime(2026, 12, 3, 0, 15, tzinfo=BELGRADE_WINTER), "2026-12-02T23:15:00.000000Z"),  # the day before in UTC
    ],
)
def test_the_text_is_utc_with_microseconds_and_reads_back(moment: datetime, text: str) -> None:
    assert to_db(moment) == text
    assert from_db(text) == moment


def test_the_same_instant_gives_the_same_text_and_another_moment_its_own() -> None:
    moment = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    assert to_db(moment) == to_db(moment.astimezone(BELGRADE_WINTER)) == "2026-12-03T07:30:00.000000Z"
    later = moment + timedelta(microseconds=1)
    assert to_db(later) == "2026-12-03T07:30:00.000001Z"  # not the text kept for the moment before
    assert to_db(moment) == "2026-12-03T07:30:00.000000Z"


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 12, 3, 7, 30))
