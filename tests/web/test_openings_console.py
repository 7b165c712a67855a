"""Openings in the console: publish with a preview, the chat's rules, edit, close, the interested and their export."""

from __future__ import annotations

import csv
import io
from datetime import date

import httpx
from openpyxl import load_workbook

from bot.reference.municipalities import Municipalities
from bot.runtime import Runtime
from bot.services import openings as opening_service
from bot.services.staff import Role
from storage import audit as audit_store
from storage import openings, outbox
from storage.audit import AuditFilter
from tests.support.chat import Chat
from tests.support.console import client, make_account, signed_in
from tests.support.forms import choose_language
from tests.support.openings import add_applicant, add_opening, add_person, new_opening

FORM = {
    "kind": "internship",
    "title": "  Software   tester intern ",
    "employer": "TestLab",
    "description": "Three months of testing web and mobile apps, with a mentor.",
    "place": "prizren",
    "tracks": ["mobile"],
    "deadline": "2027-01-15",
    "apply_how": "Send your CV to hr@testlab.example",
}


async def _coordinator(runtime: Runtime, http: httpx.AsyncClient) -> str:
    await make_account(runtime, Role.COORDINATOR)
    return await signed_in(http, "coordinator@example.org")


async def _actions(runtime: Runtime) -> list[tuple[str, str | None, dict[str, object]]]:
    async with runtime.db.reading() as conn:
        entries = await audit_store.search(conn, AuditFilter())
    return [(e.action, e.staff_email, e.detail) for e in entries if e.action.startswith("opening.")]


async def test_publish_after_a_preview_queues_the_same_alerts_as_the_chat(runtime: Runtime) -> None:
    await add_person(runtime, "7001", alerts_on=True, tracks=("mobile",))
    await add_person(runtime, "7002", alerts_on=True)  # every track
    await add_person(runtime, "7003", alerts_on=True, tracks=("networks",))
    woken: list[int] = []
    async with client(runtime, wake=lambda: woken.append(1)) as http:
        csrf = await _coordinator(runtime, http)
        preview = await http.post("/openings/new", data={**FORM, "step": "preview", "csrf": csrf})
        assert preview.status_code == 200
        assert "Preview: this is how the opening will look." in preview.text
        assert "🎓 Internship: Software tester intern" in preview.text and "Where: Prizren" in preview.text
        assert "When you save it, 2 people with matching job alerts get it." in preview.text
        async with runtime.db.reading() as conn:
            assert await openings.get(conn, 1) is None  # a preview saves nothing
        saved = await http.post("/openings/new", data={**FORM, "step": "publish", "csrf": csrf})
        assert (saved.status_code, saved.headers["location"]) == (303, "/openings/1")
        listing = await http.get("/openings")
    assert woken == [1] and "Software tester intern" in listing.text
    async with runtime.db.reading() as conn:
        opening = await openings.get(conn, 1)
        alerts = await outbox.counts(conn, "opening:1")
    assert opening is not None and opening.title == "Software tester intern" and opening.tracks == ("mobile",)
    assert alerts == {"pending": 2}
    assert await _actions(runtime) == [
        ("opening.publish", "coordinator@example.org", {"kind": "internship", "tracks": ["mobile"], "alerts": 2})
    ]
    # the chat's /newopening with the same answers queues the same alerts, through the same service
    staff = Chat(runtime, "999")
    await choose_language(staff)
    await staff.send("/newopening")
    await staff.press("Internship")
    for text in ("Software tester intern", "TestLab", FORM["description"], "Prizren"):
        await staff.send(text)
    await staff.press("Mobile development")
    await staff.press("Done")
    await staff.send("15.01.2027")
    await staff.send(FORM["apply_how"])
    await staff.press("Save and publish")
    assert "opening #2 is published" in staff.text() and "2 people with matching alerts" in staff.text()
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn, "opening:2") == {"pending": 2}
    assert [a for a, _email, _d in await _actions(runtime)] == ["opening.publish", "opening.publish"]


async def test_the_chat_rules_refuse_a_wrong_opening_field_by_field(runtime: Runtime) -> None:
    wrong = {**FORM, "title": "QA", "apply_how": "Ask us", "deadline": "2020-01-01", "tracks": [], "place": ""}
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        for step in ("preview", "publish"):
            response = await http.post("/openings/new", data={**wrong, "step": step, "csrf": csrf})
            assert response.status_code == 400
            page = response.text
            assert "That is too short: please write at least 3 characters." in page
            assert "Please include a link (https://...), an e-mail address or a phone number" in page
            assert "That date has passed." in page
            assert "Which of the programme&#39;s tracks does it fit?" in page
            assert "Where is the work? Choose the municipality, or Remote." in page
            assert 'value="Ask us"' not in page and ">Ask us</textarea>" in page  # what was typed is kept
    async with runtime.db.reading() as conn:
        assert await openings.list_all(conn) == []


def test_the_service_holds_the_rules_for_every_caller() -> None:
    today = date(2026, 11, 27)
    assert opening_service.problems(new_opening(), today, Municipalities.load()) == {}
    bad = new_opening(tracks=("astrology",), municipality="atlantis", deadline=date(2028, 1, 1))
    assert set(opening_service.problems(bad, today, Municipalities.load())) == {"tracks", "place", "deadline"}


async def test_edit_changes_the_opening_and_alerts_only_people_new_to_it(runtime: Runtime) -> None:
    await add_person(runtime, "7001", alerts_on=True, tracks=("web",))
    await add_person(runtime, "7002", alerts_on=True, tracks=("networks",))
    async with runtime.db.transaction() as tx:
        opening, alerted = await opening_service.publish(
            tx, new_opening(), None, runtime.settings, runtime.clock.now(), staff_id=None
        )
    assert alerted == 1
    form = {**FORM, "tracks": ["web", "networks"], "title": "Network and web intern"}
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        page = await http.get(f"/openings/{opening.id}/edit")
        assert 'value="Junior web developer"' in page.text
        preview = await http.post(f"/openings/{opening.id}/edit", data={**form, "step": "preview", "csrf": csrf})
        assert "Network and web intern" in preview.text and "2 people have matching job alerts" in preview.text
        saved = await http.post(f"/openings/{opening.id}/edit", data={**form, "step": "publish", "csrf": csrf})
    assert saved.status_code == 303
    async with runtime.db.reading() as conn:
        changed = await openings.get(conn, opening.id)
        alerts = await outbox.counts(conn, f"opening:{opening.id}")
    assert changed is not None and changed.title == "Network and web intern"
    assert changed.tracks == ("networks", "web") and changed.municipality == "prizren"
    assert alerts == {"pending": 2}  # the networks person now; the web person not twice
    assert (await _actions(runtime))[0][0] == "opening.update"


async def test_close_asks_first_then_withdraws_the_alerts_not_sent(runtime: Runtime) -> None:
    await add_person(runtime, "7001", alerts_on=True)
    async with runtime.db.transaction() as tx:
        opening, _alerted = await opening_service.publish(
            tx, new_opening(), None, runtime.settings, runtime.clock.now()
        )
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        question = await http.post(f"/openings/{opening.id}/close", data={"csrf": csrf})
        assert (
            question.status_code == 200
            and "It will show as closed, and alerts not sent yet are dropped." in question.text
        )
        async with runtime.db.reading() as conn:
            assert (await openings.get(conn, opening.id)).status == "open"  # type: ignore[union-attr]
        closed = await http.post(f"/openings/{opening.id}/close", data={"csrf": csrf, "confirm": "yes"})
        again = await http.post(f"/openings/{opening.id}/close", data={"csrf": csrf, "confirm": "yes"})
        edit = await http.post(f"/openings/{opening.id}/edit", data={**FORM, "step": "publish", "csrf": csrf})
        forged = await http.post("/openings/new", data={**FORM, "step": "publish", "csrf": "forged"})
    assert closed.status_code == 303 and again.status_code == 409 and edit.status_code == 409
    assert forged.status_code == 403
    async with runtime.db.reading() as conn:
        assert (await openings.get(conn, opening.id)).status == "closed"  # type: ignore[union-attr]
        assert await outbox.counts(conn, f"opening:{opening.id}") == {"cancelled": 1}
        assert len(await openings.list_all(conn)) == 1
    assert (await _actions(runtime))[0] == ("opening.close", "coordinator@example.org", {"alerts_withdrawn": 1})


async def test_the_interested_people_and_their_export_are_for_coordinators_and_audited(runtime: Runtime) -> None:
    opening = await add_opening(runtime, title="Junior tester")
    for chat_id in ("7001", "7002"):
        person = await add_person(runtime, chat_id)
        await add_applicant(runtime, person)
        async with runtime.db.transaction() as tx:
            await opening_service.add_interest(tx, opening.id, person.id, runtime.clock.now())
    await make_account(runtime, Role.VIEWER)
    async with client(runtime) as http:
        await _coordinator(runtime, http)
        page = await http.get(f"/openings/{opening.id}")
        listing = await http.get("/openings")
        as_csv = await http.get(f"/openings/{opening.id}/interested.csv")
        as_xlsx = await http.get(f"/openings/{opening.id}/interested.xlsx")
    async with client(runtime) as viewer:
        await signed_in(viewer, "viewer@example.org")
        refused = [
            (await viewer.get(path)).status_code
            for path in (f"/openings/{opening.id}", f"/openings/{opening.id}/interested.csv", "/openings")
        ]
    assert page.text.count("Test Person") == 2 and "+38344123456" in page.text and "Interested people" in page.text
    assert "<td>2</td>" in listing.text
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["opening_id", "opening", "name", "phone"] and len(rows) == 3
    assert rows[1][2:4] == ["Test Person", "+38344123456"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.max_row == 3 and sheet.cell(2, 3).value == "Test Person"
    assert refused == [403, 403, 403]
    exports = [d for a, _e, d in await _actions(runtime) if a == "opening.export_interested"]
    assert exports == [{"format": "xlsx", "rows": 2}, {"format": "csv", "rows": 2}]
