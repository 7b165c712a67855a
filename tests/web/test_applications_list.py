"""The applications list: newest first, 50 a page, filters that combine and stay in the address,
the search box, the number of matches and the mark on possible duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape

from bot.runtime import Runtime
from bot.services import decisions
from bot.services.decisions import Decision
from tests.support.applicants import add_application, add_staff
from tests.support.console import Signed, listed, text_of


async def _people(runtime: Runtime) -> dict[str, str]:
    """Six applicants who differ in one thing each; returns name -> reference."""
    now = runtime.clock.now()
    made = {}
    specs = [
        ("Arta Krasniqi", {"municipality": "prishtine", "birth_date": "2004-03-15", "heard_from": "friends"}),
        ("Besnik Gashi", {"gender": "male", "birth_date": "2010-01-01", "heard_from": "school"}),
        ("Drita Berisha", {"municipality": "prizren", "birth_date": "1998-05-01", "source": "fb_autumn"}),
        ("Era Hoxha", {"programme_code": "pro2y-networks", "birth_date": "2003-07-07", "heard_from": "friends"}),
        ("Milica Jovanović", {"municipality": "gracanice", "birth_date": "2006-02-02", "heard_from": "event"}),
        ("Luan Morina", {"gender": "male", "birth_date": "1999-01-01", "heard_from": "social_media"}),
    ]
    for number, (name, extra) in enumerate(specs):
        made[name] = await add_application(
            runtime,
            str(100 + number),
            name=name,
            phone=f"+3834455500{number}",
            at=now - timedelta(days=10 * number),  # Arta is the newest, Luan applied 50 days ago
            **extra,  # type: ignore[arg-type]
        )
    (staff_id,) = await add_staff(runtime)
    async with runtime.db.transaction() as tx:
        await decisions.decide(
            tx, made["Luan Morina"], Decision.REJECTED, staff_id=staff_id, settings=runtime.settings, now=now
        )
    return made


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["Arta Krasniqi", "Besnik Gashi", "Drita Berisha", "Era Hoxha", "Milica Jovanović", "Luan Morina"]),
        ("programme=pro2y-networks", ["Era Hoxha"]),
        ("status=rejected", ["Luan Morina"]),
        ("municipality=prizren", ["Drita Berisha"]),
        ("gender=male", ["Besnik Gashi", "Luan Morina"]),
        ("age_group=15-17", ["Besnik Gashi"]),
        ("age_group=18-24", ["Arta Krasniqi", "Era Hoxha", "Milica Jovanović"]),
        ("age_group=25-29", ["Drita Berisha", "Luan Morina"]),
        ("source=fb_autumn", ["Drita Berisha"]),
        ("source=friends", ["Arta Krasniqi", "Era Hoxha"]),
        ("date_from=2026-10-28&date_to=2026-11-17", ["Besnik Gashi", "Drita Berisha", "Era Hoxha"]),
        ("gender=female&municipality=prishtine&age_group=18-24", ["Arta Krasniqi", "Era Hoxha"]),
        ("gender=female&municipality=prishtine&source=friends&programme=pro2y-software", ["Arta Krasniqi"]),
        ("status=submitted&gender=male", ["Besnik Gashi"]),
    ],
)
async def test_each_filter_and_their_combinations(
    runtime: Runtime, coordinator: Signed, query: str, names: list[str]
) -> None:
    made = await _people(runtime)
    response = await coordinator.http.get(f"/applications?{query}", follow_redirects=True)
    assert response.status_code == 200
    assert listed(response.text) == [made[n] for n in names]  # newest first
    count = f"{len(names)} application matches." if len(names) == 1 else f"{len(names)} applications match."
    assert count in text_of(response.text)


async def test_the_filter_stays_in_the_address_form_and_export_links(runtime: Runtime, coordinator: Signed) -> None:
    await _people(runtime)
    response = await coordinator.http.get(
        "/applications?search=Hox&programme=&gender=female&age_group=18-24&unknown=1&page=1", follow_redirects=True
    )
    assert str(response.url) == "http://127.0.0.1/applications?gender=female&age_group=18-24&search=Hox"
    html = response.text
    assert '<option value="female" selected>Female</option>' in html
    assert '<option value="18-24" selected>18–24</option>' in html
    assert 'name="search" type="search" value="Hox"' in html
    query = escape("gender=female&age_group=18-24&search=Hox")
    assert f'href="/applications.csv?{query}"' in html and f'href="/applications.xlsx?{query}"' in html
    assert f'name="back" value="{query}"' in html  # a bulk decision comes back to the same list
    assert "unknown" not in html.split('role="search"')[1]


async def test_fifty_a_page_newest_first_with_pages_that_keep_the_filter(runtime: Runtime, coordinator: Signed) -> None:
    now = runtime.clock.now()
    references = [
        await add_application(runtime, str(5000 + i), phone=f"+383447{i:05d}", name=f"Vesa Shala {chr(65 + i % 26)}", at=now - timedelta(hours=i))
        for i in range(53)
    ]  # fmt: skip
    await add_application(runtime, "6000", phone="+38349999999", gender="male", name="Petar Petrović")
    first = await coordinator.http.get("/applications?gender=female")
    assert listed(first.text) == references[:50]
    assert "53 applications match." in text_of(first.text) and "Page 1 of 2" in text_of(first.text)
    assert 'href="/applications?gender=female&amp;page=2" rel="next"' in first.text
    second = await coordinator.http.get("/applications?gender=female&page=2")
    assert listed(second.text) == references[50:]
    assert 'href="/applications?gender=female&amp;page=1" rel="prev"' in second.text
    assert listed((await coordinator.http.get("/applications?gender=female&page=3")).text) == []
    unfiltered = await coordinator.http.get("/applications?page=nonsense", follow_redirects=True)
    assert str(unfiltered.url) == "http://127.0.0.1/applications"
    assert listed(unfiltered.text)[0] not in references  # Petar is the newest


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("krasniqi", "Arta Krasniqi"),
        ("Jovanović", "Milica Jovanović"),
        ("044 555 002", "Drita Berisha"),  # as people write it locally
        ("+383 44 555 003", "Era Hoxha"),
        ("{reference}", "Besnik Gashi"),
        ("{reference_lower}", "Besnik Gashi"),
    ],
)
async def test_the_search_box_finds_by_name_reference_or_phone(
    runtime: Runtime, coordinator: Signed, typed: str, who: str
) -> None:
    made = await _people(runtime)
    reference = made["Besnik Gashi"]
    typed = typed.format(reference=reference, reference_lower=reference.lower())
    response = await coordinator.http.get("/applications", params={"search": typed}, follow_redirects=True)
    assert listed(response.text) == [made[who]]


async def test_a_search_with_wildcards_matches_them_literally(runtime: Runtime, coordinator: Signed) -> None:
    await _people(runtime)
    response = await coordinator.http.get("/applications", params={"search": "%"}, follow_redirects=True)
    assert listed(response.text) == [] and "No application matches this filter." in response.text


async def test_possible_duplicates_are_marked(runtime: Runtime, coordinator: Signed) -> None:
    now = runtime.clock.now()
    same_phone = await add_application(runtime, "1", name="Nora Kelmendi", phone="+38344000111", at=now)
    other_programme = await add_application(
        runtime, "2", name="Nora K", phone="+38344000111", programme_code="pro2y-networks", at=now - timedelta(hours=1)
    )
    twin = await add_application(runtime, "3", name="Ardit Bytyqi", phone="+38344000222", at=now - timedelta(hours=2))
    twin_again = await add_application(
        runtime, "4", name="ardit bytyqi", phone="+38344000333", at=now - timedelta(hours=3)
    )
    alone = await add_application(runtime, "5", name="Ardit Bytyqi", phone="+38344000444", birth_date="2001-01-01")
    response = await coordinator.http.get("/applications")
    rows = {ref: row for ref, row in zip(listed(response.text), response.text.split("<tr>")[2:], strict=True)}
    marked = {ref for ref, row in rows.items() if "Possible duplicate" in row}
    assert marked == {same_phone, other_programme, twin, twin_again}
    assert alone in rows


async def test_a_new_campaign_joins_the_source_filter_with_its_first_application(
    runtime: Runtime, coordinator: Signed
) -> None:
    await _people(runtime)
    before = await coordinator.http.get("/applications")
    assert '<option value="fb_autumn">Campaign link: fb_autumn</option>' in before.text
    assert "school_tour" not in before.text
    await add_application(runtime, "900", name="Ardit Rama", phone="+38344999000", source="school_tour")
    after = await coordinator.http.get("/applications")
    assert '<option value="school_tour">Campaign link: school_tour</option>' in after.text
