"""The cohort pages: create and edit, trainees' status and attendance, marking them one by one or in
bulk after a confirmation, graduation through the same service as ``youthbot graduate``, forged posts."""

from __future__ import annotations

from datetime import date

import aiosqlite
from markupsafe import escape

from bot.cli.surveys import graduate as cli_graduate
from bot.runtime import Runtime
from bot.services.staff import Role
from storage import audit as audit_store
from storage import cohorts, register, trainees
from storage.audit import AuditFilter
from storage.cohorts import Cohort
from tests.support.console import Signed, client, csrf_of, make_account, sign_in
from tests.support.training import make_cohort, trainee


async def cohort_waves(conn: aiosqlite.Connection, cohort_id: int) -> list[str]:
    sql = "SELECT i.wave FROM survey_invitations i JOIN enrolments e ON e.id = i.enrolment_id WHERE e.cohort_id = ?"
    async with conn.execute(sql, (cohort_id,)) as cur:
        return sorted(row[0] for row in await cur.fetchall())


async def actions(runtime: Runtime) -> list[str]:
    async with runtime.db.reading() as conn:
        return [e.action for e in await audit_store.search(conn, AuditFilter())]


async def trainee_rows(runtime: Runtime, cohort: Cohort) -> dict[str, register.Trainee]:
    async with runtime.db.reading() as conn:
        return {t.full_name or t.reference: t for t in await register.trainees(conn, cohort.id)}


async def test_a_coordinator_creates_a_cohort_and_edits_its_dates(runtime: Runtime, coordinator: Signed) -> None:
    http, csrf = coordinator.http, coordinator.csrf
    page = await http.get("/cohorts")
    assert page.status_code == 200 and "New cohort" in page.text
    form = {"csrf": csrf, "programme": "1", "code": "web-2027-2", "name": "Web 2027/2", "starts": "2027-03-01"}
    created = await http.post("/cohorts", data=form | {"ends": "2027-06-30"})
    assert created.status_code == 303
    async with runtime.db.reading() as conn:
        cohort = await cohorts.by_code(conn, "web-2027-2")
    assert cohort is not None and created.headers["location"] == f"/cohorts/{cohort.id}"
    assert (cohort.starts_on, cohort.ends_on, cohort.graduates_on) == (date(2027, 3, 1), date(2027, 6, 30), None)
    edit = {"csrf": csrf, "programme": "1", "name": "Web 2027/2 evening", "starts": "2027-03-01", "ends": "2027-07-15"}
    assert (await http.post(f"/cohorts/{cohort.id}", data=edit)).status_code == 303
    async with runtime.db.reading() as conn:
        edited = await cohorts.get(conn, cohort.id)
    assert edited is not None and (edited.name, edited.ends_on) == ("Web 2027/2 evening", date(2027, 7, 15))
    assert "Web 2027/2 evening" in (await http.get("/cohorts")).text
    assert {"cohort.create", "cohort.edit"} <= set(await actions(runtime))


async def test_mistakes_in_the_cohort_form_are_said_and_nothing_is_created(
    runtime: Runtime, coordinator: Signed
) -> None:
    http, csrf = coordinator.http, coordinator.csrf
    base = {"csrf": csrf, "programme": "1", "code": "web-x", "name": "Web X"}
    bad_code = await http.post("/cohorts", data=base | {"code": "web x!"})
    assert bad_code.status_code == 400 and escape("The code must be 1 to 40 letters") in bad_code.text
    backwards = await http.post("/cohorts", data=base | {"starts": "2027-03-01", "ends": "2027-02-01"})
    assert backwards.status_code == 400 and "The planned end is before the start." in backwards.text
    unknown_programme = await http.post("/cohorts", data=base | {"programme": "999"})
    assert unknown_programme.status_code == 400 and "Choose a programme." in unknown_programme.text
    assert (await http.post("/cohorts", data=base)).status_code == 303
    taken = await http.post("/cohorts", data=base)
    assert taken.status_code == 400 and "A cohort with this code exists already." in taken.text
    async with runtime.db.reading() as conn:
        assert [c.code for c in await cohorts.list_all(conn)] == ["web-x"]


async def test_the_cohort_page_lists_trainees_with_status_and_attendance(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    page = await coordinator.http.get(f"/cohorts/{cohort.id}")
    assert page.status_code == 200
    assert "Arta Krasniqi" in page.text and "Blerim Gashi" in page.text
    assert page.text.count("Enrolled") >= 2 and "(0/0)" in page.text
    assert (await coordinator.http.get("/cohorts/999")).status_code == 404


async def test_bulk_completion_asks_first_and_says_how_many(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    rows = await trainee_rows(runtime, cohort)
    ids = [str(rows["Arta Krasniqi"].enrolment_id), str(rows["Blerim Gashi"].enrolment_id)]
    form = {"csrf": coordinator.csrf, "outcome": "completed", "enrolment": ids}
    confirm = await coordinator.http.post(f"/cohorts/{cohort.id}/trainees", data=form)
    assert confirm.status_code == 200 and "Mark 2 trainees as completed?" in confirm.text
    assert "Yes, change 2 trainees" in confirm.text
    assert {t.status for t in (await trainee_rows(runtime, cohort)).values()} == {"enrolled"}
    done = await coordinator.http.post(
        f"/cohorts/{cohort.id}/trainees", data=form | {"confirm": "yes", "on": "2027-06-30"}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/cohorts/{cohort.id}?marked=2"
    assert {t.status for t in (await trainee_rows(runtime, cohort)).values()} == {"completed"}
    assert "Trainees changed: 2" in (await coordinator.http.get(done.headers["location"])).text
    async with runtime.db.reading() as conn:
        (entry,) = await audit_store.search(conn, AuditFilter(action="cohort.trainees_completed"))
    assert entry.detail["count"] == 2 and "Arta" not in str(entry.detail)


async def test_one_trainee_drops_out_with_a_date_and_a_reason_and_stops_getting_reminders(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    arta = (await trainee_rows(runtime, cohort))["Arta Krasniqi"]
    url = f"/cohorts/{cohort.id}/trainees"
    confirm = await coordinator.http.post(url, data={"csrf": coordinator.csrf, "one_dropped": str(arta.enrolment_id)})
    assert "Mark 1 trainee as dropped out?" in confirm.text and "Reason (optional)" in confirm.text
    form = {"csrf": coordinator.csrf, "outcome": "dropped", "enrolment": str(arta.enrolment_id), "confirm": "yes"}
    await coordinator.http.post(url, data=form | {"on": "2027-04-02", "reason": "Found a job"})
    rows = await trainee_rows(runtime, cohort)
    dropped = rows["Arta Krasniqi"]
    assert (dropped.status, dropped.dropped_on, dropped.dropout_reason) == ("dropped", date(2027, 4, 2), "Found a job")
    assert rows["Blerim Gashi"].status == "enrolled"
    async with runtime.db.reading() as conn:
        assert [r.chat_id for r in await trainees.reminder_recipients(conn, cohort.id)] == ["502"]
        (entry,) = await audit_store.search(conn, AuditFilter(action="cohort.trainees_dropped"))
    assert entry.detail["with_reason"] is True and "Found a job" not in str(entry.detail)
    page = await coordinator.http.get(f"/cohorts/{cohort.id}")
    assert "Dropped out" in page.text and "Found a job" in page.text


async def test_forged_marks_leave_other_cohorts_and_unknown_ids_alone(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    other = await make_cohort(runtime, "web-2027-9")
    await trainee(runtime, other, "509", "Dardan Other")
    outsider = (await trainee_rows(runtime, other))["Dardan Other"]
    url = f"/cohorts/{cohort.id}/trainees"
    form = {"csrf": coordinator.csrf, "outcome": "completed", "confirm": "yes", "on": "2027-06-30"}
    refused = await coordinator.http.post(url, data=form | {"enrolment": [str(outsider.enrolment_id), "99999"]})
    assert refused.status_code == 400 and "Choose trainees who are still enrolled." in refused.text
    assert (await trainee_rows(runtime, other))["Dardan Other"].status == "enrolled"
    assert (await coordinator.http.post(url, data=form | {"outcome": "promoted"})).status_code == 404
    assert (await coordinator.http.post("/cohorts/999/trainees", data=form)).status_code == 404
    no_csrf = await coordinator.http.post(url, data={"outcome": "completed", "enrolment": str(outsider.enrolment_id)})
    assert no_csrf.status_code == 403


async def test_viewers_cannot_open_cohorts_and_see_no_names(runtime: Runtime, cohort: Cohort) -> None:
    await make_account(runtime, Role.VIEWER)
    async with client(runtime) as http:
        await sign_in(http, "viewer@example.org")
        home = await http.get("/")
        assert "/cohorts" not in home.text
        for path in ("/cohorts", f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/sessions", "/placements"):
            response = await http.get(path)
            assert response.status_code == 403 and "Arta" not in response.text, path
        csrf = csrf_of(home.text)
        forged = await http.post("/cohorts", data={"csrf": csrf, "programme": "1", "code": "v", "name": "V"})
        assert forged.status_code == 403
    async with runtime.db.reading() as conn:
        assert await cohorts.by_code(conn, "v") is None


async def test_graduating_in_the_console_is_the_same_as_youthbot_graduate(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    twin = await make_cohort(runtime, "web-2027-2")
    await trainee(runtime, twin, "601", "Drita Berisha")
    await trainee(runtime, twin, "602", "Erion Hoxha")
    response = await coordinator.http.post(
        f"/cohorts/{cohort.id}/graduate", data={"csrf": coordinator.csrf, "on": "2026-11-20"}
    )
    assert response.headers["location"] == f"/cohorts/{cohort.id}?graduated=2&planned=6"
    page = await coordinator.http.get(response.headers["location"])
    assert "2 trainee(s) marked as graduates; 6 survey invitation(s) planned" in page.text
    said = await cli_graduate(runtime.settings, "web-2027-2", "2026-11-20")
    assert "2 trainee(s) marked as graduates on 2026-11-20; 6 survey invitation(s) planned" in said
    async with runtime.db.reading() as conn:
        both = [await cohorts.get(conn, c.id) for c in (cohort, twin)]
        waves = [await cohort_waves(conn, c.id) for c in (cohort, twin)]
        entries = await audit_store.search(conn, AuditFilter(action="cohort.graduate"))
    assert [c.graduates_on for c in both if c] == [date(2026, 11, 20)] * 2
    assert waves[0] == waves[1] == ["m12", "m12", "m3", "m3", "m6", "m6"]
    assert {e.staff_id for e in entries} == {coordinator.staff_id, None}


async def test_a_graduation_date_in_the_future_is_refused_on_the_page(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    url = f"/cohorts/{cohort.id}/graduate"
    future = await coordinator.http.post(url, data={"csrf": coordinator.csrf, "on": "2027-06-30"})
    assert future.status_code == 400 and "cannot graduate on that date" in future.text
    assert (await coordinator.http.post(url, data={"csrf": coordinator.csrf, "on": ""})).status_code == 400
    assert {t.status for t in (await trainee_rows(runtime, cohort)).values()} == {"enrolled"}


async def test_the_programme_and_a_graduation_date_in_use_cannot_change(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    url = f"/cohorts/{cohort.id}"
    base = {
        "csrf": coordinator.csrf,
        "programme": str(cohort.programme_id),
        "name": cohort.name,
        "starts": "2026-09-01",
    }
    other_programme = await coordinator.http.post(url, data=base | {"programme": str(cohort.programme_id + 1)})
    assert other_programme.status_code == 400 and "The programme cannot change" in other_programme.text
    await coordinator.http.post(url + "/graduate", data={"csrf": coordinator.csrf, "on": "2026-11-20"})
    moved = await coordinator.http.post(url, data=base | {"graduates": "2026-11-21"})
    assert moved.status_code == 400 and "The graduation date cannot change" in moved.text
    kept = await coordinator.http.post(url, data=base | {"graduates": "2026-11-20", "ends": "2026-11-19"})
    assert kept.status_code == 303
    async with runtime.db.reading() as conn:
        found = await cohorts.get(conn, cohort.id)
    assert found is not None and (found.programme_id, found.graduates_on) == (cohort.programme_id, date(2026, 11, 20))
