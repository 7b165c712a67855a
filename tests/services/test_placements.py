"""Placements: a survey response that reports a job becomes a placement "from survey" waiting for
staff; staff record and confirm them in the console; the indicators (and ``youthbot report``, the
same code) count confirmed placements once per person, with the register's attendance beside them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.cli.surveys import report as cli_report
from bot.i18n import use_language
from bot.reports.indicators import Report, build_report
from bot.reports.indicators_text import report_text
from bot.runtime import Runtime
from bot.services import placements as placement_service
from bot.services import register as register_service
from bot.services import surveys as survey_service
from bot.surveys.loader import catalogue_for
from storage import audit as audit_store
from storage import placements, register
from storage.audit import AuditFilter
from storage.cohorts import Cohort
from storage.surveys import Invitation
from tests.support.console import Signed
from tests.support.surveys import (
    SURVEY,
    RecordingSender,
    english_graduate,
    graduate,
    invitations_of,
    start_button,
    worker,
)
from tests.support.training import add_session, make_cohort, trainee

JOB = {"employment_status": "employed_full_time", "employer": "Kosovo Web LLC", "job_in_ict": "yes"}


async def answer(runtime: Runtime, invitation: Invitation, answers: dict[str, object]) -> bool:
    survey = catalogue_for(runtime.settings.survey_dir).get(SURVEY)
    assert survey is not None
    async with runtime.db.transaction() as tx:
        for question, value in answers.items():
            await survey_service.save_answer(
                tx,
                invitation.id,
                question,
                value,
                free_text=question == "employer",
                language="en",
                now=runtime.clock.now(),
            )
        return await survey_service.submit(tx, invitation, survey, "en", runtime.clock.now())


async def indicators(runtime: Runtime) -> Report:
    async with runtime.db.reading() as conn:
        return await build_report(conn, catalogue_for(runtime.settings.survey_dir), runtime.clock.now())


async def first_invitation(runtime: Runtime, platform_id: str, graduated: date) -> Invitation:
    await graduate(runtime, [platform_id], graduated)
    invitation = (await invitations_of(runtime, platform_id))[0]
    return invitation


async def test_a_survey_answer_that_reports_a_job_waits_for_staff_then_counts_once(
    runtime: Runtime, coordinator: Signed
) -> None:
    invitation = await first_invitation(runtime, "3001", date(2026, 5, 10))
    assert await answer(runtime, invitation, JOB | {"start_date": "2026-09-01"})
    async with runtime.db.reading() as conn:
        (waiting,) = await placements.waiting(conn)
    assert (waiting.kind, waiting.employer, waiting.ict, waiting.source) == ("job", "Kosovo Web LLC", True, "survey")
    assert waiting.starts_on == date(2026, 9, 1) and not waiting.confirmed
    before = await indicators(runtime)
    assert (before.total.placed, before.total.confirmed) == (1, 0)  # reported, not yet confirmed
    page = await coordinator.http.get("/placements")
    assert "Kosovo Web LLC" in page.text and "Person 3001" in page.text
    confirmed = await coordinator.http.post(f"/placements/{waiting.id}/confirm", data={"csrf": coordinator.csrf})
    assert confirmed.status_code == 303
    again = await coordinator.http.post(f"/placements/{waiting.id}/confirm", data={"csrf": coordinator.csrf})
    assert again.status_code == 404
    assert (await coordinator.http.post("/placements/999/confirm", data={"csrf": coordinator.csrf})).status_code == 404
    after = await indicators(runtime)
    assert (after.total.confirmed, after.total.confirmed_job, after.total.confirmed_ict) == (1, 1, 1)
    assert "Nothing waiting." in (await coordinator.http.get("/placements")).text
    async with runtime.db.reading() as conn:
        assert [e.action for e in await audit_store.search(conn, AuditFilter(action="placement.confirm"))] == [
            "placement.confirm"
        ]


async def test_an_answer_without_a_job_makes_no_placement_and_a_repeat_makes_none_more(runtime: Runtime) -> None:
    invitation = await first_invitation(runtime, "3002", date(2026, 5, 10))
    assert await answer(runtime, invitation, {"employment_status": "looking"})
    async with runtime.db.reading() as conn:
        assert await placements.waiting(conn) == []
    internship = await first_invitation(runtime, "3003", date(2026, 5, 10))
    assert await answer(runtime, internship, {"employment_status": "internship", "job_in_ict": "no"})
    survey = catalogue_for(runtime.settings.survey_dir).get(SURVEY)
    assert survey is not None
    async with runtime.db.transaction() as tx:
        assert not await survey_service.submit(tx, internship, survey, "en", runtime.clock.now())
    async with runtime.db.reading() as conn:
        (waiting,) = await placements.waiting(conn)
    assert (waiting.kind, waiting.employer, waiting.ict) == ("internship", None, False)


async def trainee_enrolment(runtime: Runtime, cohort: Cohort, name: str) -> int:
    async with runtime.db.reading() as conn:
        return next(t.enrolment_id for t in await register.trainees(conn, cohort.id) if t.full_name == name)


async def test_staff_placements_count_once_per_person_by_the_latest(runtime: Runtime, coordinator: Signed) -> None:
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "501", "Arta Krasniqi")
    await trainee(runtime, cohort, "502", "Blerim Gashi")
    arta = await trainee_enrolment(runtime, cohort, "Arta Krasniqi")
    url = f"/cohorts/{cohort.id}/placements"
    first = {
        "csrf": coordinator.csrf,
        "enrolment": str(arta),
        "kind": "internship",
        "employer": "ICK",
        "starts": "2027-01-10",
    }
    assert (await coordinator.http.post(url, data=first | {"ict": "yes"})).status_code == 303
    later = first | {"kind": "job", "employer": "Gjirafa", "starts": "2027-05-01"}
    assert (await coordinator.http.post(url, data=later)).status_code == 303
    report = await indicators(runtime)
    counts = report.total
    assert (counts.confirmed, counts.confirmed_job, counts.confirmed_internship, counts.confirmed_ict) == (1, 1, 0, 0)
    assert report.by_programme["pro2y-software"].confirmed == 1
    page = await coordinator.http.get(f"/cohorts/{cohort.id}")
    assert "Gjirafa" in page.text and "ICK" in page.text
    other = await make_cohort(runtime, "web-2027-9")
    await trainee(runtime, other, "509", "Dardan Other")
    outsider = await trainee_enrolment(runtime, other, "Dardan Other")
    forged = await coordinator.http.post(url, data=first | {"enrolment": str(outsider)})
    assert forged.status_code == 404
    assert (await coordinator.http.post(url, data=first | {"kind": "volunteer"})).status_code == 404
    assert (await indicators(runtime)).total.confirmed == 1


async def test_youthbot_report_shows_the_confirmed_placements_and_attendance(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "501", "Arta Krasniqi")
    await trainee(runtime, cohort, "502", "Blerim Gashi")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    arta = await trainee_enrolment(runtime, cohort, "Arta Krasniqi")
    async with runtime.db.transaction() as tx:
        await register_service.take(tx, session, {arta}, staff_id=None, now=runtime.clock.now())
        await placement_service.record(tx, arta, "job", "Gjirafa", None, True, staff_id=1, now=runtime.clock.now())
    report = await indicators(runtime)
    assert (report.total.registers, report.total.present) == (2, 1)
    assert report.total.attendance_rate == pytest.approx(0.5)
    expected = "Placements confirmed by staff: 1 (jobs 1, internships 0; in ICT 1) · attendance 50%"
    with use_language("en"):
        assert expected in report_text(report, catalogue_for(runtime.settings.survey_dir), runtime.settings.timezone)
    assert expected in await cli_report(runtime.settings, None)


async def test_answering_in_the_chat_leaves_a_placement_for_staff_to_confirm(runtime: Runtime) -> None:
    chat = await english_graduate(runtime)
    await graduate(runtime, ["1001"], date(2026, 8, 20))
    sender = RecordingSender()
    await worker(runtime, sender).run_once()
    (invitation,) = sender.to("1001")
    await chat.send(start_button(invitation))
    await chat.press("In an internship")
    await chat.send("Kosovo Web LLC")
    await chat.send("Intern")
    await chat.press("Yes")
    await chat.send("01.10.2026")
    await chat.press("Unpaid")
    await chat.press("4")
    await chat.press("No")
    await chat.press("No")
    await chat.press("Skip")
    await chat.press("Submit")
    assert chat.text().startswith("Thank you! Your answers have been saved.")
    async with runtime.db.reading() as conn:
        (waiting,) = await placements.waiting(conn)
    assert (waiting.kind, waiting.employer, waiting.ict, waiting.starts_on) == (
        "internship",
        "Kosovo Web LLC",
        True,
        date(2026, 10, 1),
    )
    assert waiting.source == "survey" and not waiting.confirmed
