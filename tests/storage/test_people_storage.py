"""storage.people: the list's search and filters, the last contact, and one person's records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from storage import audit, people, users
from storage.people import PersonFilter
from tests.support.applicants import add_application
from tests.support.people import EMAIL, NAME, PHONE, seed_person

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def test_the_last_contact_moves_when_the_person_writes_not_when_their_row_changes(runtime: Runtime) -> None:
    async with runtime.db.transaction() as tx:
        user, _ = await users.get_or_create(tx, "telegram", "1", "1", "A", T0)
        await users.set_language(tx, user.id, "sq", T0 + timedelta(days=1))
        await users.mark_unreachable(tx, "telegram", "1", T0 + timedelta(days=2))
        [row] = (await people.search(tx, PersonFilter(), page=1)).rows
        assert (row.first_contact, row.last_contact, row.reachable) == (T0, T0, False)
        await users.get_or_create(tx, "telegram", "1", "1", "A", T0 + timedelta(days=3))
        await users.get_or_create(tx, "telegram", "1", "1", "A", T0 + timedelta(days=4))
        [row] = (await people.search(tx, PersonFilter(), page=1)).rows
    assert (row.first_contact, row.last_contact, row.reachable) == (T0, T0 + timedelta(days=4), True)


async def test_the_last_contact_is_kept_to_the_minute_the_console_shows(runtime: Runtime) -> None:
    """Written once a minute, not at every step of a form: the first contact of the latest minute."""

    async def last_contact_after_writing_at(moment: datetime) -> datetime:
        async with runtime.db.transaction() as tx:
            await users.get_or_create(tx, "telegram", "1", "1", "A", moment)
            [row] = (await people.search(tx, PersonFilter(), page=1)).rows
        return row.last_contact

    first = T0 + timedelta(seconds=10)
    assert await last_contact_after_writing_at(first) == first  # a new person
    assert await last_contact_after_writing_at(T0 + timedelta(seconds=20)) == first  # same minute: as stored
    assert await last_contact_after_writing_at(T0 + timedelta(seconds=59, microseconds=999_999)) == first
    next_minute = T0 + timedelta(minutes=1, seconds=5)  # 55 s after the stored one, but a new minute
    assert await last_contact_after_writing_at(next_minute) == next_minute
    assert await last_contact_after_writing_at(T0 + timedelta(days=3)) == T0 + timedelta(days=3)


async def test_search_matches_the_chat_name_the_applicant_name_and_the_phone(runtime: Runtime) -> None:
    await add_application(runtime, "1", name="Arta Krasniqi", phone="+38344111222")
    async with runtime.db.transaction() as tx:
        await users.get_or_create(tx, "viber", "v1", "v1", "Drita 100%_", T0)

        async def ids(text: str) -> list[str | None]:
            return [r.name for r in (await people.search(tx, PersonFilter(search=text), page=1)).rows]

        assert await ids("arta") == ["Arta Krasniqi"]
        assert await ids("044 111 222") == ["Arta Krasniqi"]
        assert await ids("38344111222") == ["Arta Krasniqi"]
        assert await ids("1112") == []  # fewer than five digits is not a phone search
        assert await ids("100%_") == ["Drita 100%_"]  # LIKE wildcards are taken literally
        assert await ids("%") == ["Drita 100%_"]
        assert await ids("_") == ["Drita 100%_"]


async def test_paging_and_the_count(runtime: Runtime) -> None:
    async with runtime.db.transaction() as tx:
        for n in range(7):
            await users.get_or_create(tx, "telegram", str(n), str(n), f"P{n}", T0 + timedelta(minutes=n))
        first = await people.search(tx, PersonFilter(), page=1, per_page=3)
        last = await people.search(tx, PersonFilter(), page=3, per_page=3)
        none = await people.search(tx, PersonFilter(channel="viber"), page=1, per_page=3)
    assert (first.total, first.pages, [r.name for r in first.rows]) == (7, 3, ["P6", "P5", "P4"])
    assert [r.name for r in last.rows] == ["P0"]
    assert (none.total, none.pages, none.rows) == (0, 1, [])


async def test_one_person_with_every_record(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    async with runtime.db.reading() as conn:
        person = await people.get(conn, seeded.user_id, runtime.clock.now())
        assert await people.get(conn, 4242, runtime.clock.now()) is None
    assert person is not None
    assert (person.row.name, person.row.display_name, person.row.alerts) == (NAME, "Zana Telegramovna", True)
    assert person.alert_tracks == ("web",) and person.reminders_on
    [app] = person.applications
    assert (app.id, app.reference, app.phone, app.email) == (seeded.application_id, seeded.reference, PHONE, EMAIL)
    [enrolment] = person.enrolments
    assert (enrolment.cohort_code, enrolment.status, enrolment.sessions_past, enrolment.said_yes) == (
        "web-2027-1",
        "enrolled",
        1,
        1,
    )
    [rsvp] = person.rsvps
    assert (rsvp.session_id, rsvp.answer) == (seeded.session_id, "yes")
    [survey] = person.surveys
    assert {a.question_id: a.value for a in survey.answers} == {
        "employment_status": "employed_full_time",
        "employer": "Kompania Sekrete Lulëkuqe",
        "job_in_ict": "yes",
    }
    [interest] = person.interests
    assert interest.opening_id == seeded.opening_id
    [linked] = person.linked
    assert (linked.user_id, linked.channel, linked.into_this) == (seeded.other_user_id, "viber", True)


async def test_the_newest_entry_of_an_action_on_a_target(runtime: Runtime) -> None:
    async with runtime.db.transaction() as tx:
        for hour, target in ((1, "7"), (2, "8"), (3, "7")):
            await audit.append(
                tx,
                at=T0 + timedelta(hours=hour),
                staff_id=None,
                action="person.erase",
                target_kind="person",
                target_id=target,
                detail={},
            )
        found = await audit.latest_on(tx, "person.erase", "person", "7")
        missing = await audit.latest_on(tx, "person.erase", "person", "9")
    assert found is not None and found.at == T0 + timedelta(hours=3)
    assert missing is None
