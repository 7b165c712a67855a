"""/alerts, STOP in every language, and new-opening alerts through the outbox."""

from __future__ import annotations

import pytest

from bot.flows.registry import Feature, Keyword, Registry, RegistryError
from bot.messages import InputKind, Reply, UserInput
from bot.runtime import Runtime
from storage import alerts, conversations, outbox, users
from tests.support.chat import Chat
from tests.support.forms import choose_language
from tests.support.openings import add_person
from tests.support.outbox import FakeSender, worker_for


async def _prefs(runtime: Runtime, platform_id: str) -> alerts.AlertPreferences:
    async with runtime.db.reading() as conn:
        user = await users.find(conn, "telegram", platform_id)
        return await alerts.get(conn, user.id)


async def test_alerts_on_with_chosen_tracks_and_off(runtime: Runtime) -> None:
    chat = Chat(runtime)
    await choose_language(chat)
    await chat.send("/alerts")
    assert "Job alerts are off" in chat.text()
    await chat.press("Turn on job alerts")
    assert "you get a message about every new opening" in chat.text()
    await chat.press("Choose tracks")
    await chat.press("Web development")
    await chat.press("Mobile development")
    await chat.press("Web development")  # untick
    assert "✓ Mobile development" in [o.label for o in chat.prompt().options]
    await chat.press("Done")
    assert "fits Mobile development" in chat.text()
    assert await _prefs(runtime, "1001") == alerts.AlertPreferences(True, False, frozenset({"mobile"}))
    await chat.press("Turn off job alerts")
    assert "Job alerts are off" in chat.text()
    assert (await _prefs(runtime, "1001")).alerts is False


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop! ", "NDAL", "ndal", "СТОП", "стоп", "Стоп."])
async def test_stop_in_every_language_stops_everything(runtime: Runtime, word: str) -> None:
    chat = Chat(runtime)
    await choose_language(chat)
    await chat.send("/alerts")
    await chat.press("Turn on job alerts")
    await chat.send(word)
    assert "you will get no more job alerts or announcements" in chat.text() and "/alerts" in chat.text()
    assert await _prefs(runtime, "1001") == alerts.AlertPreferences(False, True, frozenset())
    await chat.send("/alerts")
    assert "You have stopped all job alerts and announcements" in chat.text()
    await chat.press("Get announcements again")
    assert (await _prefs(runtime, "1001")).stopped is False


async def test_stop_in_the_middle_of_a_form_keeps_the_form(runtime: Runtime) -> None:
    chat = Chat(runtime)
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Jane Doe")
    await chat.send("NDAL")
    assert "no more job alerts" in chat.last[0].text
    assert "date of birth" in chat.last[-1].text  # the current question again
    async with runtime.db.reading() as conn:
        user = await users.find(conn, "telegram", "1001")
        state = await conversations.load(conn, user.id)
    assert state.flow == "apply" and state.answers["full_name"] == "Jane Doe"
    await chat.send("Please stop asking")  # not a keyword: an answer for the form
    assert "couldn't read that date" in chat.text()


async def test_stop_works_before_a_language_is_chosen(runtime: Runtime) -> None:
    chat = Chat(runtime, platform_language="sr")
    await chat.send("СТОП")
    assert (await _prefs(runtime, "1001")).stopped is True


async def test_after_the_first_language_choice_comes_the_welcome(runtime: Runtime) -> None:
    chat = Chat(runtime)
    await choose_language(chat)
    assert "Welcome!" in chat.text() and "Please choose your language" not in chat.text()


def test_a_keyword_is_defined_once() -> None:
    async def nothing(ctx: object) -> list[Reply]:
        return []

    with pytest.raises(RegistryError):
        Registry(
            [
                Feature("a", keywords=(Keyword(("stop",), nothing),)),
                Feature("b", keywords=(Keyword(("STOP",), nothing),)),
            ]
        )
    with pytest.raises(RegistryError):
        Registry([Feature("a", keywords=(Keyword(("stop!",), nothing),))])


async def test_new_opening_alerts_reach_matching_people_once_and_respect_stop(runtime: Runtime) -> None:
    web = await add_person(runtime, "4001", alerts_on=True, tracks=("web",))
    every = await add_person(runtime, "4002", alerts_on=True)
    await add_person(runtime, "4003", alerts_on=True, tracks=("networks",))
    await add_person(runtime, "4004")
    staff = Chat(runtime, "999")
    await choose_language(staff)
    await staff.send("/newopening")
    for answer in ("Job", "Junior web developer", "Acme Sh.p.k.", "Building web apps with a friendly team.", "Remote"):
        await (staff.press(answer) if answer in ("Job", "Remote") else staff.send(answer))
    await staff.press("Web development")
    await staff.press("Done")
    await staff.send("31.12.2026")
    await staff.send("jobs@acme.example")
    assert "When you save it, 2 people with matching job alerts get it." in staff.text()
    await staff.press("Save and publish")
    assert "2 people with matching alerts will get it" in staff.text()
    async with runtime.db.transaction() as tx:
        await alerts.stop(tx, every.id, runtime.clock.now())  # said STOP after the alert was queued
    sender = FakeSender()
    worker, _ticks = worker_for(runtime, sender)
    await worker.run_once()
    assert [chat for chat, _text in sender.sent] == ["4001"]
    assert "New opening for you:" in sender.sent[0][1] and "Junior web developer" in sender.sent[0][1]
    assert "To stop these messages, send STOP." in sender.sent[0][1]
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn, "opening:1") == {"sent": 1, "cancelled": 1}
    assert web.id != every.id
    await staff.send(UserInput(InputKind.OPTION, "jobs.show.1"))
    assert "Staff: 0 people are interested." in staff.text()
