"""The console's list of applications: filters that combine, paging, totals, duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.runtime import Runtime
from bot.services import application_filters
from storage.application_search import ApplicationFilter, ApplicationPage, search
from tests.support.applicants import add_application


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


async def run(runtime: Runtime, f: ApplicationFilter, page: int = 1, per_page: int = 50) -> ApplicationPage:
    async with runtime.db.reading() as conn:
        return await search(conn, f, page=page, per_page=per_page, today=date(2026, 11, 30))


async def test_filters_combine_and_the_newest_come_first(runtime: Runtime) -> None:
    a = await add_application(runtime, "1", name="Arta Krasniqi", municipality="prishtine", at=at(1))
    b = await add_application(
        runtime, "2", name="Besnik Gashi", gender="male", phone="+38344000002", municipality="prizren", at=at(2)
    )
    c = await add_application(
        runtime, "3", name="Drita Berisha", programme_code="pro2y-networks", phone="+38344000003", at=at(3)
    )
    d = await add_application(runtime, "4", name="Era Hoxha", phone="+38344000004", source="fb-autumn", at=at(4))
    everything = await run(runtime, ApplicationFilter())
    assert [r.reference for r in everything.rows] == [d, c, b, a] and everything.total == 4
    assert [r.reference for r in (await run(runtime, ApplicationFilter(programme="pro2y-networks"))).rows] == [c]
    women_in_prishtina = ApplicationFilter(gender="female", municipality="prishtine", programme="pro2y-software")
    assert [r.reference for r in (await run(runtime, women_in_prishtina)).rows] == [d, a]
    assert [r.reference for r in (await run(runtime, ApplicationFilter(source="fb-autumn"))).rows] == [d]
    assert (await run(runtime, ApplicationFilter(status="accepted"))).total == 0
    assert [r.reference for r in (await run(runtime, ApplicationFilter(status="submitted", gender="male"))).rows] == [b]


async def test_heard_from_counts_as_source(runtime: Runtime) -> None:
    ref = await add_application(runtime, "1", heard_from="friends")
    await add_application(runtime, "2", phone="+38344000002", heard_from="school")
    assert [r.reference for r in (await run(runtime, ApplicationFilter(source="friends"))).rows] == [ref]


async def test_paging_keeps_the_total(runtime: Runtime) -> None:
    refs = [await add_application(runtime, str(i), phone=f"+3834400{i:04d}", at=at(1 + i)) for i in range(7)]
    first, last = await run(runtime, ApplicationFilter(), 1, 3), await run(runtime, ApplicationFilter(), 3, 3)
    assert first.total == last.total == 7 and first.pages == 3
    assert [r.reference for r in first.rows] == refs[::-1][:3]
    assert [r.reference for r in last.rows] == [refs[0]]
    assert (await run(runtime, ApplicationFilter(), 9, 3)).rows == []


async def test_age_groups_are_the_age_on_the_day_of_application(runtime: Runtime) -> None:
    seventeen = await add_application(runtime, "1", birth_date="2009-11-02", at=at(1))  # 17 on 1 Nov 2026
    eighteen = await add_application(runtime, "2", birth_date="2008-11-01", phone="+38344000002", at=at(1))
    twenty_nine = await add_application(runtime, "3", birth_date="1997-11-02", phone="+38344000003", at=at(1))
    assert [r.reference for r in (await run(runtime, ApplicationFilter(age_group="15-17"))).rows] == [seventeen]
    assert [r.reference for r in (await run(runtime, ApplicationFilter(age_group="18-24"))).rows] == [eighteen]
    assert [r.reference for r in (await run(runtime, ApplicationFilter(age_group="25-29"))).rows] == [twenty_nine]
    assert (await run(runtime, ApplicationFilter(age_group="nonsense"))).total == 0


async def test_date_range_is_of_local_days_and_includes_both(runtime: Runtime) -> None:
    # 22:00 UTC is 23:00 in Pristina in November: the same day; 23:00 UTC is already the next day there.
    refs = [await add_application(runtime, str(d), phone=f"+383440000{d:02d}", at=at(d, 22)) for d in (1, 2, 3, 4)]
    await add_application(runtime, "5", phone="+38344000005", at=at(3, 23))  # 00:00 on 4 November, local
    found = await run(runtime, ApplicationFilter(date_from=date(2026, 11, 2), date_to=date(2026, 11, 3)))
    assert [r.reference for r in found.rows] == [refs[2], refs[1]]


async def test_search_by_name_reference_or_phone(runtime: Runtime) -> None:
    arta = await add_application(runtime, "1", name="Arta Krasniqi", phone="+38344111222")
    jovan = await add_application(runtime, "2", name="Јован Петровић", phone="+38163555666")
    assert [r.reference for r in (await run(runtime, ApplicationFilter(search="krasn"))).rows] == [arta]
    assert [r.reference for r in (await run(runtime, ApplicationFilter(search="Петров"))).rows] == [jovan]
    assert [r.reference for r in (await run(runtime, ApplicationFilter(search=arta.lower()))).rows] == [arta]
    assert [r.reference for r in (await run(runtime, ApplicationFilter(search="063 555 666"))).rows] == [jovan]
    assert (await run(runtime, ApplicationFilter(search="100%_"))).total == 0


async def test_possible_duplicates_by_phone_or_name_and_birth_date(runtime: Runtime) -> None:
    one = await add_application(runtime, "1", name="Arta Krasniqi", phone="+38344111222")
    same_phone = await add_application(runtime, "2", name="Someone Else", phone="+38344111222")
    same_person = await add_application(runtime, "3", name="arta krasniqi", phone="+38344999888")
    alone = await add_application(runtime, "4", name="Arta Krasniqi", birth_date="2001-01-01", phone="+38344000004")
    marks = {r.reference: r.possible_duplicate for r in (await run(runtime, ApplicationFilter())).rows}
    assert marks == {one: True, same_phone: True, same_person: True, alone: False}


def test_filter_round_trips_through_the_query_string() -> None:
    f = ApplicationFilter(
        programme="pro2y-software",
        status="shortlisted",
        age_group="18-24",
        date_from=date(2026, 11, 1),
        search="Arta K",
    )
    query = application_filters.serialise(f)
    assert query == "programme=pro2y-software&status=shortlisted&age_group=18-24&date_from=2026-11-01&search=Arta+K"
    assert application_filters.parse(query) == f
    assert application_filters.parse("date_to=31.11.2026&nonsense=1&gender=") == ApplicationFilter()
    assert application_filters.serialise(ApplicationFilter()) == ""
