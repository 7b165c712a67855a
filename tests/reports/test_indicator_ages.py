"""Ages are taken on the local day of application, across the zone's offsets: stored when an application
is made, and worked out once at start-up for applications stored before the day was kept."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.reference.age_groups import age_groups
from bot.reports.indicators import Period, Report, build_report
from bot.runtime import Runtime, open_runtime
from bot.services.application_days import fill_missing
from bot.surveys.loader import catalogue_for
from storage.db import fetch_all
from tests.support.surveys import applicant


async def applied(
    runtime: Runtime, number: int, born: str, at: datetime, forgotten: bool = False, kept_age: int | None = None
) -> None:
    """An application submitted at ``at``; ``forgotten``: one stored before the day and age were kept
    (migration 0020), whose birth date was then erased, keeping ``kept_age`` or only the birth year."""
    async with runtime.db.transaction() as tx:
        app = await applicant(tx, str(3000 + number), at, birth_date=born)
        if forgotten:
            await tx.execute(
                "UPDATE applications SET birth_date = NULL, age_at_application = ?, applied_on = NULL WHERE id = ?",
                (kept_age, app.id),
            )
    await fill_missing(runtime.db, runtime.settings.timezone)


async def report_of(runtime: Runtime, period: Period | None = None, min_age: int = 15, max_age: int = 29) -> Report:
    async with runtime.db.reading() as conn:
        return await build_report(
            conn,
            catalogue_for(runtime.settings.survey_dir),
            runtime.clock.now(),
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


async def stored_days(runtime: Runtime) -> list[tuple[str, int | None]]:
    async with runtime.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT applied_on, age_at_application FROM applications ORDER BY id")
    return [(row[0], row[1]) for row in rows]


NEAR_MIDNIGHT = [  # (born, UTC instant, local day, age that day)
    ("2008-11-27", datetime(2026, 11, 26, 23, 30, tzinfo=UTC), "2026-11-27", 18),  # winter, UTC+1
    ("2008-07-01", datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "2026-07-01", 18),  # summer, UTC+2
    ("2008-07-01", datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "2026-06-30", 17),
    ("2008-03-29", datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29", 18),  # 01:59, before the change
    ("2008-03-29", datetime(2026, 3, 28, 22, 59, tzinfo=UTC), "2026-03-28", 17),  # 23:59 local, winter
]


async def test_an_application_stores_its_local_day_and_the_age_on_it(runtime: Runtime) -> None:
    for n, (born, at, _day, _age) in enumerate(NEAR_MIDNIGHT):
        await applied(runtime, n, born, at)
    assert await stored_days(runtime) == [(day, age) for _born, _at, day, age in NEAR_MIDNIGHT]


async def test_applications_stored_before_the_day_was_kept_get_the_same_day_and_age(runtime: Runtime) -> None:
    for n, (born, at, _day, _age) in enumerate(NEAR_MIDNIGHT):
        await applied(runtime, n, born, at)
    stored = await stored_days(runtime)
    async with runtime.db.transaction() as tx:  # as they were before migration 0020 (and 0015 backfilled the age)
        await tx.execute("UPDATE applications SET applied_on = NULL, age_at_application = 99")
    assert await fill_missing(runtime.db, runtime.settings.timezone) == len(NEAR_MIDNIGHT)
    assert await stored_days(runtime) == stored
    assert await fill_missing(runtime.db, runtime.settings.timezone) == 0  # once only


async def test_the_start_up_fills_the_days_of_older_applications(runtime: Runtime) -> None:
    await applied(runtime, 1, "2008-11-27", datetime(2026, 11, 26, 23, 30, tzinfo=UTC))
    async with runtime.db.transaction() as tx:
        await tx.execute("UPDATE applications SET applied_on = NULL")
    async with open_runtime(runtime.settings, clock=runtime.clock):
        pass
    assert await stored_days(runtime) == [("2026-11-27", 18)]
