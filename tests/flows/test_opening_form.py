"""Staff publish an opening in a guided flow (checked answers, a preview) and close it."""

from __future__ import annotations

from datetime import date

from bot.flows.openings.opening_form import has_contact
from bot.messages import InputKind, UserInput
from bot.runtime import Runtime
from storage import openings
from tests.support.chat import Chat
from tests.support.forms import choose_language
from tests.support.openings import add_opening


async def _staff(runtime: Runtime) -> Chat:
    chat = Chat(runtime, "999")
    await choose_language(chat)
    return chat


async def test_every_answer_is_checked_and_the_preview_shows_the_opening(runtime: Runtime) -> None:
    staff = await _staff(runtime)
    await staff.send("/newopening")
    assert "Is it a job or an internship?" in staff.text()
    await staff.send("a car")
    assert "didn't recognise that" in staff.text()
    await staff.press("Internship")
    await staff.send("QA")  # too short
    assert "at least 3 characters" in staff.text()
    await staff.send("  Software   tester\nintern ")
    await staff.send(UserInput(InputKind.OTHER, "sticker"))
    assert "not stickers" in staff.text()
    await staff.send("TestLab")
    await staff.send("x" * 1501)
    assert "1501 characters long; up to 1500 characters are accepted" in staff.text()
    await staff.send("Three months of testing web and mobile apps, with a mentor.")
    await staff.send("Prizrenn")  # a typo gets suggestions
    assert "Did you mean: Prizren" in staff.text()
    await staff.send("Prizren")
    await staff.press("Done")  # nothing ticked yet
    assert "Please tick at least one" in staff.text()
    await staff.press("Mobile development")
    assert "Ticked: Mobile development" in staff.text()
    await staff.press("Done")
    await staff.send("1.1.2020")
    assert "That date has passed" in staff.text()
    await staff.send("31.02.2027")
    assert "I couldn't read that date" in staff.text()
    await staff.send("15.01.2027")
    await staff.send("Ask us")
    assert "Please include a link" in staff.text()
    await staff.send("Send your CV to hr@testlab.example")
    preview = staff.text()
    assert "Preview: this is how the opening will look." in preview
    assert "🎓 Internship: Software tester intern" in preview and "Where: Prizren" in preview
    assert "Tracks: Mobile development" in preview and "Apply by: 15 January 2027" in preview
    await staff.press("Edit an answer")
    await staff.press("Where")
    await staff.press("Remote")
    assert "Where: Remote" in staff.text()
    await staff.press("Save and publish")
    assert "opening #1 is published" in staff.text()
    async with runtime.db.reading() as conn:
        saved = await openings.get(conn, 1)
    assert saved.title == "Software tester intern" and saved.municipality is None and saved.remote
    assert saved.tracks == ("mobile",) and saved.deadline == date(2027, 1, 15) and saved.kind == "internship"


async def test_cancel_from_the_preview_saves_nothing(runtime: Runtime) -> None:
    staff = await _staff(runtime)
    await staff.send("/newopening")
    await staff.press("Job")
    for text in ("Cashier", "Viva Fresh", "Work at the till, part time, paid."):
        await staff.send(text)
    await staff.send("Gjilan")
    await staff.press("Entrepreneurship")
    await staff.press("Done")
    await staff.send("20.12.2026")
    await staff.send("044 123 456")
    await staff.press("Cancel")
    assert "Cancelled; nothing was saved." in staff.text()
    async with runtime.db.reading() as conn:
        assert await openings.get(conn, 1) is None


async def test_youth_cannot_publish_or_close(runtime: Runtime) -> None:
    await add_opening(runtime)
    youth = Chat(runtime)
    await choose_language(youth)
    for command in ("/newopening", "/closeopening", "/broadcast"):
        await youth.send(command)
        assert "only for the programme's staff" in youth.text()


async def test_close_an_opening_with_the_command(runtime: Runtime) -> None:
    await add_opening(runtime, title="Cashier")
    staff = await _staff(runtime)
    await staff.send("/closeopening")
    await staff.press("Cashier")
    await staff.press("No, keep it open")
    assert "💼 Job: Cashier" in staff.text()
    await staff.send("/closeopening")
    await staff.press("Cashier")
    await staff.press("Yes, close it")
    await staff.send("/closeopening")
    assert "There are no current openings." in staff.text()


def test_a_way_to_apply_needs_a_link_an_address_or_a_number() -> None:
    assert has_contact("https://acme.example/jobs") and has_contact("see www.acme-jobs.com")
    assert has_contact("CV to hr@acme.example.") and has_contact("Call 044 123 456")
    assert not has_contact("Ask at the front desk") and not has_contact("room 12, floor 3")
