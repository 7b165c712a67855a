"""Updates of different people run at once; one person's updates never race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from bot.config import Settings
from bot.handlers.telegram.channel import CONCURRENT_UPDATES, serve
from bot.handlers.telegram.update_order import PerPersonUpdateProcessor, person_of
from bot.runtime import open_runtime
from storage import Database
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser


def _update(update_id: int, person: int) -> Update:
    chat = Chat(person, "private")
    message = Message(update_id, datetime.now(UTC), chat, from_user=User(person, "P", False), text=str(update_id))
    return Update(update_id, message=message)


async def test_one_person_waits_for_their_previous_update_others_do_not() -> None:
    processor = PerPersonUpdateProcessor(8)
    log: list[str] = []
    first_may_end = asyncio.Event()

    async def handle(name: str, hold: asyncio.Event | None = None) -> None:
        log.append(f"{name} starts")
        if hold is not None:
            await hold.wait()
        log.append(f"{name} ends")

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 7), handle("A1", first_may_end))),
        asyncio.create_task(processor.process_update(_update(2, 7), handle("A2"))),
        asyncio.create_task(processor.process_update(_update(3, 8), handle("B1"))),
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    assert log == ["A1 starts", "B1 starts", "B1 ends"]  # B is not held up by A; A2 waits for A1
    assert processor.people_waiting == 1
    first_may_end.set()
    await asyncio.gather(*tasks)
    assert log == ["A1 starts", "B1 starts", "B1 ends", "A1 ends", "A2 starts", "A2 ends"]
    assert processor.people_waiting == 0


async def test_an_update_cancelled_while_waiting_lets_the_next_one_run() -> None:
    processor = PerPersonUpdateProcessor(8)
    hold = asyncio.Event()
    log: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        log.append(name)

    first = asyncio.create_task(processor.process_update(_update(1, 7), handle("A1", hold)))
    second = asyncio.create_task(processor.process_update(_update(2, 7), handle("A2")))
    third = asyncio.create_task(processor.process_update(_update(3, 7), handle("A3")))
    await asyncio.sleep(0)
    second.cancel()
    hold.set()
    await asyncio.gather(first, third)
    assert log == ["A1", "A3"] and second.cancelled()


def test_person_is_the_user_else_the_chat() -> None:
    assert person_of(_update(1, 42)) == 42
    chat_only = Update(2, channel_post=Message(2, datetime.now(UTC), Chat(-100, "channel"), text="x"))
    assert person_of(chat_only) == -100
    assert person_of(object()) is None


# --- through the real python-telegram-bot Application and the fake Bot API -----------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def running_bot(settings: Settings, fake: FakeTelegram, clock) -> AsyncIterator[Settings]:  # type: ignore[no-untyped-def]
    tg_settings = replace(settings, telegram_token=fake.token, telegram_api_url=fake.base_url)
    stop = asyncio.Event()
    async with open_runtime(tg_settings, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        yield tg_settings
        stop.set()
        await asyncio.wait_for(task, 15)


def test_the_bot_handles_updates_concurrently() -> None:
    assert CONCURRENT_UPDATES > 1  # otherwise the tests below would prove nothing


async def test_a_burst_of_messages_is_answered_in_order(fake: FakeTelegram, running_bot: Settings) -> None:
    tg = TgUser(id=6001, language_code="en")
    user = TelegramUser(fake, tg)
    await user.say("/start", "English")
    await user.press("English", "Welcome")
    names = [f"/nothing{n:02d}" for n in range(20)]
    for name in names:  # all at once: they reach the bot in one getUpdates batch
        fake.send_text(tg, name)
    await user.expect(f"/{names[-1][1:]}.")
    await user.expect("Here is what I can do")
    answers = [m.text or "" for m in user.messages()[-2 * len(names) :]]
    # each unknown command gets its two messages, and nobody else's message slips in between
    assert answers[0::2] == [f"I don't know the command {name}." for name in names]
    assert all(text.startswith("Here is what I can do") for text in answers[1::2])


async def test_two_quick_taps_never_race(fake: FakeTelegram, running_bot: Settings) -> None:
    tg = TgUser(id=6002, language_code="en")
    user = TelegramUser(fake, tg)
    await user.say("/start", "English")
    await user.press("English", "Welcome")
    await user.say("/apply", "Which training")
    await user.press_index(0, "full name")
    await user.say("Jane Doe", "date of birth")
    await user.say("15.03.2004", "gender")
    keyboard = user.last_keyboard()
    fake.press_button(tg, keyboard, keyboard.button("Female")["callback_data"])
    fake.press_button(tg, keyboard, keyboard.button("Male")["callback_data"])  # a second tap, at once
    await user.expect("municipality")
    await user.expect("earlier message")  # the second tap found the question already answered
    async with Database(running_bot.database_path) as db, db.reading() as conn:
        async with conn.execute("SELECT step, answers FROM conversations") as cur:
            ((step, answers),) = await cur.fetchall()
    assert step == "municipality" and '"gender": "female"' in answers
    assert len([r for r in fake.requests if r.method == "answerCallbackQuery"]) >= 4
