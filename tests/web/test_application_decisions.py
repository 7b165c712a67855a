"""Deciding from the application page: choose, see the applicant's exact message, confirm.

Stale and forged forms (a status changed meanwhile, an unknown cohort, an unknown decision,
no CSRF token) are refused with a reason and leave nothing behind."""

from __future__ import annotations

import httpx
import pytest
from markupsafe import escape

from bot.runtime import Runtime
from bot.services import decisions
from bot.services.decisions import Decision
from storage import application_lifecycle, audit, outbox, trainees
from storage.audit import AuditFilter
from storage.cohorts import Cohort
from tests.support.applicants import add_application
from tests.support.console import Signed, application_id, csrf_of, text_of
from tests.support.training import RecordingSender, add_session, make_cohort, make_worker


async def _state(runtime: Runtime, reference: str) -> tuple[str, int, int, int | None]:
    """Status, number of history rows, outbox rows and the cohort the application is in."""
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, reference)
        assert found is not None
        history = await application_lifecycle.history(conn, found.application_id)
        queued = await outbox.due(conn, ["telegram"], runtime.clock.now(), 100)
        cohort = await trainees.enrolled_cohort_of_application(conn, found.application_id)
    return found.status, len(history), len(queued), cohort


async def _form(http: httpx.AsyncClient, number: int) -> str:
    return csrf_of((await http.get(f"/applications/{number}")).text)


async def _expected_message(
    runtime: Runtime, reference: str, decision: Decision, cohort: Cohort | None, note: str
) -> str:
    async with runtime.db.reading() as conn:
        text = await decisions.preview(
            conn,
            reference,
            decision,
            personal_note=note,
            cohort_id=cohort.id if cohort else None,
            settings=runtime.settings,
            now=runtime.clock.now(),
        )
    assert text is not None
    return text


async def test_preview_shows_the_applicants_message_and_writes_nothing_then_confirm_decides(
    runtime: Runtime, coordinator: Signed
) -> None:
    cohort = await make_cohort(runtime)
    await add_session(runtime, cohort, "15.03.2027 17:30")
    reference = await add_application(runtime, "1", language="sq")
    number = await application_id(runtime, reference)
    csrf = await _form(coordinator.http, number)
    fields = {
        "csrf": csrf,
        "decision": "accepted",
        "cohort": str(cohort.id),
        "seen": "submitted",
        "note": "Mirë se vjen!",
    }
    preview = await coordinator.http.post(f"/applications/{number}/preview", data=fields)
    assert preview.status_code == 200
    message = await _expected_message(runtime, reference, Decision.ACCEPTED, cohort, "Mirë se vjen!")
    assert "Lajm i mirë" in message  # the applicant's language, not the staff member's English
    assert f'<blockquote class="message" lang="sq-XK">{escape(message)}</blockquote>' in preview.text
    assert "The message the applicant will receive (Shqip)" in text_of(preview.text)
    assert await _state(runtime, reference) == ("submitted", 0, 0, None)

    confirm = {**fields, "csrf": csrf_of(preview.text)}
    done = await coordinator.http.post(f"/applications/{number}/decide", data=confirm)
    assert (done.status_code, done.headers["location"]) == (303, f"/applications/{number}?saved=decision")
    assert await _state(runtime, reference) == ("accepted", 1, 1, cohort.id)
    page = text_of((await coordinator.http.get(done.headers["location"])).text)
    assert "The decision is saved." in page and "Status: Accepted" in page
    async with runtime.db.reading() as conn:
        (entry,) = await audit.search(conn, AuditFilter(action="application.accepted"))
    assert entry.target_id == reference and entry.detail["cohort_id"] == cohort.id
    sender = RecordingSender()
    await make_worker(runtime, sender).run_once()  # the console alone queues; the bot's worker sends
    assert sender.texts("1") == [message]


@pytest.mark.parametrize(
    ("decision", "fragment"),
    [
        (Decision.SHORTLISTED, "has been shortlisted"),
        (Decision.WAITLISTED, "is on the waiting list"),
        (Decision.REJECTED, "you were not selected this time"),
    ],
)
async def test_every_other_decision_previews_and_queues_its_message(
    runtime: Runtime, coordinator: Signed, decision: Decision, fragment: str
) -> None:
    reference = await add_application(runtime, "1", language="en")
    number = await application_id(runtime, reference)
    fields = {
        "csrf": await _form(coordinator.http, number),
        "decision": decision.value,
        "seen": "submitted",
        "notify": "1",
    }
    preview = await coordinator.http.post(f"/applications/{number}/preview", data=fields)
    assert fragment in preview.text
    assert (await coordinator.http.post(f"/applications/{number}/decide", data=fields)).status_code == 303
    assert await _state(runtime, reference) == (decision.value, 1, 1, None)


async def test_a_shortlisting_without_telling_sends_nothing(runtime: Runtime, coordinator: Signed) -> None:
    reference = await add_application(runtime, "1")
    number = await application_id(runtime, reference)
    fields = {"csrf": await _form(coordinator.http, number), "decision": "shortlisted", "seen": "submitted"}
    preview = await coordinator.http.post(f"/applications/{number}/preview", data=fields)
    assert "The applicant is not told about the shortlisting." in text_of(preview.text)
    assert (await coordinator.http.post(f"/applications/{number}/decide", data=fields)).status_code == 303
    assert await _state(runtime, reference) == ("shortlisted", 1, 0, None)


async def test_a_decision_on_a_page_that_is_out_of_date_is_refused_whole(runtime: Runtime, coordinator: Signed) -> None:
    """Someone shortlisted the application after this staff member opened it: their rejection is refused."""
    reference = await add_application(runtime, "1")
    number = await application_id(runtime, reference)
    fields = {"csrf": await _form(coordinator.http, number), "decision": "rejected", "seen": "submitted"}
    async with runtime.db.transaction() as tx:
        await decisions.decide(
            tx,
            reference,
            Decision.SHORTLISTED,
            staff_id=None,
            settings=runtime.settings,
            now=runtime.clock.now(),
            notify=False,
        )
    for action in ("preview", "decide"):
        response = await coordinator.http.post(f"/applications/{number}/{action}", data=fields)
        assert response.status_code == 409, action
        assert "Someone changed this application meanwhile, so nothing was done." in text_of(response.text)
        assert "Status: Shortlisted" in text_of(response.text)  # the page shows what is true now
    assert await _state(runtime, reference) == ("shortlisted", 1, 0, None)
    async with runtime.db.reading() as conn:
        assert await audit.search(conn, AuditFilter(action="application.rejected")) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"decision": "accepted", "cohort": "9999"}, "Choose a cohort of the application's programme."),
        ({"decision": "accepted", "cohort": "{other}"}, "That cohort belongs to another programme."),
        ({"decision": "accepted"}, "Choose a cohort of the application's programme."),
        ({"decision": "promoted"}, "Its present status does not allow this decision."),
        ({"decision": "rejected", "note": "x" * 501}, "The personal sentence may have at most 500 characters."),
    ],
)
async def test_forged_or_impossible_forms_are_refused_and_leave_nothing(
    runtime: Runtime, coordinator: Signed, fields: dict[str, str], reason: str
) -> None:
    await make_cohort(runtime)
    other = await make_cohort(runtime, "net-2027-1", "pro2y-networks")
    reference = await add_application(runtime, "1")
    number = await application_id(runtime, reference)
    data = {"csrf": await _form(coordinator.http, number), "seen": "submitted", **fields}
    data = {k: v.format(other=other.id) for k, v in data.items()}
    for action in ("preview", "decide"):
        response = await coordinator.http.post(f"/applications/{number}/{action}", data=data)
        assert response.status_code == 400, action
        assert escape(reason) in response.text
    assert await _state(runtime, reference) == ("submitted", 0, 0, None)


async def test_a_decided_application_offers_no_decision_and_refuses_one(runtime: Runtime, coordinator: Signed) -> None:
    cohort = await make_cohort(runtime)
    reference = await add_application(runtime, "1")
    async with runtime.db.transaction() as tx:
        await decisions.decide(
            tx, reference, Decision.REJECTED, staff_id=None, settings=runtime.settings, now=runtime.clock.now()
        )
    number = await application_id(runtime, reference)
    page = await coordinator.http.get(f"/applications/{number}")
    assert "This application is decided; its status cannot change any more." in text_of(page.text)
    assert f"/applications/{number}/preview" not in page.text
    data = {"csrf": csrf_of(page.text), "decision": "accepted", "cohort": str(cohort.id), "seen": "rejected"}
    response = await coordinator.http.post(f"/applications/{number}/decide", data=data)
    assert response.status_code == 400 and "Its present status does not allow this decision." in text_of(response.text)
    assert await _state(runtime, reference) == ("rejected", 1, 1, None)


async def test_decisions_without_the_csrf_token_are_refused(runtime: Runtime, coordinator: Signed) -> None:
    reference = await add_application(runtime, "1")
    number = await application_id(runtime, reference)
    for token in (None, "forged"):
        data = {"decision": "rejected", "seen": "submitted"} | ({"csrf": token} if token else {})
        for action in ("preview", "decide", "notes"):
            assert (await coordinator.http.post(f"/applications/{number}/{action}", data=data)).status_code == 403
    assert await _state(runtime, reference) == ("submitted", 0, 0, None)
