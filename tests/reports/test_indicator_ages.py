"""The database counts ages on the local day of application, across the zone's offsets."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.reference.age_groups import age_groups
from bot.reports.indicators import Period, Report, build_report, zone_spans
from bot.runtime import Runtime
from bot.surveys.loader import catalogue_for
from storage.indicator_counts import ZoneSpan
from storage.timefmt import to_db
from tests.support.surveys import applicant


async def applied(
    runtime: Runtime, number: int, born: str, at: datetime, forgotten: bool = False, kept_age: int | None = None
) -> None:
    async with runtime.db.transaction() as tx:
        app = await applicant(tx, str(3000 + number), runtime.clock.now(), birth_date=born)
        await tx.execute("UPDATE applications SET created_at = ? WHERE id = ?", (to_db(at), app.id))
        if forgotten:
            await tx.execute(
                "UPDATE applications SET birth_date = NULL, age_at_application = ? WHERE id = ?", (kept_age, app.id)
            )


async def report_of(runtime: Runtime, period: Period | None = None, min_age: int = 15, max_age: int = 29) -> Report:
    async with runtime.db.reading() as conn:
        return await build_report(
            conn,
            catalogue_for(runtime.settings.survey_dir),
            runtime.clock.now(),
            runtime.settings.timezone,
            period,
            age_groups(min_age, max_age),
        )


def ages(report: Report) -> dict[str, int]:
    return {name: counts.applicants for name, counts in sorted(report.by_age.items())}


async def test_the_age_is_taken_on_the_local_day_in_winter_and_in_summer(runtime: Runtime) -> None:
    assert runtime.settings.timezone == ZoneInfo("Europe/Belgrade")
    # 23:30 UTC is already the next day in Pristina: 00:30 in winter (UTC+1), 01:30 in summer (UTC+2).
    await applied(runtime, 1, "2008-11-27", datetime(2026, 11, 26, 23, 30, tzinfo=UTC))  # 18 that local day
    await applied(runtime, 2, "2008-11-28", datetime(2026, 11, 26, 23, 30, tzinfo=UTC))  # still 17
    await applied(runtime, 3, "2008-07-01", datetime(2026, 6, 30, 22, 30, tzinfo=UTC))  # 18 on 1 July local
    await applied(runtime, 4, "2008-07-01", datetime(2026, 6, 30, 21, 30, tzinfo=UTC))  # 23:30 on 30 June: 17
    report = await report_of(runtime)
    assert ages(report) == {"15-17": 2, "18-24": 2}


async def test_the_birth_year_alone_after_forget(runtime: Runtime) -> None:
    await applied(runtime, 1, "2008-12-31", datetime(2026, 3, 1, 10, tzinfo=UTC), forgotten=True)  # 2026 - 2008
    await applied(runtime, 2, "2008-12-31", datetime(2026, 3, 1, 10, tzinfo=UTC))  # 17 by the date
    await applied(runtime, 3, "2008-12-31", datetime(2026, 3, 1, 10, tzinfo=UTC), forgotten=True, kept_age=17)
    assert ages(await report_of(runtime)) == {"15-17": 2, "18-24": 1}


async def test_the_configured_range_sets_the_groups(runtime: Runtime) -> None:
    await applied(runtime, 1, "2009-01-01", datetime(2026, 3, 1, 10, tzinfo=UTC))  # 17
    await applied(runtime, 2, "2001-01-01", datetime(2026, 3, 1, 10, tzinfo=UTC))  # 25
    await applied(runtime, 3, "1990-01-01", datetime(2026, 3, 1, 10, tzinfo=UTC))  # 36
    report = await report_of(runtime, min_age=16, max_age=30)
    assert ages(report) == {"16-17": 1, "25-30": 1, "other": 1}
    assert [g.name for g in report.age_groups] == ["16-17", "18-24", "25-30"]


async def test_the_period_holds_local_days(runtime: Runtime) -> None:
    await applied(runtime, 1, "2005-01-01", datetime(2026, 11, 26, 22, 59, tzinfo=UTC))  # 23:59 on 26 Nov local
    await applied(runtime, 2, "2005-01-01", datetime(2026, 11, 26, 23, 0, tzinfo=UTC))  # 00:00 on 27 Nov local
    await applied(runtime, 3, "2005-01-01", datetime(2026, 11, 27, 22, 59, tzinfo=UTC))  # 23:59 on 27 Nov local
    one_day = Period(datetime(2026, 11, 27).date(), datetime(2026, 11, 27).date())
    assert (await report_of(runtime, one_day)).total.applicants == 2


def test_the_zone_s_offsets_change_on_the_minute() -> None:
    spans = zone_spans(
        ZoneInfo("Europe/Belgrade"), datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert spans == [
        ZoneSpan(None, 60),
        ZoneSpan(datetime(2026, 3, 29, 1, tzinfo=UTC), 120),
        ZoneSpan(datetime(2026, 10, 25, 1, tzinfo=UTC), 60),
    ]
    assert zone_spans(UTC, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)) == [ZoneSpan(None, 0)]
