"""End to end: the real python-telegram-bot Application against the fake Bot API server.

Every request the bot makes is checked against the official Bot API description;
any violation fails the test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.handlers.telegram.channel import serve
from bot.runtime import open_runtime
from storage import Database, applications
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser, consent, prompt, text

STAFF_ID = 999
LANGUAGE_BUTTON = {"sq": "Shqip", "sr": "Српски", "sr_Latn": "Srpski", "en": "English"}
NAMES = {"sq": "Arta Krasniqi", "sr": "Јована Петровић", "sr_Latn": "Milica Jović", "en": "Jane Doe"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegram) -> Settings:
    return replace(
        settings, telegram_token=fake.token, telegram_api_url=fake.base_url, staff_telegram_ids=frozenset({STAFF_ID})
    )


@pytest.fixture
async def running_bot(tg_settings: Settings, clock) -> AsyncIterator[None]:
    stop = asyncio.Event()
    async with open_runtime(tg_settings, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        yield
        stop.set()
        await asyncio.wait_for(task, 15)


async def apply_in(user: TelegramUser, language: str, settings: Settings) -> None:
    """The whole application, from /start to the reference number, in one language."""
    await user.say("/start", "Shqip")
    await user.press(LANGUAGE_BUTTON[language], text("Language set to English.", language))
    await user.say("/apply", prompt("programme", language, settings))
    await user.press_index(0, prompt("full_name", language, settings))
    await user.say(NAMES[language], prompt("birth_date", language, settings))
    await user.say("15.03.2004", prompt("gender", language, settings))
    await user.press_index(0, prompt("municipality", language, settings))
    phone_prompt = await user.say("Prishtinë", prompt("phone", language, settings))
    assert phone_prompt[-1].reply_markup["keyboard"][0][0]["request_contact"] is True
    user.fake.send_contact(user.user, "+38344123456")
    await user.expect(prompt("email", language, settings))
    await user.press_index(0, prompt("education", language, settings))  # skip e-mail
    await user.press_index(1, prompt("employment", language, settings))
    await user.press_index(0, prompt("motivation", language, settings))
    await user.say("I want to learn networks and find a job in ICT.", prompt("heard_from", language, settings))
    await user.press_index(0, consent(language))
    await user.press_index(0, text("Please check your answers:", language))
    await user.press_index(0, "YB-")


@pytest.mark.parametrize("language", list(LANGUAGE_BUTTON))
async def test_application_in_each_language(
    language: str, fake: FakeTelegram, running_bot: None, tg_settings: Settings
) -> None:
    user = TelegramUser(fake, TgUser(id=5000, first_name="Test", language_code="de"))
    await apply_in(user, language, tg_settings)
    async with Database(tg_settings.database_path) as db, db.reading() as conn:
        (row,) = await applications.export_rows(conn)
    assert row["full_name"] == NAMES[language] and row["language"] == language
    assert row["phone"] == "+38344123456" and row["email"] is None
    # staff hear of it through the outbox
    notice = TelegramUser(fake, TgUser(id=STAFF_ID))
    await notice.expect(row["reference"])
    # every button press was answered
    presses = [r for r in fake.requests if r.method == "answerCallbackQuery"]
    assert len(presses) >= 8


async def test_command_menu_in_each_language(fake: FakeTelegram, running_bot: None) -> None:
    user = TelegramUser(fake, TgUser(id=5001))
    await user.say("/help", "Shqip")
    calls = [r.params for r in fake.requests if r.method == "setMyCommands"]
    languages = {c.get("language_code") for c in calls}
    assert {"sq", "sr", "en", None} <= languages
    by_language = {
        c.get("language_code"): c["commands"] for c in calls if "scope" not in c or c["scope"]["type"] == "default"
    }
    assert by_language["sq"] != by_language["en"]
    assert {c["command"] for c in by_language["en"]} >= {"start", "apply", "status", "language", "help", "cancel"}


async def test_bad_input_gets_clear_answers_and_loses_nothing(
    fake: FakeTelegram, running_bot: None, tg_settings: Settings
) -> None:
    tg = TgUser(id=5002, language_code="en")
    user = TelegramUser(fake, tg)
    await user.say("/start", "English")
    await user.press("English", "Language set to English.")
    await user.say("/apply", "Which training")
    await user.press_index(0, "full name")
    await user.say("Jane Doe", "date of birth")
    fake.send_sticker(tg)
    await user.expect("not stickers")
    fake.send_photo(tg)
    await user.expect("date of birth")
    fake.send_voice(tg)
    await user.expect("date of birth")
    fake.send_location(tg)
    await user.expect("date of birth")
    await user.say("ä" * 4096, "couldn't read that date")
    await user.say("🎉🎉🎉", "couldn't read that date")
    await user.say("/frobnicate", "don't know the command")
    fake.press_button(tg, None, "zz:forged-data")  # a forged button on an old message
    await user.expect("earlier message")
    fake.press_button(tg, None, "x" * 64)
    await user.expect("earlier message")
    await user.say("15.03.2004", "gender")
    async with Database(tg_settings.database_path) as db, db.reading() as conn:
        async with conn.execute("SELECT answers FROM conversations") as cur:
            (answers,) = await cur.fetchone()
    assert "Jane Doe" in answers and "2004-03-15" in answers
    assert all(r.status == 200 for r in fake.requests if r.method == "answerCallbackQuery")


async def test_staff_export_sends_a_csv(fake: FakeTelegram, running_bot: None, tg_settings: Settings) -> None:
    applicant = TelegramUser(fake, TgUser(id=5003))
    await apply_in(applicant, "sr", tg_settings)
    staff = TelegramUser(fake, TgUser(id=STAFF_ID, language_code="en"))
    await staff.say("/start", "English")
    await staff.press("English", "Language set to English.")
    fake.send_text(staff.user, "/export")
    await staff.expect("1 application")
    (document,) = [m for m in fake.sent_to(STAFF_ID) if m.method == "sendDocument"]
    content = document.document["content"]
    assert content.startswith(b"\xef\xbb\xbf") and "Јована Петровић".encode() in content
    other = TelegramUser(fake, TgUser(id=5004, language_code="en"))
    await other.say("/start", "English")
    await other.press("English", "Language set to English.")
    await other.say("/export", "only for the programme's staff")


async def test_staff_report_shows_the_chart_as_a_picture(
    fake: FakeTelegram, running_bot: None, tg_settings: Settings
) -> None:
    staff = TelegramUser(fake, TgUser(id=STAFF_ID, language_code="en"))
    await staff.say("/start", "English")
    await staff.press("English", "Language set to English.")
    fake.send_text(staff.user, "/report")
    await staff.expect("Placement rate by programme and sex")
    sent = fake.sent_to(STAFF_ID)
    (photo,) = [m for m in sent if m.method == "sendPhoto"]
    assert photo.document is not None and photo.document["content"].startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.text == "Placement rate by programme and sex"  # the caption
    assert not [m for m in sent if m.method == "sendDocument"]  # not a file to open
    figures = [m for m in sent if m.method == "sendMessage" and m.text and m.text != photo.text]
    assert figures, "the figures come as text before the picture"


async def test_error_handler_answers_politely(fake: FakeTelegram, running_bot: None) -> None:
    tg = TgUser(id=5005, language_code="en")
    user = TelegramUser(fake, tg)
    await user.say("/start", "English")
    await user.press("English", "Language set to English.")
    fake.fail_next("sendMessage", 400, "Bad Request: chat is busy", chat_id=tg.id)
    fake.send_text(tg, "/help")
    await user.expect("something went wrong")
    assert "Traceback" not in (user.messages()[-1].text or "")


def _bot_process(settings: Settings, fake: FakeTelegram, cwd: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "STAFF_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        DATABASE_PATH=str(settings.database_path),
        STAFF_TELEGRAM_IDS=str(STAFF_ID),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def _wait_polling(fake: FakeTelegram, since: int) -> None:
    for _ in range(1500):
        if any(r.method == "getUpdates" for r in fake.requests[since:]):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot did not start polling")


async def test_killed_mid_application_and_restarted_finishes_it(
    fake: FakeTelegram, tg_settings: Settings, tmp_path: Path
) -> None:
    tg = TgUser(id=5006, language_code="sq")
    user = TelegramUser(fake, tg)
    process = _bot_process(tg_settings, fake, tmp_path)
    try:
        await _wait_polling(fake, 0)
        await user.say("/start", "Shqip")
        await user.press("Shqip", text("Language set to English.", "sq"))
        await user.say("/apply", prompt("programme", "sq", tg_settings))
        await user.press_index(2, prompt("full_name", "sq", tg_settings))
        await user.say("Arta Krasniqi", prompt("birth_date", "sq", tg_settings))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stderr.close()  # type: ignore[union-attr]
        fake.send_text(tg, "01.02.2003")  # sent while the bot is down
        mark = len(fake.requests)
        process = _bot_process(tg_settings, fake, tmp_path)
        await _wait_polling(fake, mark)
        await user.expect(prompt("gender", "sq", tg_settings))
        await user.press_index(1, prompt("municipality", "sq", tg_settings))
        await user.say("Ferizaj", prompt("phone", "sq", tg_settings))
        await user.say("049 555 666", prompt("email", "sq", tg_settings))
        await user.say("arta@example.com", prompt("education", "sq", tg_settings))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stderr.close()  # type: ignore[union-attr]
        mark = len(fake.requests)
        process = _bot_process(tg_settings, fake, tmp_path)
        await _wait_polling(fake, mark)
        await user.press_index(3, prompt("employment", "sq", tg_settings))
        await user.press_index(0, prompt("motivation", "sq", tg_settings))
        await user.say("Dua të punoj si administratore rrjetesh.", prompt("heard_from", "sq", tg_settings))
        await user.press_index(1, consent("sq"))
        await user.press_index(0, text("Please check your answers:", "sq"))
        await user.press_index(0, "YB-")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        stderr = process.stderr.read().decode() if process.stderr else ""
        process.stderr.close()  # type: ignore[union-attr]
    assert tg_settings.telegram_token not in stderr
    async with Database(tg_settings.database_path) as db, db.reading() as conn:
        (row,) = await applications.export_rows(conn)
    assert row["full_name"] == "Arta Krasniqi"
    assert row["birth_date"] == "2003-02-01"
    assert row["municipality"] == "ferizaj" and row["phone"] == "+38349555666"
    assert row["email"] == "arta@example.com" and row["programme_code"] == "pro2y-networks"
