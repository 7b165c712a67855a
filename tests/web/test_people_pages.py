"""The people list and the person page: search, filters, paging, every record of one person, and erasure."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from markupsafe import escape

from bot.runtime import Runtime
from bot.services.staff import Role
from storage import audit as audit_store
from storage import users
from storage.audit import AuditFilter
from tests.support.applicants import add_application
from tests.support.chat import Chat
from tests.support.console import client, csrf_of, make_account, sign_in
from tests.support.openings import add_person
from tests.support.people import EMAIL, EMPLOYER_TYPED, MOTIVATION, NAME, PHONE, seed_person


def names_listed(html: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', html)


@asynccontextmanager
async def signed_in(runtime: Runtime, role: Role) -> AsyncIterator[httpx.AsyncClient]:
    await make_account(runtime, role)
    async with client(runtime) as http:
        assert (await sign_in(http, f"{role.value}@example.org")).status_code == 303
        yield http


async def test_the_list_shows_everyone_with_their_channel_language_and_preferences(runtime: Runtime) -> None:
    await add_application(runtime, "501", name="Arta Krasniqi", phone="+38344111222")
    await add_person(runtime, "vb-1", channel="viber", language="sr", alerts_on=True)
    await add_person(runtime, "502", language=None)
    async with runtime.db.transaction() as tx:
        await users.mark_unreachable(tx, "telegram", "502", runtime.clock.now())
    async with signed_in(runtime, Role.COORDINATOR) as http:
        response = await http.get("/people")
    assert response.status_code == 200
    assert sorted(names_listed(response.text)) == ["Arta Krasniqi", "Person 502", "Person vb-1"]
    assert "3 people" in response.text
    row = response.text.split("Person vb-1")[1].split("</tr>")[0]
    assert "Viber" in row and "Српски" in row and ">on<" in row


async def test_search_by_name_and_by_phone_typed_locally(runtime: Runtime) -> None:
    await add_application(runtime, "501", name="Arta Krasniqi", phone="+38344111222")
    await add_application(runtime, "502", name="Blerim Gashi", phone="+38349333444")
    async with signed_in(runtime, Role.COORDINATOR) as http:
        by_name = await http.get("/people", params={"q": "krasn"})
        by_phone = await http.get("/people", params={"q": "049 333 444"})
        nobody = await http.get("/people", params={"q": "Zzz"})
    assert names_listed(by_name.text) == ["Arta Krasniqi"]
    assert names_listed(by_phone.text) == ["Blerim Gashi"]
    assert names_listed(nobody.text) == [] and "Nobody matches." in nobody.text
    assert 'value="krasn"' in by_name.text  # the typed search stays in the form


async def test_filters_by_channel_language_and_reachability_combine(runtime: Runtime) -> None:
    await add_person(runtime, "t-sq", language="sq")
    await add_person(runtime, "t-en", language="en")
    await add_person(runtime, "t-none", language=None)
    await add_person(runtime, "v-sq", channel="viber", language="sq")
    async with runtime.db.transaction() as tx:
        await users.mark_unreachable(tx, "viber", "v-sq", runtime.clock.now())
    async with signed_in(runtime, Role.COORDINATOR) as http:

        async def listed(**params: str) -> list[str]:
            return sorted(names_listed((await http.get("/people", params=params)).text))

        assert await listed(channel="viber") == ["Person v-sq"]
        assert await listed(language="sq") == ["Person t-sq", "Person v-sq"]
        assert await listed(language="sq", channel="telegram") == ["Person t-sq"]
        assert await listed(language="none") == ["Person t-none"]
        assert await listed(reachable="no") == ["Person v-sq"]
        assert await listed(reachable="yes", language="sq") == ["Person t-sq"]
        assert len(await listed(language="klingon")) == 4  # an unknown value is ignored


async def test_fifty_a_page_newest_contact_first(runtime: Runtime) -> None:
    for n in range(53):
        await add_person(runtime, f"p{n:02d}")
        runtime.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    async with signed_in(runtime, Role.COORDINATOR) as http:
        first = await http.get("/people")
        second = await http.get("/people", params={"page": "2"})
        filtered = await http.get("/people", params={"page": "2", "channel": "telegram"})
        for odd in ("0", "-1", "x", "99999999999999999999999"):
            response = await http.get("/people", params={"page": odd})
            assert response.status_code == 200 and "Page 1 of 2" in response.text, odd
        beyond = await http.get("/people", params={"page": "7"})
    assert "Page 2 of 2" in beyond.text and "Person p00" in beyond.text  # past the end: the last page
    assert len(names_listed(first.text)) == 50
    assert names_listed(first.text)[0] == "Person p52"
    assert names_listed(second.text) == ["Person p02", "Person p01", "Person p00"]
    assert "Page 2 of 2" in second.text and 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert "/people?channel=telegram&amp;page=1" in filtered.text  # paging keeps the filter
    assert "53 people" in first.text


async def test_the_person_page_shows_every_record_of_the_person(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    async with signed_in(runtime, Role.COORDINATOR) as http:
        page = (await http.get(f"/people/{seeded.user_id}")).text
        other = (await http.get(f"/people/{seeded.other_user_id}")).text
    assert escape(NAME) in page and PHONE in page and EMAIL in page
    assert f'<a href="/applications/{seeded.application_id}">{seeded.reference}</a>' in page
    assert "received, under review" in page or "accepted" in page
    assert "Web 2027 1 (web-2027-1)" in page  # the enrolment
    assert "Git basics" in page and "will come" in page  # the answer to a session
    assert "Employment follow-up survey" in page and "Employed full-time" in page  # survey answers, as texts
    assert escape(EMPLOYER_TYPED) in page  # typed answers are shown to coordinators
    assert "Junior web developer" in page and "Acme Sh.p.k." in page  # interest in an opening
    assert "Records moved here from a Viber account" in page
    assert f'href="/people/{seeded.other_user_id}"' in page
    assert "Records moved to a Telegram account" in other
    assert "(web)" in page  # alert tracks
    assert MOTIVATION not in page  # the person page is not the application page
    assert "/erase" not in page  # a coordinator cannot erase


async def test_an_unknown_person_is_404(runtime: Runtime) -> None:
    async with signed_in(runtime, Role.COORDINATOR) as http:
        assert (await http.get("/people/4242")).status_code == 404


async def test_an_admin_erases_a_person_after_confirmation_and_it_is_audited(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    async with signed_in(runtime, Role.ADMIN) as http:
        page = await http.get(f"/people/{seeded.user_id}")
        assert f'href="/people/{seeded.user_id}/erase"' in page.text
        confirm = await http.get(f"/people/{seeded.user_id}/erase")
        assert confirm.status_code == 200 and "This cannot be undone." in confirm.text
        async with runtime.db.reading() as conn:
            assert await users.get(conn, seeded.user_id) is not None  # the confirmation page changes nothing
        done = await http.post(f"/people/{seeded.user_id}/erase", data={"csrf": csrf_of(confirm.text)})
        assert (done.status_code, done.headers["location"]) == (303, f"/people/{seeded.user_id}")
        after = await http.get(f"/people/{seeded.user_id}")
        listed = await http.get("/people")
        trail = await http.get("/audit", params={"action": "person.erase"})
    assert f'<a href="/people/{seeded.user_id}">person {seeded.user_id}</a>' in trail.text
    assert after.status_code == 200 and "This person's data was erased on" in after.text
    for value in (NAME, PHONE, EMAIL, EMPLOYER_TYPED):
        assert str(escape(value)) not in after.text and str(escape(value)) not in listed.text
    async with runtime.db.reading() as conn:
        assert await users.get(conn, seeded.user_id) is None
        async with conn.execute(
            "SELECT full_name, phone, email, motivation, user_id FROM applications WHERE id = ?",
            (seeded.application_id,),
        ) as cur:
            assert tuple(await cur.fetchone()) == (None, None, None, None, None)  # type: ignore[arg-type]
        async with conn.execute(
            "SELECT count(*) FROM survey_answers WHERE invitation_id = ? AND free_text = 1", (seeded.invitation_id,)
        ) as cur:
            assert (await cur.fetchone())[0] == 0  # type: ignore[index]
        [entry] = await audit_store.search(conn, AuditFilter(action="person.erase"))
    assert (entry.target_kind, entry.target_id) == ("person", str(seeded.user_id))
    assert entry.staff_email == "admin@example.org"
    recorded = str(entry.detail)
    assert all(v not in recorded for v in (NAME, PHONE, EMAIL, "Zana"))


async def test_a_coordinator_cannot_erase(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    async with signed_in(runtime, Role.COORDINATOR) as http:
        csrf = csrf_of((await http.get("/people")).text)
        assert (await http.get(f"/people/{seeded.user_id}/erase")).status_code == 403
        assert (await http.post(f"/people/{seeded.user_id}/erase", data={"csrf": csrf})).status_code == 403
    async with runtime.db.reading() as conn:
        assert await users.get(conn, seeded.user_id) is not None
        assert await audit_store.search(conn, AuditFilter(action="person.erase")) == []


async def test_an_erasure_without_the_csrf_token_is_refused(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    async with signed_in(runtime, Role.ADMIN) as http:
        assert (await http.post(f"/people/{seeded.user_id}/erase", data={"csrf": "forged"})).status_code == 403
        assert (await http.post(f"/people/{seeded.user_id}/erase")).status_code == 403
    async with runtime.db.reading() as conn:
        assert await users.get(conn, seeded.user_id) is not None
        assert await audit_store.search(conn, AuditFilter(action="person.erase")) == []


async def test_erasing_twice_records_one_erasure(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    async with signed_in(runtime, Role.ADMIN) as http:
        csrf = csrf_of((await http.get(f"/people/{seeded.user_id}/erase")).text)
        for _ in range(2):
            assert (await http.post(f"/people/{seeded.user_id}/erase", data={"csrf": csrf})).status_code == 303
        assert (await http.get(f"/people/{seeded.user_id}/erase")).headers["location"] == f"/people/{seeded.user_id}"
    async with runtime.db.reading() as conn:
        assert len(await audit_store.search(conn, AuditFilter(action="person.erase"))) == 1


async def test_the_last_contact_is_when_the_person_last_wrote(runtime: Runtime) -> None:
    chat = Chat(runtime, "8001")
    await chat.send("/start")
    runtime.clock.advance(timedelta(days=2, hours=3))  # type: ignore[attr-defined]
    await chat.send("/help")
    async with signed_in(runtime, Role.COORDINATOR) as http:
        row = (await http.get("/people")).text.split("<tbody>")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(\d\d/\d\d/\d{4}, \d\d:\d\d)</td>", row) == ["27/11/2026, 10:00", "29/11/2026, 13:00"]
