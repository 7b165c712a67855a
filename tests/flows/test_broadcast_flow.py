"""/broadcast: staff choose what and to whom, see the count and a preview, and only then send."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.services.alerts import queue_alerts
from storage import broadcasts, outbox
from storage.segments import Segment
from tests.support.chat import Chat
from tests.support.forms import choose_language
from tests.support.openings import add_applicant, add_opening, add_person, enrol


async def _staff(runtime: Runtime) -> Chat:
    chat = Chat(runtime, "999")
    await choose_language(chat)
    return chat


async def _rows(runtime: Runtime, broadcast_id: int) -> list[tuple[str, str, int]]:
    async with runtime.db.reading() as conn:
        async with conn.execute(
            "SELECT chat_id, kind, bulk FROM outbox WHERE ref = ? OR ref = ? ORDER BY id",
            (broadcasts.recipients_ref(broadcast_id), broadcasts.report_ref(broadcast_id)),
        ) as cur:
            return [tuple(row) for row in await cur.fetchall()]


async def test_a_message_to_everyone_after_the_preview(runtime: Runtime) -> None:
    await add_person(runtime, "6001", alerts_on=True)
    await add_person(runtime, "6002", alerts_on=True, tracks=("web",))
    await add_person(runtime, "6003")
    staff = await _staff(runtime)
    await staff.send("/broadcast")
    await staff.press("A message I write")
    await staff.send("The job fair is on Friday at 10:00 in the Innovation Centre.")
    await staff.press("Everyone with alerts")
    preview = staff.text()
    assert "A message from the programme:" in preview and "job fair is on Friday" in preview
    assert "To: Everyone with alerts" in preview and "That is 2 people now." in preview
    assert await _rows(runtime, 1) == []  # nothing before the confirmation
    await staff.press("Send to 2 people")
    assert "Broadcast #1 is on its way to 2 people" in staff.text()
    assert await _rows(runtime, 1) == [
        ("999", "broadcast_progress", 0),
        ("6001", "broadcast", 1),
        ("6002", "broadcast", 1),
    ]
    async with runtime.db.reading() as conn:
        broadcast = await broadcasts.get(conn, 1)
    assert broadcast.segment == Segment("everyone") and broadcast.recipients == 2 and broadcast.status == "sending"
    assert broadcast.text == "The job fair is on Friday at 10:00 in the Innovation Centre."


async def test_an_opening_to_a_track_skips_people_its_alert_reached(runtime: Runtime) -> None:
    await add_person(runtime, "6101", alerts_on=True, tracks=("web",))
    opening = await add_opening(runtime, title="Frontend developer", tracks=("mobile",))
    await add_person(runtime, "6102", alerts_on=True, tracks=("web",))
    await add_person(runtime, "6103", alerts_on=True)  # every track
    async with runtime.db.transaction() as tx:
        assert await queue_alerts(tx, opening, runtime.settings, runtime.clock.now()) == 1  # 6103 only
    staff = await _staff(runtime)
    await staff.send("/broadcast")
    await staff.press("An opening")
    await staff.press("Frontend developer")
    await staff.press("Alerts for one track")
    await staff.press("Web development")
    assert "💼 Job: Frontend developer" in staff.text() and "People with alerts for Web development" in staff.text()
    assert "That is 2 people now." in staff.text()
    await staff.press("Send to 2 people")
    assert [r[0] for r in await _rows(runtime, 1)] == ["999", "6101", "6102"]


async def test_changing_the_group_asks_what_it_needs(runtime: Runtime) -> None:
    person = await add_person(runtime, "6201")
    await enrol(runtime, await add_applicant(runtime, person, municipality="gjakove"), "web-9")
    staff = await _staff(runtime)
    await staff.send("/broadcast")
    await staff.press("A message I write")
    await staff.send("Hello trainees!")
    await staff.press("Everyone with alerts")
    assert "Nobody is in this group" in staff.text()
    await staff.press("Send to 0 people")
    assert "Nobody is in this group now; nothing was sent." in staff.text()
    await staff.press("Edit an answer")
    await staff.press("To")
    await staff.press("Trainees of one cohort")
    assert "Which cohort?" in staff.text()  # the preview waits for the cohort
    await staff.press("web-9")
    assert "To: Trainees of cohort Cohort web-9" in staff.text() and "That is 1 person now." in staff.text()
    await staff.press("Edit an answer")
    await staff.press("To")
    await staff.press("From one municipality")
    await staff.send("Gjakovë")
    assert "To: Applicants from Gjakova" in staff.text() and "That is 1 person now." in staff.text()
    await staff.press("Edit an answer")
    await staff.press("To")
    await staff.press("Applicants by programme")
    await staff.press("Software (2 years)")
    assert "That is 1 person now." in staff.text()
    await staff.press("Send to 1 person")
    assert [r[0] for r in await _rows(runtime, 1)] == ["999", "6201"]


async def test_no_cohorts_no_openings_and_cancel(runtime: Runtime) -> None:
    staff = await _staff(runtime)
    await staff.send("/broadcast")
    await staff.press("An opening")
    assert "There are no current openings to broadcast" in staff.text()
    await staff.press("A message I write")
    await staff.send("Hi")
    await staff.press("Trainees of one cohort")
    assert "There are no cohorts yet" in staff.text()
    await staff.press("All graduates")
    await staff.press("Cancel")
    assert "Cancelled; nothing was sent." in staff.text()
    async with runtime.db.reading() as conn:
        assert await broadcasts.list_all(conn) == [] and await outbox.counts(conn) == {}
