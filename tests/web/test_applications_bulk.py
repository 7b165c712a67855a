"""Bulk decisions from the list: select rows, choose one decision, a confirmation that says how
many (and which selected rows cannot take it), then one decision for each, audited as a bulk action."""

from __future__ import annotations

import re

from bot.runtime import Runtime
from bot.services import decisions
from bot.services.decisions import Decision
from storage import audit, outbox, trainees
from storage.audit import AuditFilter
from tests.support.applicants import add_application
from tests.support.console import Signed, csrf_of, text_of
from tests.support.training import make_cohort


async def _status(runtime: Runtime, reference: str) -> str:
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, reference)
    assert found is not None
    return found.status


async def _three(runtime: Runtime) -> list[str]:
    refs = [
        await add_application(runtime, str(i), name=f"Vesa Shala {c}", phone=f"+3834420000{i}")
        for i, c in enumerate("ABC")
    ]
    async with runtime.db.transaction() as tx:
        await decisions.decide(
            tx, refs[2], Decision.REJECTED, staff_id=None, settings=runtime.settings, now=runtime.clock.now()
        )
    return refs


def _items(html: str) -> list[str]:
    return re.findall(r'name="item" value="([^"]+)"', html)


async def test_the_confirmation_says_how_many_then_each_is_decided_and_the_bulk_is_audited(
    runtime: Runtime, coordinator: Signed
) -> None:
    refs = await _three(runtime)
    listing = await coordinator.http.get("/applications?search=Vesa")
    csrf = csrf_of(listing.text)
    confirm = await coordinator.http.post(
        "/applications/bulk",
        data={"csrf": csrf, "ref": refs, "decision": "waitlisted", "back": "search=Vesa", "note": " See you soon. "},
    )
    assert confirm.status_code == 200
    page = text_of(confirm.text)
    assert "Put on the waiting list: 2 applications. Each applicant is told in their own language." in page
    assert f"1 selected application cannot take this decision and stays as it is: {refs[2]} — Vesa Shala C" in page
    assert "Yes, decide for 2 applications" in page
    assert sorted(_items(confirm.text)) == sorted([f"{refs[0]}:submitted", f"{refs[1]}:submitted"])
    assert [await _status(runtime, r) for r in refs[:2]] == ["submitted"] * 2  # the confirmation writes nothing

    fields = {"csrf": csrf, "decision": "waitlisted", "item": _items(confirm.text), "back": "search=Vesa"}
    fields["note"] = re.findall(r'name="note" value="([^"]*)"', confirm.text)[0]
    done = await coordinator.http.post("/applications/bulk/apply", data=fields)
    assert done.status_code == 200
    assert "2 applications decided. 2 messages are on their way." in text_of(done.text)
    assert 'href="/applications?search=Vesa"' in done.text
    assert [await _status(runtime, r) for r in refs] == ["waitlisted", "waitlisted", "rejected"]
    async with runtime.db.reading() as conn:
        (bulk,) = await audit.search(conn, AuditFilter(action="application.bulk"))
        singles = await audit.search(conn, AuditFilter(action="application.waitlisted"))
        queued = await outbox.due(conn, ["telegram"], runtime.clock.now(), 50)
    assert bulk.detail == {"decision": "waitlisted", "selected": 2, "decided": 2, "refused": 0, "cohort_id": None}
    assert {e.target_id for e in singles} == set(refs[:2])
    assert (
        sorted(q.payload["note"] for q in queued if q.payload.get("decision") == "waitlisted") == ["See you soon."] * 2
    )


async def test_a_row_changed_after_the_confirmation_is_left_as_it_is_and_said(
    runtime: Runtime, coordinator: Signed
) -> None:
    refs = await _three(runtime)
    csrf = csrf_of((await coordinator.http.get("/applications")).text)
    confirm = await coordinator.http.post(
        "/applications/bulk", data={"csrf": csrf, "ref": refs[:2], "decision": "rejected"}
    )
    async with runtime.db.transaction() as tx:  # another coordinator, meanwhile
        await decisions.decide(
            tx, refs[1], Decision.SHORTLISTED, staff_id=None, settings=runtime.settings, now=runtime.clock.now()
        )
    done = await coordinator.http.post(
        "/applications/bulk/apply", data={"csrf": csrf, "decision": "rejected", "item": _items(confirm.text)}
    )
    page = text_of(done.text)
    assert "1 application decided." in page
    assert f"1 application was left as it is: {refs[1]}: Someone changed this application meanwhile" in page
    assert [await _status(runtime, r) for r in refs[:2]] == ["rejected", "shortlisted"]
    async with runtime.db.reading() as conn:
        (bulk,) = await audit.search(conn, AuditFilter(action="application.bulk"))
    assert (bulk.detail["decided"], bulk.detail["refused"]) == (1, 1)


async def test_bulk_acceptance_needs_a_cohort_and_enrols_into_it(runtime: Runtime, coordinator: Signed) -> None:
    cohort = await make_cohort(runtime)
    refs = (await _three(runtime))[:2]
    csrf = csrf_of((await coordinator.http.get("/applications")).text)
    without = await coordinator.http.post(
        "/applications/bulk", data={"csrf": csrf, "ref": refs, "decision": "accepted"}
    )
    assert "Choose a cohort of the application's programme." in text_of(without.text)
    assert _items(without.text) == [] and "Yes, decide" not in without.text
    confirm = await coordinator.http.post(
        "/applications/bulk", data={"csrf": csrf, "ref": refs, "decision": "accepted", "cohort": str(cohort.id)}
    )
    assert "Accept into a cohort: 2 applications." in text_of(confirm.text) and "Cohort: Web 2027 1" in text_of(
        confirm.text
    )
    fields = {"csrf": csrf, "decision": "accepted", "cohort": str(cohort.id), "item": _items(confirm.text)}
    await coordinator.http.post("/applications/bulk/apply", data=fields)
    async with runtime.db.reading() as conn:
        for reference in refs:
            found = await trainees.applicant(conn, reference)
            assert found is not None and found.status == "accepted"
            assert await trainees.enrolled_cohort_of_application(conn, found.application_id) == cohort.id


async def test_nothing_selected_or_no_token(runtime: Runtime, coordinator: Signed) -> None:
    refs = await _three(runtime)
    csrf = csrf_of((await coordinator.http.get("/applications")).text)
    for path in ("/applications/bulk", "/applications/bulk/apply"):
        response = await coordinator.http.post(path, data={"csrf": csrf, "decision": "rejected"})
        assert "Select at least one application in the list, and a decision." in text_of(response.text)
    item = f"{refs[0]}:submitted"
    for data in ({"decision": "rejected", "item": item}, {"csrf": "forged", "decision": "rejected", "item": item}):
        assert (await coordinator.http.post("/applications/bulk/apply", data=data)).status_code == 403
    assert await _status(runtime, refs[0]) == "submitted"
