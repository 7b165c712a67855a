"""End to end on the fake Bot API with the real python-telegram-bot Application: staff accept
an applicant, the trainee is told, gets the reminder when its time comes, and their RSVP is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.handlers.telegram.channel import serve
from bot.runtime import Runtime, open_runtime
from storage import attendance, users
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser
from tests.support.training import add_session, known_user, make_applicant, make_cohort, utc

STAFF_ID = 999
TRAINEE_ID = 6001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def live(settings: Settings, fake: FakeTelegram, clock: ManualClock) -> AsyncIterator[Runtime]:
    """The bot polling the fake server, on a manual clock set to 1 March 2027."""
    clock.set(utc(2027, 3, 1, 8, 0))
    tg_settings = replace(
        settings, telegram_token=fake.token, telegram_api_url=fake.base_url, staff_telegram_ids=frozenset({STAFF_ID})
    )
    stop = asyncio.Event()
    async with open_runtime(tg_settings, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        yield runtime
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_enrolled_trainee_gets_the_reminder_and_rsvp_is_stored(
    fake: FakeTelegram, live: Runtime, clock: ManualClock
) -> None:
    cohort = await make_cohort(live)
    session = await add_session(live, cohort, "15.03.2027 17:30", "15.03.2027 19:00", topic="Git basics")
    reference = await make_applicant(live, str(TRAINEE_ID), "Jane Doe", language="en")
    await known_user(live, str(STAFF_ID))
    staff = TelegramUser(fake, TgUser(id=STAFF_ID, language_code="en"))
    person = TelegramUser(fake, TgUser(id=TRAINEE_ID, first_name="Jane", language_code="en"))

    await staff.say("/accept", "reference number")
    await staff.say(reference, "Into which cohort?")
    await staff.press("Web 2027 1", "Accept Jane Doe")
    await staff.press("Yes, accept", "2 reminders planned")
    await person.expect("Good news! You have been accepted")

    clock.set(utc(2027, 3, 14, 16, 30))  # 24 hours before the session
    await person.say("/schedule", "Monday, 15 March 2027, 17:30–19:00")  # any update wakes the sender
    (reminder,) = [m for m in await person.expect("Reminder") if "Reminder" in (m.text or "")]
    assert "Git basics" in (reminder.text or "") and "Room 3, ICK, Prishtina" in (reminder.text or "")
    assert [b["text"] for b in reminder.buttons()] == ["✅ I will attend", "❌ I can't attend"]

    await person.press("I will attend", "Noted: you will attend")
    await person.press("I will attend", "Already noted")
    async with live.db.reading() as conn:
        user = await users.find(conn, "telegram", str(TRAINEE_ID))
        assert user is not None
        assert await attendance.answer_of(conn, session.id, user.id) == "yes"
    reminders = [m for m in fake.sent_to(TRAINEE_ID) if "Reminder" in (m.text or "")]
    assert len(reminders) == 1  # sent once
    presses = [r for r in fake.requests if r.method == "answerCallbackQuery"]
    assert len(presses) == 4 and all(r.status == 200 for r in presses)  # every press answered
