"""End to end on Telegram: a graduate gets the 3-month survey, answers it in Serbian,
and the staff's CSV export holds the answers. The real python-telegram-bot Application
talks to the fake Bot API server, which fails the test on any request Telegram would refuse."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.handlers.telegram.channel import TelegramChannel, build_application
from bot.runtime import Runtime, open_runtime
from bot.surveys.definition import Survey
from bot.surveys.loader import catalogue_for
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.surveys import SURVEY, graduate
from tests.support.telegram_harness import TelegramUser, text

GRADUATE_ID = 7001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def bot(
    settings: Settings, clock: ManualClock, fake: FakeTelegram
) -> AsyncIterator[tuple[Runtime, TelegramChannel]]:
    """The bot polling the fake server (as ``serve`` runs it), with its outbox worker at hand."""
    tg_settings = replace(settings, telegram_token=fake.token, telegram_api_url=fake.base_url)
    async with open_runtime(tg_settings, clock=clock) as runtime:
        application, channel = build_application(runtime)
        async with application:
            await channel.post_init(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=["message", "callback_query"])
            try:
                yield runtime, channel
            finally:
                await application.updater.stop()
                await application.stop()
                await channel.post_shutdown(application)


def serbian(survey: Survey, question_id: str) -> str:
    """The start of a question as the YAML file words it in Serbian."""
    question = survey.question(question_id)
    assert question is not None
    return question.text.sr[:30]


def option(survey: Survey, question_id: str, key: str) -> str:
    question = survey.question(question_id)
    assert question is not None
    return next(c.text.sr for c in question.choices if c.key == key)


def button(survey: Survey, question_id: str, key: str) -> str:
    """The answer's button label: its short label when it has one."""
    question = survey.question(question_id)
    assert question is not None
    return next((c.short or c.text).sr for c in question.choices if c.key == key)


async def test_a_graduate_answers_the_3_month_survey_in_serbian(
    fake: FakeTelegram, bot: tuple[Runtime, TelegramChannel], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime, channel = bot
    survey = catalogue_for(runtime.settings.survey_dir).get(SURVEY)
    assert survey is not None
    user = TelegramUser(fake, TgUser(id=GRADUATE_ID, first_name="Јована", language_code="de"))
    await user.say("/start", "Српски")
    await user.press("Српски", text("Language set to English.", "sr"))

    assert await graduate(runtime, [str(GRADUATE_ID)], date(2026, 8, 20)) == 3  # 3 months on: 20 November
    channel.worker.wake()
    invitation = (await user.expect(survey.title.sr))[-1]
    assert survey.intro.sr[:40] in (invitation.text or "")
    await user.press(text("Start the survey", "sr"), serbian(survey, "employment_status"))
    await user.press(button(survey, "employment_status", "employed_full_time"), serbian(survey, "employer"))
    await user.say("Фирма Софт д.о.о.", serbian(survey, "job_title"))
    await user.say("Програмер", serbian(survey, "job_in_ict"))
    await user.press(text("Yes", "sr"), serbian(survey, "start_date"))
    await user.say("1.1.2030", serbian(survey, "start_date"))  # in the future: asked again
    await user.say("15.9.2026", serbian(survey, "income_band"))
    await user.press(button(survey, "income_band", "eur_500_799"), serbian(survey, "training_helped"))
    await user.press("5", serbian(survey, "started_business"))
    await user.press(text("No", "sr"), serbian(survey, "further_study"))
    await user.press(text("No", "sr"), serbian(survey, "comment"))
    summary = await user.say("Обука ми је много помогла.", text("Please check your answers:", "sr"))
    assert "Фирма Софт д.о.о." in (summary[-1].text or "")
    assert (
        f"{survey.question('employment_status').label.sr}: {option(survey, 'employment_status', 'employed_full_time')}"
        in (summary[-1].text or "")
    )
    await user.press(
        text("Submit", "sr"),
        text("Thank you! Your answers have been saved. They help us make the programme better.", "sr")[:25],
    )

    # a second attempt from the invitation's button says it is done
    fake.press_button(user.user, invitation, invitation.button(text("Start the survey", "sr"))["callback_data"])
    await user.expect(text("You have already answered this survey. Thank you!", "sr")[:25])

    out = tmp_path / "answers.csv"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(runtime.settings.database_path))
    assert await asyncio.to_thread(main, ["export", "survey", SURVEY, "--out", str(out)]) == 0
    content = out.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert row["status"] == "completed" and row["language"] == "sr" and row["wave"] == "m3"
    assert row["employment_status"] == "employed_full_time" and row["employer"] == "Фирма Софт д.о.о."
    assert row["job_title"] == "Програмер" and row["job_in_ict"] == "yes" and row["start_date"] == "2026-09-15"
    assert row["income_band"] == "eur_500_799" and row["training_helped"] == "5"
    assert (
        row["started_business"] == "no"
        and row["business_registered"] == ""
        and row["comment"] == "Обука ми је много помогла."
    )
