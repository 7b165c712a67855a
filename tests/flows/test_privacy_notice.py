"""/privacy: the notice in each language, with the periods the settings give."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import _, ngettext, use_language
from bot.runtime import open_runtime
from tests.support.chat import Chat

LANGUAGE_BUTTON = {"sq": "Shqip", "sr": "Српски", "en": "English"}


@pytest.mark.parametrize("language", list(LANGUAGE_BUTTON))
async def test_the_notice_in_each_language(settings: Settings, clock: ManualClock, language: str) -> None:
    custom = replace(settings, retention_months=18, guardian_consent_under=14, privacy_contact="privacy@example.org")
    async with open_runtime(custom, clock=clock) as runtime:
        chat = Chat(runtime)
        await chat.send("/start")
        await chat.press(LANGUAGE_BUTTON[language])
        text = "\n".join(r.text for r in await chat.send("/privacy"))
    with use_language(language):
        title = _("How we protect your data")
        months = ngettext(
            "How long: an application that was not accepted, and our conversations and messages, are anonymised {months} month after they were made; for trainees and graduates, {months} month after the last follow-up survey. Only anonymous counts remain (programme, sex, year of birth, municipality, status, dates).",
            "How long: an application that was not accepted, and our conversations and messages, are anonymised {months} months after they were made; for trainees and graduates, {months} months after the last follow-up survey. Only anonymous counts remain (programme, sex, year of birth, municipality, status, dates).",
            18,
        ).format(months=18)
        guardian = _(
            "Young people under {age}: a parent or guardian must agree to the application; we ask for their name and phone number, and our staff may call them to confirm."
        ).format(age=14)
    assert title in text and months in text and guardian in text
    assert "18" in months and "06/L-082" in text
    assert "/mydata" in text and "/forget" in text and "privacy@example.org" in text
    if language != "en":
        assert "How long" not in text  # really translated


async def test_without_guardian_consent_the_notice_does_not_mention_it(settings: Settings, clock: ManualClock) -> None:
    async with open_runtime(replace(settings, guardian_consent_under=0), clock=clock) as runtime:
        chat = Chat(runtime)
        await chat.send("/start")
        await chat.press("English")
        text = "\n".join(r.text for r in await chat.send("/privacy"))
    assert "24 months" in text and "guardian" not in text and "Questions about your data" not in text


async def test_privacy_is_in_help(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("/help")
    assert "/privacy – How we protect your data" in chat.text()
