"""Done when: a coordinator runs a cohort from acceptance to graduation in the console of a running
bot (`youthbot run` with WEB_ENABLED, polling the fake Bot API), and each step shows its effect:
the acceptance reaches the applicant, a session plans reminders that go out when their time comes,
the register feeds the attendance, completion and a placement feed the indicators, and graduation
plans the follow-up surveys."""

from __future__ import annotations

import re

import httpx

from bot.clock import ManualClock
from bot.runtime import Runtime
from bot.services.staff import Role
from storage import cohorts, placements, register, sessions, surveys, users
from tests.support.console import application_id, csrf_of, make_account, signed_in, text_of
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser
from tests.support.training import make_applicant, utc

TRAINEE_ID = 6001


def figures(html: str) -> list[str]:
    """The indicators' "Total" row, one text per cell (bot/web/templates/_figures_row.html)."""
    row = html.split('<th scope="row">Total</th>')[1].split("</tr>")[0]
    return re.findall(r"<td>([^<]*)</td>", row)


async def test_a_coordinator_runs_a_cohort_from_acceptance_to_graduation(
    fake: FakeTelegram, running_bot: tuple[Runtime, str], clock: ManualClock
) -> None:
    runtime, url = running_bot
    clock.set(utc(2027, 2, 20, 9, 0))
    reference = await make_applicant(runtime, str(TRAINEE_ID), "Jane Doe", language="en")
    number = await application_id(runtime, reference)
    await make_account(runtime, Role.COORDINATOR)
    jane = TelegramUser(fake, TgUser(id=TRAINEE_ID, first_name="Jane", language_code="en"))
    async with httpx.AsyncClient(base_url=url) as http:
        csrf = await signed_in(http, "coordinator@example.org")
        before = figures((await http.get("/indicators")).text)

        # a cohort, then the application accepted into it, and the applicant told in the chat
        page = (await http.get("/cohorts")).text
        programme = re.search(r'<option value="(\d+)"[^>]*>', page)
        assert programme is not None
        created = await http.post(
            "/cohorts",
            data={
                "csrf": csrf,
                "programme": programme.group(1),
                "code": "web-2027-1",
                "name": "Web 2027/1",
                "starts": "2027-03-01",
                "ends": "2027-03-15",
            },
        )
        assert created.status_code == 303
        cohort_path = created.headers["location"]
        async with runtime.db.reading() as conn:
            cohort = await cohorts.by_code(conn, "web-2027-1")
        assert cohort is not None and cohort_path == f"/cohorts/{cohort.id}"
        decision = {"csrf": csrf, "decision": "accepted", "cohort": str(cohort.id), "seen": "submitted", "notify": "1"}
        preview = await http.post(f"/applications/{number}/preview", data=decision)
        assert preview.status_code == 200
        decided = await http.post(f"/applications/{number}/decide", data={**decision, "csrf": csrf_of(preview.text)})
        assert decided.headers["location"] == f"/applications/{number}?saved=decision"
        await jane.expect("Good news! You have been accepted")

        # a session added a day ahead, a second before its 24-hour reminder is due: the worker, woken by
        # the console, arms its timer for that reminder, which goes out once its time has come
        clock.set(utc(2027, 3, 14, 16, 29, 59))
        csrf = await signed_in(http, "coordinator@example.org")  # weeks later: a new sign-in
        added = await http.post(
            f"{cohort_path}/sessions",
            data={
                "csrf": csrf,
                "start": "2027-03-15T17:30",
                "end": "19:00",
                "place": "Room 3, ICK, Prishtina",
                "topic": "Git basics",
            },
        )
        assert added.status_code == 303
        async with runtime.db.reading() as conn:
            (session,) = await sessions.of_cohort(conn, cohort.id)
            (trainee,) = await register.trainees(conn, cohort.id)
        assert session.starts_at == utc(2027, 3, 15, 16, 30)
        clock.set(utc(2027, 3, 14, 16, 30))
        (reminder,) = [m for m in await jane.expect("Reminder") if "Reminder" in (m.text or "")]
        assert "Git basics" in (reminder.text or "") and "Room 3, ICK, Prishtina" in (reminder.text or "")
        await jane.press("I will attend", "Noted: you will attend")
        session_path = f"{cohort_path}/sessions/{session.id}"
        assert "Will come: 1" in text_of((await http.get(session_path)).text)

        # after the session: the register
        clock.set(utc(2027, 3, 15, 19, 30))
        csrf = await signed_in(http, "coordinator@example.org")
        taken = await http.post(f"{session_path}/register", data={"csrf": csrf, "present": str(trainee.enrolment_id)})
        assert taken.status_code == 303

        # the same evening (a one-session course): completion, a placement and graduation
        ask = await http.post(
            f"{cohort_path}/trainees", data={"csrf": csrf, "one_completed": str(trainee.enrolment_id)}
        )
        assert "Mark 1 trainee as completed?" in ask.text
        completed = await http.post(
            f"{cohort_path}/trainees",
            data={
                "csrf": csrf,
                "outcome": "completed",
                "confirm": "yes",
                "enrolment": str(trainee.enrolment_id),
                "on": "2027-03-15",
            },
        )
        assert completed.headers["location"] == f"{cohort_path}?marked=1"
        recorded = await http.post(
            f"{cohort_path}/placements",
            data={
                "csrf": csrf,
                "enrolment": str(trainee.enrolment_id),
                "kind": "job",
                "employer": "Shtëpia e Kodit",
                "starts": "2027-07-01",
                "ict": "yes",
            },
        )
        assert recorded.status_code == 303
        person = text_of((await http.get("/people/" + str(await user_id_of(runtime)))).text)
        assert "present at 1 of 1 registers taken (100%)" in person and "Shtëpia e Kodit" in person

        # graduation plans the follow-up surveys, as `youthbot graduate` does (one code path)
        graduated = await http.post(f"{cohort_path}/graduate", data={"csrf": csrf, "on": "2027-03-15"})
        assert graduated.status_code == 303
        notice = text_of((await http.get(graduated.headers["location"])).text)
        after = figures((await http.get("/indicators")).text)

    trainee_user = await user_id_of(runtime)  # its own read: the database has one connection, never nested
    async with runtime.db.reading() as conn:
        (trainee,) = await register.trainees(conn, cohort.id)
        (placement,) = await placements.of_cohort(conn, cohort.id)
        graduate = await cohorts.get(conn, cohort.id)
        invitations = await surveys.of_user(conn, trainee_user)
    assert (trainee.status, trainee.present, trainee.registers) == ("completed", 1, 1)
    assert (placement.kind, placement.ict, placement.source, placement.confirmed) == ("job", True, "staff", True)
    assert (
        graduate is not None and graduate.graduates_on is not None and graduate.graduates_on.isoformat() == "2027-03-15"
    )
    assert invitations and all(i.status == "planned" for i in invitations)
    assert f"{len(invitations)} survey invitation(s) planned" in notice
    # completed, confirmed placements (in a job, in ICT) and attendance, on the indicators page
    for column in (3, 12, 13, 15):
        assert int(after[column]) == int(before[column]) + 1, column
    assert (before[16], after[16]) == ("–", "100%")


async def user_id_of(runtime: Runtime) -> int:
    async with runtime.db.reading() as conn:
        user = await users.find(conn, "telegram", str(TRAINEE_ID))
    assert user is not None
    return user.id
