"""A guardian's consent for applicants younger than GUARDIAN_CONSENT_UNDER (16 by default)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.flows.apply import QUESTIONS
from bot.i18n import _, use_language
from bot.runtime import Runtime, open_runtime
from bot.services import application_filters
from storage import application_search
from tests.support.chat import Chat
from tests.support.forms import ANSWERS_EN
from tests.support.training import outbox_rows

LANGUAGE_BUTTON = {"sq": "Shqip", "sr": "Српски", "en": "English"}
# The test clock's day is 27 November 2026 in Kosovo: born on 27 November 2010 is 16 that day.
SIXTEEN_TODAY = "27.11.2010"
SIXTEEN_TOMORROW = "28.11.2010"


def prompt_of(question_id: str, language: str, settings: Settings) -> str:
    question = next(q for q in QUESTIONS if q.id == question_id)
    with use_language(language):
        return question.prompt(SimpleNamespace(settings=settings))  # type: ignore[arg-type]


def text(msgid: str, language: str) -> str:
    with use_language(language):
        return _(msgid)


async def up_to_birth_date(chat: Chat, language: str = "en") -> None:
    await chat.send("/start")
    await chat.press(LANGUAGE_BUTTON[language])
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Drita Berisha")


@pytest.mark.parametrize(("born", "asked"), [(SIXTEEN_TODAY, False), (SIXTEEN_TOMORROW, True)])
async def test_the_exact_boundary_birthday(chat: Chat, runtime: Runtime, born: str, asked: bool) -> None:
    await up_to_birth_date(chat)
    await chat.send(born)
    guardian = prompt_of("guardian_name", "en", runtime.settings)
    assert (guardian in chat.text()) is asked
    assert (prompt_of("gender", "en", runtime.settings) in chat.text()) is not asked


@pytest.mark.parametrize("language", list(LANGUAGE_BUTTON))
async def test_a_fifteen_year_old_goes_through_the_guardian_steps(chat: Chat, runtime: Runtime, language: str) -> None:
    settings = runtime.settings
    await up_to_birth_date(chat, language)
    await chat.send(SIXTEEN_TOMORROW)
    assert prompt_of("guardian_name", language, settings) in chat.text()
    assert "16" in chat.text()
    await chat.send("Drita")  # a first name alone
    assert (
        text(
            "Please write your parent's or guardian's first and last name, using letters only, for example: Drita Krasniqi.",
            language,
        )
        in chat.text()
    )
    await chat.send("Shpresa Berisha")
    assert prompt_of("guardian_phone", language, settings) in chat.text()
    await chat.send("12")
    assert (
        text("That doesn't look like a phone number. Please type it like 044 123 456 or +383 44 123 456.", language)
        in chat.text()
    )
    await chat.send("049 111 222")
    assert prompt_of("guardian_agrees", language, settings) in chat.text()
    assert [o.label for o in chat.prompt().options] == [text("Yes, they agree", language), text("Not yet", language)]
    await chat.press("no")
    assert "/privacy" in chat.text() and text("Yes, they agree", language) in chat.text()
    assert prompt_of("guardian_agrees", language, settings) in chat.text()  # asked again, nothing lost
    await chat.press("yes")
    assert prompt_of("gender", language, settings) in chat.text()


async def test_the_application_is_marked_so_staff_see_it(chat: Chat, runtime: Runtime) -> None:
    await up_to_birth_date(chat)
    await chat.send(SIXTEEN_TOMORROW)
    await chat.send("Shpresa Berisha")
    await chat.send("049 111 222")
    await chat.press("yes")
    await chat.press(ANSWERS_EN["gender"])
    await chat.send(ANSWERS_EN["municipality"])
    await chat.send(ANSWERS_EN["phone"])
    await chat.send(ANSWERS_EN["email"])
    await chat.press(ANSWERS_EN["education"])
    await chat.press(ANSWERS_EN["employment"])
    await chat.send(ANSWERS_EN["motivation"])
    await chat.press(ANSWERS_EN["heard_from"])
    assert "/privacy" in chat.text()  # the consent step links to the privacy notice
    await chat.press("yes")
    summary = chat.text()
    assert "Parent or guardian: Shpresa Berisha" in summary and "Guardian's phone: +38349111222" in summary
    await chat.press("submit")
    assert "reference number is" in chat.text()
    async with runtime.db.reading() as conn:
        page = await application_search.search(conn, application_filters.parse({}), page=1, today=date(2026, 11, 27))
        (stored,) = await conn.execute_fetchall(
            "SELECT guardian_name, guardian_phone, guardian_confirmed_at, age_at_application FROM applications"
        )
    (row,) = page.rows
    assert row.guardian_consent is True
    assert tuple(stored)[:2] == ("Shpresa Berisha", "+38349111222") and stored[2] and stored[3] == 15
    (notice,) = await outbox_rows(runtime, "staff_notice")
    with use_language("sq"):  # staff who never chose a language read the default one
        minor = _(
            "The applicant is younger than {age}: they confirmed that their guardian {guardian} ({phone}) agrees. Please confirm with the guardian."
        ).format(age=16, guardian="Shpresa Berisha", phone="+38349111222")
    assert minor in str(notice["payload"])


async def test_an_adult_is_not_marked(chat: Chat, runtime: Runtime) -> None:
    await up_to_birth_date(chat)
    await chat.send(SIXTEEN_TODAY)
    async with runtime.db.reading() as conn:
        (state,) = await conn.execute_fetchall("SELECT answers FROM conversations")
    assert "guardian" not in state[0]


async def test_zero_turns_the_guardian_steps_off(settings: Settings, clock: ManualClock) -> None:
    async with open_runtime(replace(settings, guardian_consent_under=0), clock=clock) as runtime:
        chat = Chat(runtime)
        await up_to_birth_date(chat)
        await chat.send(SIXTEEN_TOMORROW)
        assert prompt_of("gender", "en", runtime.settings) in chat.text()


async def test_changing_the_birth_date_to_a_minors_asks_for_the_guardian(chat: Chat, runtime: Runtime) -> None:
    await up_to_birth_date(chat)
    await chat.send("15.03.2004")
    await chat.press(ANSWERS_EN["gender"])
    await chat.send(ANSWERS_EN["municipality"])
    await chat.send(ANSWERS_EN["phone"])
    await chat.send(ANSWERS_EN["email"])
    await chat.press(ANSWERS_EN["education"])
    await chat.press(ANSWERS_EN["employment"])
    await chat.send(ANSWERS_EN["motivation"])
    await chat.press(ANSWERS_EN["heard_from"])
    await chat.press("yes")
    await chat.press("edit")
    await chat.press("birth_date")
    await chat.send(SIXTEEN_TOMORROW)
    assert prompt_of("guardian_name", "en", runtime.settings) in chat.text()
    await chat.send("Shpresa Berisha")
    await chat.send("049 111 222")
    await chat.press("yes")
    assert "Please check your answers:" in chat.text() and "Parent or guardian: Shpresa Berisha" in chat.text()
