"""The sessions pages: list and week calendar (daylight saving), add / move / cancel through the
/sessions service (reminders re-planned, trainees told), the CSV import with every line's problem,
RSVPs, the register feeding the attendance rate, and the attendance exports."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from bot.runtime import Runtime
from bot.services import reminders as reminder_plan
from bot.services import sessions as session_changes
from storage import audit as audit_store
from storage import register, sessions, users
from storage.audit import AuditFilter
from storage.cohorts import Cohort
from storage.sessions import Session, SessionDetails
from storage.timefmt import to_db
from tests.support.console import Signed
from tests.support.training import add_session, local, make_cohort, outbox_rows, trainee, utc

ADD = {"start": "2027-03-15T17:30", "end": "19:00", "place": "Room 3, ICK, Prishtina", "topic": "Git basics"}


async def cohort_sessions(runtime: Runtime, cohort: Cohort) -> list[Session]:
    async with runtime.db.reading() as conn:
        return await sessions.of_cohort(conn, cohort.id)


async def enrolment_of(runtime: Runtime, cohort: Cohort, name: str) -> int:
    async with runtime.db.reading() as conn:
        return next(t.enrolment_id for t in await register.trainees(conn, cohort.id) if t.full_name == name)


def day_items(html: str) -> dict[str, str]:
    """The week calendar: each day's heading → the text of its sessions."""
    days = re.findall(r"<li><strong>([^<]+)</strong>\s*<ul>(.*?)</ul>", html, flags=re.S)
    return {heading: re.sub(r"<[^>]+>", "", body).strip() for heading, body in days}


async def test_adding_a_session_plans_the_same_reminders_as_the_sessions_command(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    added = await coordinator.http.post(f"/cohorts/{cohort.id}/sessions", data={"csrf": coordinator.csrf, **ADD})
    assert added.status_code == 303 and added.headers["location"].endswith("?week=2027-03-15")
    (session,) = await cohort_sessions(runtime, cohort)
    assert (session.starts_at, session.ends_at) == (utc(2027, 3, 15, 16, 30), utc(2027, 3, 15, 18, 0))
    from_console = await outbox_rows(runtime, reminder_plan.REMINDER)
    twin = await make_cohort(runtime, "web-2027-2")
    await trainee(runtime, twin, "601", "Drita Berisha")
    await trainee(runtime, twin, "602", "Erion Hoxha")
    await add_session(runtime, twin, "15.03.2027 17:30", "15.03.2027 19:00")  # what /sessions calls
    from_service = [r for r in await outbox_rows(runtime, reminder_plan.REMINDER) if r not in from_console]
    assert len(from_console) == len(from_service) == 4
    assert sorted(r["not_before"] for r in from_console) == sorted(r["not_before"] for r in from_service)
    page = await coordinator.http.get(added.headers["location"])
    assert "Git basics" in page.text and "15 Mar 2027, 17:30–19:00" in page.text
    async with runtime.db.reading() as conn:
        assert [e.action for e in await audit_store.search(conn, AuditFilter(action="session.add"))] == ["session.add"]


async def test_a_wrong_session_form_says_what_is_wrong_and_saves_nothing(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    url = f"/cohorts/{cohort.id}/sessions"
    backwards = await coordinator.http.post(url, data={"csrf": coordinator.csrf, **ADD, "end": "16:00"})
    assert backwards.status_code == 400 and "must be after the start, at most 24 hours later" in backwards.text
    nowhere = await coordinator.http.post(url, data={"csrf": coordinator.csrf, **ADD, "place": ""})
    assert nowhere.status_code == 400 and "needs a place or an online_url" in nowhere.text
    skipped = await coordinator.http.post(url, data={"csrf": coordinator.csrf, **ADD, "start": "2027-03-28T02:30"})
    assert skipped.status_code == 400 and "does not exist in the programme" in skipped.text
    await coordinator.http.post(url, data={"csrf": coordinator.csrf, **ADD})
    clash = await coordinator.http.post(url, data={"csrf": coordinator.csrf, **ADD})
    assert clash.status_code == 400 and "Another session of this cohort starts at that time." in clash.text
    assert len(await cohort_sessions(runtime, cohort)) == 1


async def test_the_week_calendar_keeps_local_times_across_the_spring_change(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    # Clocks go forward on Sunday 28 March 2027: Friday is UTC+1, Monday UTC+2.
    friday = await add_session(runtime, cohort, "26.03.2027 17:30", topic="Friday class")
    sunday = await add_session(runtime, cohort, "28.03.2027 03:30", topic="Night class")
    monday = await add_session(runtime, cohort, "29.03.2027 17:30", topic="Monday class")
    assert (friday.starts_at, sunday.starts_at, monday.starts_at) == (
        utc(2027, 3, 26, 16, 30),
        utc(2027, 3, 28, 1, 30),
        utc(2027, 3, 29, 15, 30),
    )
    week = day_items((await coordinator.http.get(f"/cohorts/{cohort.id}/sessions?week=2027-03-24")).text)
    assert next(iter(week)) == "22 Mar 2027" and len(week) == 7
    assert week["26 Mar 2027"] == "17:30–19:30 Friday class"
    assert week["28 Mar 2027"] == "03:30–05:30 Night class"
    assert week["22 Mar 2027"] == ""
    after = day_items((await coordinator.http.get(f"/cohorts/{cohort.id}/sessions?week=2027-03-29")).text)
    assert after["29 Mar 2027"] == "17:30–19:30 Monday class"
    this_week = day_items((await coordinator.http.get(f"/cohorts/{cohort.id}/sessions")).text)
    assert next(iter(this_week)) == "23 Nov 2026"  # the clock's week (Friday 27 November 2026)


async def test_moving_and_cancelling_replan_and_tell_the_trainees(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    base = f"/cohorts/{cohort.id}/sessions/{session.id}"
    moved = await coordinator.http.post(
        base + "/move", data={"csrf": coordinator.csrf, "start": "2027-03-16T18:00", "end": "20:00"}
    )
    assert moved.status_code == 303
    (after,) = await cohort_sessions(runtime, cohort)
    assert (after.starts_at, after.revision) == (local("16.03.2027 18:00", runtime), 1)
    notices = await outbox_rows(runtime, reminder_plan.MOVED)
    assert sorted(r["chat_id"] for r in notices) == ["501", "502"]
    pending = [r for r in await outbox_rows(runtime, reminder_plan.REMINDER) if r["status"] == "pending"]
    assert {r["not_before"] for r in pending} == {to_db(after.starts_at - o) for o in runtime.settings.reminder_offsets}
    assert len(pending) == 2 * len(runtime.settings.reminder_offsets)
    assert all(f".{after.revision}:" in str(r["dedup_key"]) for r in pending)
    cancelled = await coordinator.http.post(base + "/cancel", data={"csrf": coordinator.csrf})
    assert cancelled.status_code == 303
    assert sorted(r["chat_id"] for r in await outbox_rows(runtime, reminder_plan.CANCELLED)) == ["501", "502"]
    assert not [r for r in await outbox_rows(runtime, reminder_plan.REMINDER) if r["status"] == "pending"]
    page = await coordinator.http.get(base)
    assert "This session was cancelled." in page.text and "Save the register" not in page.text
    refused = await coordinator.http.post(base + "/register", data={"csrf": coordinator.csrf, "present": "1"})
    assert refused.status_code == 409
    async with runtime.db.reading() as conn:
        done = {e.action for e in await audit_store.search(conn, AuditFilter())}
    assert {"session.move", "session.cancel"} <= done


async def test_a_session_of_another_cohort_or_an_unknown_one_is_not_found(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    other = await make_cohort(runtime, "web-2027-9")
    theirs = await add_session(runtime, other, "15.03.2027 17:30")
    base = f"/cohorts/{cohort.id}/sessions/{theirs.id}"
    data = {"csrf": coordinator.csrf, "start": "2027-03-16T18:00", "end": "20:00", "present": "1"}
    assert (await coordinator.http.get(base)).status_code == 404
    for action in ("/move", "/cancel", "/register"):
        assert (await coordinator.http.post(base + action, data=data)).status_code == 404, action
    assert (await coordinator.http.get(f"/cohorts/{cohort.id}/sessions/9999")).status_code == 404
    assert (
        await coordinator.http.post("/cohorts/9999/sessions", data={"csrf": coordinator.csrf, **ADD})
    ).status_code == 404
    (still,) = await cohort_sessions(runtime, other)
    assert still.scheduled and still.starts_at == theirs.starts_at


async def test_a_schedule_with_bad_lines_shows_each_problem_and_imports_nothing(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    bad = (
        "cohort,start,end,place,online_url,topic\n"
        "web-2027-1,15.03.2027 17:30,19:00,Room 3,,Git basics\n"
        "web-2027-1,16.03.2027 25:00,19:00,Room 3,,Branches\n"
        "web-2027-1,17.03.2027 17:30,19:00,,,Merging\n"
        "web-2027-2,18.03.2027 17:30,19:00,Room 3,,Another cohort\n"
    )
    url = f"/cohorts/{cohort.id}/sessions/import"
    files = {"file": ("schedule.csv", bad.encode("utf-8-sig"), "text/csv")}
    response = await coordinator.http.post(url, data={"csrf": coordinator.csrf}, files=files)
    assert response.status_code == 400 and "Nothing was saved" in response.text
    rows = re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", response.text)
    assert [(line, column) for line, column, _ in rows] == [("3", "start"), ("4", "place"), ("5", "cohort")]
    assert "is not a date and time like 15.03.2027 17:30" in rows[0][2]
    assert await cohort_sessions(runtime, cohort) == []
    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\n"
    files = {"file": ("schedule.csv", good.encode(), "text/csv")}
    imported = await coordinator.http.post(url, data={"csrf": coordinator.csrf}, files=files)
    assert imported.status_code == 200 and "Schedule imported: 1 created" in imported.text
    assert len(await cohort_sessions(runtime, cohort)) == 1
    empty = await coordinator.http.post(url, data={"csrf": coordinator.csrf})
    assert empty.status_code == 400 and "Choose a CSV file" in empty.text


async def test_the_session_page_lists_who_will_come_who_cannot_and_who_did_not_answer(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    await trainee(runtime, cohort, "503", "Qendresa Morina")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    async with runtime.db.transaction() as tx:
        for chat_id, answer in (("501", "yes"), ("502", "no")):
            user = await users.find(tx, "telegram", chat_id)
            assert user is not None
            await reminder_plan.set_answer(tx, session.id, user.id, answer, runtime.clock.now())
    page = (await coordinator.http.get(f"/cohorts/{cohort.id}/sessions/{session.id}")).text
    sections = dict(re.findall(r"<h3>([^<]+)</h3><ul>(.*?)</ul>", page))
    assert sections["Will come: 1"] == "<li>Arta Krasniqi</li>"
    assert sections["Can't come: 1"] == "<li>Blerim Gashi</li>"
    assert sections["No answer: 1"] == "<li>Qendresa Morina</li>"


async def test_the_register_feeds_the_attendance_rate_and_ignores_outsiders(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    first = await add_session(runtime, cohort, "15.03.2027 17:30")
    second = await add_session(runtime, cohort, "17.03.2027 17:30")
    other = await make_cohort(runtime, "web-2027-9")
    await trainee(runtime, other, "509", "Dardan Other")
    arta, blerim = (
        await enrolment_of(runtime, cohort, "Arta Krasniqi"),
        await enrolment_of(runtime, cohort, "Blerim Gashi"),
    )
    outsider = await enrolment_of(runtime, other, "Dardan Other")
    for session, present in ((first, [arta, blerim, outsider]), (second, [arta])):
        url = f"/cohorts/{cohort.id}/sessions/{session.id}/register"
        saved = await coordinator.http.post(url, data={"csrf": coordinator.csrf, "present": [str(p) for p in present]})
        assert saved.status_code == 303
    assert "Register saved: 1 came." in (await coordinator.http.get(saved.headers["location"])).text
    async with runtime.db.reading() as conn:
        rates = {t.full_name: (t.present, t.registers) for t in await register.trainees(conn, cohort.id)}
        assert await register.marks(conn, first.id) == {arta: True, blerim: True}
        assert await register.trainees(conn, other.id) and (await register.trainees(conn, other.id))[0].registers == 0
    assert rates == {"Arta Krasniqi": (2, 2), "Blerim Gashi": (1, 2)}
    page = await coordinator.http.get(f"/cohorts/{cohort.id}")
    assert "100%" in page.text and "50%" in page.text
    # ticked again: the register is replaced, not added to
    url = f"/cohorts/{cohort.id}/sessions/{second.id}/register"
    await coordinator.http.post(url, data={"csrf": coordinator.csrf, "present": [str(arta), str(blerim)]})
    async with runtime.db.reading() as conn:
        rates = {t.full_name: (t.present, t.registers) for t in await register.trainees(conn, cohort.id)}
    assert rates == {"Arta Krasniqi": (2, 2), "Blerim Gashi": (2, 2)}
    # a cancelled session leaves the rate
    async with runtime.db.transaction() as tx:
        await session_changes.cancel(tx, second, runtime.clock.now())
    async with runtime.db.reading() as conn:
        assert {t.registers for t in await register.trainees(conn, cohort.id)} == {1}


async def test_attendance_exports_as_csv_and_xlsx_with_the_register(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    session = await add_session(runtime, cohort, "15.03.2027 17:30", topic="=HYPERLINK(1)")
    arta = await enrolment_of(runtime, cohort, "Arta Krasniqi")
    url = f"/cohorts/{cohort.id}/sessions/{session.id}/register"
    await coordinator.http.post(url, data={"csrf": coordinator.csrf, "present": str(arta)})
    as_csv = await coordinator.http.get(f"/cohorts/{cohort.id}/attendance.csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert {(r["full_name"], r["attended"]) for r in rows} == {("Arta Krasniqi", "yes"), ("Blerim Gashi", "no")}
    assert rows[0]["topic"] == "'=HYPERLINK(1)"
    as_xlsx = await coordinator.http.get(f"/cohorts/{cohort.id}/attendance.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][-1] == "attended" and {v[-1] for v in values[1:]} == {"yes", "no"}
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value is not None)
    async with runtime.db.reading() as conn:
        done = {e.action for e in await audit_store.search(conn, AuditFilter())}
    assert {"attendance.export_csv", "attendance.export_xlsx", "session.register"} <= done
    assert (await coordinator.http.get("/cohorts/999/attendance.csv")).status_code == 404


async def test_details_of_a_session_added_from_the_service_show_on_the_list(
    runtime: Runtime, coordinator: Signed, cohort: Cohort
) -> None:
    starts = local("15.03.2027 17:30", runtime)
    details = SessionDetails(starts, local("15.03.2027 19:00", runtime), None, "https://meet.example.org/x", None)
    async with runtime.db.transaction() as tx:
        await session_changes.add(tx, cohort.id, details, runtime.settings, runtime.clock.now())
    page = await coordinator.http.get(f"/cohorts/{cohort.id}/sessions")
    assert "https://meet.example.org/x" in page.text and "No sessions yet." not in page.text
