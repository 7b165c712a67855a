"""Staff and trainees in the chat: /accept, /sessions, RSVP buttons, /schedule, /reminders, /attendance."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import aiosqlite

from bot.messages import InputKind, UserInput
from bot.runtime import Runtime
from bot.services import reminders as reminder_plan
from storage import attendance, sessions, users
from tests.support.chat import Chat
from tests.support.training import (
    RecordingSender,
    add_session,
    known_user,
    make_applicant,
    make_cohort,
    make_worker,
    outbox_rows,
    trainee,
    utc,
)


def press(key: str) -> UserInput:
    return UserInput(InputKind.OPTION, key)


async def staff_chat(runtime: Runtime) -> Chat:
    return await known_user(runtime, "999")


async def test_staff_accept_an_applicant_who_is_told_in_their_language(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await make_cohort(runtime, "net-2027-1", "pro2y-networks")  # another programme: not offered
    await add_session(runtime, cohort, "15.03.2027 17:30")
    reference = await make_applicant(runtime, "2001", "Jane Doe", language="en")
    staff = await staff_chat(runtime)
    await staff.send("/accept")
    assert "reference number" in staff.text()
    await staff.send("YB-00-NOPE")
    assert "No application has the reference YB-00-NOPE" in staff.text()
    await staff.send(reference.lower())
    assert "Jane Doe" in staff.text() and "Into which cohort?" in staff.text()
    assert [o.label for o in staff.prompt().options] == ["Web 2027 1", "◀ Back"]
    await staff.press("Web 2027 1")
    assert "Accept Jane Doe" in staff.text()
    await staff.press("Yes, accept")
    assert "Done: Jane Doe is now in Web 2027 1" in staff.text() and "2 reminders planned" in staff.text()
    sender = RecordingSender()
    await make_worker(runtime, sender).run_once()
    (notice,) = sender.texts("2001")
    assert "accepted into Two-year professional programme: software development, group Web 2027 1" in notice
    await staff.send("/accept")
    await staff.send(f"{reference} web-2027-1")
    assert "already in the cohort Web 2027 1" in staff.text()


async def test_accept_with_the_cohort_code_typed_and_refusals(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    await make_cohort(runtime)
    reference = await make_applicant(runtime, "2001", "Jane Doe")
    staff = await staff_chat(runtime)
    await staff.send("/accept")
    await staff.send(f"{reference} nosuch-cohort")
    assert "nosuch-cohort is not a cohort of this programme" in staff.text()
    await staff.press("◀ Back")
    await staff.send(f"{reference} WEB-2027-1")
    assert "Accept Jane Doe" in staff.text()
    await staff.send("/cancel")
    other = await known_user(runtime, "2002")
    await other.send("/accept")
    assert "only for the programme's staff" in other.text()


async def test_staff_add_a_session_with_typed_times(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    staff = await staff_chat(runtime)
    await staff.send("/sessions")
    await staff.press("Web 2027 1")
    assert "has no upcoming sessions" in staff.text()
    await staff.press("Add a session")
    await staff.send("tomorrow at five")
    assert "like 15.03.2027 17:30" in staff.text()
    await staff.send("28.03.2027 02:30")
    assert "28.03.2027 02:30 does not exist" in staff.text() and "02:00 to 03:00" in staff.text()
    await staff.send("01.02.2027 10:00")
    assert "already passed" in staff.text()
    await staff.send(UserInput(InputKind.OTHER, "sticker"))
    assert "not stickers" in staff.text()
    await staff.send("15.03.2027 17:30")
    await staff.send("17:00")
    assert "end must be after the start" in staff.text()
    await staff.send("19:00")
    await staff.send("https://meet.example.org/git")
    await staff.press("Skip")
    assert (
        "Monday, 15 March 2027, 17:30–19:00" in staff.text() and "Online: https://meet.example.org/git" in staff.text()
    )
    await staff.press("Save")
    assert "was added" in staff.text() and "2 reminders planned" in staff.text()
    async with runtime.db.reading() as conn:
        (session,) = await sessions.of_cohort(conn, cohort.id)
    assert session.starts_at == utc(2027, 3, 15, 16, 30) and session.online_url == "https://meet.example.org/git"
    assert session.place is None and session.topic is None
    await staff.send("/sessions")
    await staff.press("Web 2027 1")
    await staff.press("Add a session")
    await staff.send("15.03.2027 17:30")
    await staff.send("18:00")
    await staff.send("Room 3")
    await staff.send("Clash")
    await staff.press("Save")
    assert "already starts at that time" in staff.text()


async def test_autumn_repeated_hour_is_explained_to_staff(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 10, 1, 8, 0))
    await make_cohort(runtime)
    staff = await staff_chat(runtime)
    await staff.send("/sessions")
    await staff.press("Web 2027 1")
    await staff.press("Add a session")
    await staff.send("31.10.2027 02:30")
    assert "happens twice" in staff.text() and "first one (summer time)" in staff.text()


async def test_staff_move_and_cancel_a_session(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "15.03.2027 17:30", "15.03.2027 19:00", topic="Git basics")
    staff = await staff_chat(runtime)
    await staff.send("/sessions")
    await staff.press("Web 2027 1")
    await staff.press("Git basics")
    assert "Room 3, ICK, Prishtina" in staff.text()
    await staff.press("Move to another time")
    assert "Now: Monday, 15 March 2027, 17:30" in staff.text()
    await staff.send("16.03.2027 09:00")
    await staff.press("Same length as before")
    assert "Tuesday, 16 March 2027, 09:00–10:30" in staff.text()
    await staff.press("Save")
    assert "moved to Tuesday, 16 March 2027, 09:00" in staff.text()
    assert len(await outbox_rows(runtime, reminder_plan.MOVED)) == 1
    await staff.send("/sessions")
    await staff.press("Web 2027 1")
    await staff.press("Git basics")
    await staff.press("Cancel this session")
    assert "The trainees will be told" in staff.text()
    await staff.press("Yes, cancel it")
    assert "cancelled; 1 trainee will be told" in staff.text()
    async with runtime.db.reading() as conn:
        assert not (await sessions.get(conn, session.id)).scheduled  # type: ignore[union-attr]
    assert len(await outbox_rows(runtime, reminder_plan.CANCELLED)) == 1


async def test_rsvp_is_stored_can_change_and_stale_buttons_are_refused(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    jane = await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    await jane.send(press(f"rsvp.y.{session.id}"))
    assert "Noted: you will attend the session on Monday, 15 March 2027, 17:30" in jane.text()
    await jane.send(press(f"rsvp.y.{session.id}"))
    assert "Already noted: you will attend." in jane.text()
    await jane.send(press(f"rsvp.n.{session.id}"))
    assert "you can't attend" in jane.text()
    async with runtime.db.reading() as conn:
        user_id = await _user_id(conn, "2001")
        assert await attendance.answer_of(conn, session.id, user_id) == "no"
    for forged in ("rsvp.y.99999", "rsvp.maybe.1", "rsvp.y", f"rsvp.y.{session.id}.7", "rsvp.y.-1", "nosuch.y.1"):
        await jane.send(press(forged))
        assert "no longer active" in jane.text(), forged
    outsider = await known_user(runtime, "2099")
    await outsider.send(press(f"rsvp.y.{session.id}"))
    assert "no longer active" in outsider.text()
    runtime.clock.set(session.starts_at + timedelta(minutes=1))
    await jane.send(press(f"rsvp.y.{session.id}"))
    assert "no longer active" in jane.text()
    async with runtime.db.reading() as conn:
        assert await attendance.answer_of(conn, session.id, user_id) == "no"


async def test_schedule_lists_upcoming_sessions_with_answers(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    outsider = await known_user(runtime, "2099")
    await outsider.send("/schedule")
    assert "not in a training group yet" in outsider.text()
    cohort = await make_cohort(runtime)
    jane = await trainee(runtime, cohort, "2001", "Jane Doe")
    await jane.send("/schedule")
    assert "no upcoming training sessions" in jane.text()
    past = await add_session(runtime, cohort, "02.03.2027 10:00")
    first = await add_session(runtime, cohort, "15.03.2027 17:30", topic="Git basics")
    await add_session(
        runtime, cohort, "17.03.2027 17:30", topic="Branches", url="https://meet.example.org/x", place=None
    )
    runtime.clock.set(utc(2027, 3, 5, 8, 0))
    await jane.send(press(f"rsvp.y.{first.id}"))
    await jane.send("/schedule")
    text = jane.text()
    assert "Monday, 15 March 2027, 17:30–19:30" in text and "Wednesday, 17 March 2027" in text
    assert "Online: https://meet.example.org/x" in text and "Your answer: you will attend." in text
    assert "2 March" not in text and past.id != first.id


async def test_reminders_can_be_turned_off_and_on(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    jane = await trainee(runtime, cohort, "2001", "Jane Doe")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    await jane.send("/reminders")
    assert "Reminders are on" in jane.text() and "24 hours and 1 hour before" in jane.text()
    await jane.press("Turn reminders off")
    assert "Reminders are off" in jane.text()
    await jane.send(press("remind.off"))
    assert "already off" in jane.text()
    await jane.press("Turn reminders on")
    assert "Reminders are on" in jane.text()
    await jane.send(press("remind.sometimes"))
    assert "no longer active" in jane.text()


async def test_attendance_for_staff_by_buttons_and_as_csv(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    jane = await trainee(runtime, cohort, "2001", "Jane Doe")
    arta = await trainee(runtime, cohort, "2002", "Arta Krasniqi")
    await trainee(runtime, cohort, "2003", "Milica Jović")
    session = await add_session(runtime, cohort, "15.03.2027 17:30", topic="Git basics")
    await jane.send(press(f"rsvp.y.{session.id}"))
    await arta.send(press(f"rsvp.n.{session.id}"))
    staff = await staff_chat(runtime)
    await staff.send("/attendance")
    await staff.press("Web 2027 1")
    await staff.press("Git basics")
    text = staff.text()
    yes, rest = text.split("✅ Will attend: 1", 1)[1].split("❌ Can't attend: 1", 1)
    no, silent = rest.split("❔ No answer: 1", 1)
    assert "Jane Doe" in yes and "Arta Krasniqi" in no and "Milica Jović" in silent
    await staff.press("◀ Sessions")
    await staff.press("CSV of this cohort")
    (reply,) = staff.last
    assert reply.document is not None and reply.document.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(reply.document.content.decode("utf-8-sig"))))
    assert {(r["full_name"], r["answer"]) for r in rows} == {
        ("Jane Doe", "confirmed"),
        ("Arta Krasniqi", "declined"),
        ("Milica Jović", "no answer"),
    }
    assert rows[0]["session_start"] == "2027-03-15 17:30"
    await jane.send(press(f"att.s.{session.id}"))  # a forwarded staff button is not for trainees
    assert "no longer active" in jane.text()
    await staff.send(press("att.s.424242"))
    assert "no longer active" in staff.text()


async def _user_id(conn: aiosqlite.Connection, platform_id: str) -> int:
    user = await users.find(conn, "telegram", platform_id)
    assert user is not None
    return user.id


async def test_a_trainee_can_still_delete_their_data(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    jane = await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "15.03.2027 17:30", topic="Git basics")
    await jane.send(press(f"rsvp.y.{session.id}"))
    await jane.send(press("remind.off"))
    await jane.send("/forget")
    await jane.press("Yes, delete my data")
    assert "Your data has been deleted" in jane.text()
    assert await outbox_rows(runtime, reminder_plan.REMINDER) == []  # her planned reminders went with her
    staff = await staff_chat(runtime)
    await staff.send(press(f"att.s.{session.id}"))
    assert "❔ No answer: 1\n  (data deleted) (X-" in staff.text()  # a new reference: the old one led to her
