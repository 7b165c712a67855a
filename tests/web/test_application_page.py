"""The application page: every answer under the form's own label in the staff member's language,
the status history, and internal notes that the applicant never sees."""

from __future__ import annotations

from datetime import date

import pytest
from markupsafe import escape

from bot.flows.apply import EDUCATION, EMPLOYMENT, GENDERS, GUARDIAN_QUESTIONS, HEARD_FROM, QUESTIONS
from bot.i18n import LANGUAGES, _, format_date, use_language
from bot.reference.municipalities import Municipalities
from bot.reference.texts import programme_title
from bot.runtime import Runtime
from bot.services import decisions, staff
from bot.services.decisions import Decision
from storage import applications, programmes
from storage import audit as audit_store
from storage.audit import AuditFilter
from tests.support.applicants import add_application
from tests.support.chat import Chat
from tests.support.console import Signed, application_id, csrf_of, text_of

NOTE = "Called her on Monday: she prefers the evening group."


async def _staff_speaks(runtime: Runtime, language: str) -> None:
    async with runtime.db.transaction() as tx:
        (member,) = await staff.list_all(tx)
        await staff.set_language(tx, member.id, language, now=runtime.clock.now())


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_every_answer_has_the_forms_label_in_the_staff_members_language(
    runtime: Runtime, coordinator: Signed, language: str
) -> None:
    reference = await add_application(
        runtime, "1", name="Drita Berisha", municipality="gjakove", gender="female", heard_from="school", language="sr"
    )
    await _staff_speaks(runtime, language)
    response = await coordinator.http.get(f"/applications/{await application_id(runtime, reference)}")
    assert response.status_code == 200
    page = text_of(response.text)
    async with runtime.db.reading() as conn:
        programme = await programmes.by_code(conn, "pro2y-software")
    assert programme is not None
    with use_language(language):
        expected = {
            "programme": programme_title(programme),
            "full_name": "Drita Berisha",
            "birth_date": format_date(date(2004, 3, 15)),
            "gender": _(GENDERS["female"]),
            "municipality": Municipalities.load().get("gjakove").name(language),  # type: ignore[union-attr]
            "phone": "+38344123456",
            "education": _(EDUCATION["secondary"]),
            "employment": _(EMPLOYMENT["unemployed"]),
            "motivation": "I want to learn.",
            "heard_from": _(HEARD_FROM["school"]),
            "email": "—",
        }
        asked = [q for q in QUESTIONS if q not in GUARDIAN_QUESTIONS]  # the guardian's are for minors only
        for question in asked:  # the form's own questions and their labels
            assert f"{question.label()} {expected.get(question.id, '—')}" in page, (language, question.id)
    assert LANGUAGES["sr"].native_name in page  # the applicant's own language is named too


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_a_minors_page_shows_the_guardian_and_asks_staff_to_confirm_with_them(
    runtime: Runtime, coordinator: Signed, language: str
) -> None:
    guardian = applications.Guardian("Drita Krasniqi", "+38349555111", runtime.clock.now())
    reference = await add_application(runtime, "1", birth_date="2011-05-02", guardian=guardian)
    adult = await add_application(runtime, "2", name="Besa Hoti", phone="+38344999888")
    await _staff_speaks(runtime, language)
    page = text_of((await coordinator.http.get(f"/applications/{await application_id(runtime, reference)}")).text)
    by_id = {q.id: q for q in GUARDIAN_QUESTIONS}
    with use_language(language):
        assert f"{by_id['guardian_name'].label()} Drita Krasniqi" in page
        assert f"{by_id['guardian_phone'].label()} +38349555111" in page
        warning = _(
            "A minor: on {date} the applicant confirmed that the parent or guardian above agrees. "
            "Please confirm it with the guardian before a decision."
        )
        assert warning.split("{date}")[0].strip() in page
    other = text_of((await coordinator.http.get(f"/applications/{await application_id(runtime, adult)}")).text)
    with use_language(language):
        assert by_id["guardian_name"].label() not in other


async def test_the_status_history_says_who_changed_what_with_the_personal_sentence(
    runtime: Runtime, coordinator: Signed
) -> None:
    reference = await add_application(runtime, "1")
    async with runtime.db.transaction() as tx:
        (member,) = await staff.list_all(tx)
        now = runtime.clock.now()
        await decisions.decide(
            tx, reference, Decision.SHORTLISTED, staff_id=member.id, settings=runtime.settings, now=now
        )
        await decisions.decide(
            tx, reference, Decision.WAITLISTED, staff_id=None, settings=runtime.settings, now=now, personal_note="Soon!"
        )
    page = text_of((await coordinator.http.get(f"/applications/{await application_id(runtime, reference)}")).text)
    assert "Submitted → Shortlisted Coordinator Staff" in page
    assert "Shortlisted → Waiting list a chat command or the command line Soon!" in page
    assert "Status: Waiting list" in page


async def test_a_note_is_kept_shown_to_staff_audited_without_its_text_and_never_shown_to_the_applicant(
    runtime: Runtime, coordinator: Signed
) -> None:
    reference = await add_application(runtime, "1")
    number = await application_id(runtime, reference)
    page = await coordinator.http.get(f"/applications/{number}")
    response = await coordinator.http.post(
        f"/applications/{number}/notes", data={"csrf": csrf_of(page.text), "text": NOTE}
    )
    assert (response.status_code, response.headers["location"]) == (303, f"/applications/{number}?saved=note#notes")
    shown = text_of((await coordinator.http.get(response.headers["location"])).text)
    assert "The note is saved." in shown and f"Coordinator Staff {NOTE}" in shown
    async with runtime.db.reading() as conn:
        (entry,) = await audit_store.search(conn, AuditFilter(action="application.note"))
    assert entry.target_id == reference and NOTE not in str(entry.detail)
    applicant = Chat(runtime, "1")
    for command in ("/mydata", "/status"):
        await applicant.send(command)
        assert "evening group" not in applicant.text(), command


async def test_an_empty_note_is_refused_with_a_reason(runtime: Runtime, coordinator: Signed) -> None:
    number = await application_id(runtime, await add_application(runtime, "1"))
    csrf = csrf_of((await coordinator.http.get(f"/applications/{number}")).text)
    response = await coordinator.http.post(f"/applications/{number}/notes", data={"csrf": csrf, "text": "   "})
    assert response.status_code == 400
    assert "A note needs some text, at most 4000 characters." in text_of(response.text)
    assert "No notes yet." in text_of(response.text)


async def test_an_application_that_does_not_exist_is_a_404_on_every_route(
    runtime: Runtime, coordinator: Signed
) -> None:
    csrf = csrf_of((await coordinator.http.get("/applications")).text)
    assert (await coordinator.http.get("/applications/4242")).status_code == 404
    for action in ("notes", "preview", "decide"):
        response = await coordinator.http.post(
            f"/applications/4242/{action}",
            data={"csrf": csrf, "decision": "rejected", "text": "x", "seen": "submitted"},
        )
        assert response.status_code == 404, action
        assert escape("There is no such application.") in response.text
    assert (await coordinator.http.get("/applications/not-a-number")).status_code == 404


async def test_after_the_applicant_deleted_their_data_the_page_shows_what_is_left_and_offers_no_decision(
    runtime: Runtime, coordinator: Signed
) -> None:
    reference = await add_application(runtime, "1", name="Vesa Kelmendi", phone="+38344777000")
    kept_id = await application_id(runtime, reference)
    applicant = Chat(runtime, "1")
    await applicant.send("/forget")
    await applicant.press("Yes, delete")
    response = await coordinator.http.get(f"/applications/{kept_id}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Kelmendi" not in page and "777000" not in page
    assert reference not in page  # the reference staff saw beside the name was replaced
    assert "Status: Withdrawn" in page and "Gender Female" in page and "Full name —" in page
    assert "No decision is possible any more" in page
