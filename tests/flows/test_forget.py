"""/forget in the chat: the confirmation, and what is left afterwards."""

from __future__ import annotations

import pytest

from bot.i18n import _, use_language
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.privacy import every_row, full_person, traces

LANGUAGE_BUTTON = {"sq": "Shqip", "sr": "Српски", "en": "English"}


@pytest.mark.parametrize("language", list(LANGUAGE_BUTTON))
async def test_forget_in_each_language(runtime: Runtime, language: str) -> None:
    person = await full_person(runtime, language=language)
    chat = Chat(runtime, person.platform_id)
    await chat.send("/forget")
    with use_language(language):
        ask = _(
            "Do you really want to delete all your data? Your applications will be withdrawn and cannot be recovered. Only anonymous counts for the programme's reports are kept."
        )
        done = _(
            "Your data has been deleted. Goodbye, and thank you! If you write again, we will start from the beginning."
        )
    assert ask in chat.text()
    await chat.press("erase")
    assert done in chat.text()
    rows = await every_row(runtime)
    assert traces(rows, person.identifying(), [person.user_id, person.viber_user_id]) == []
    assert [a["status"] for a in rows["applications"]] == ["withdrawn"]  # what the confirmation said


async def test_keeping_the_data_changes_nothing(runtime: Runtime) -> None:
    person = await full_person(runtime)
    before = await every_row(runtime)
    chat = Chat(runtime, person.platform_id)
    await chat.send("/forget")
    await chat.press("keep")
    assert "Nothing was deleted." in chat.text()
    after = await every_row(runtime)
    assert after["applications"] == before["applications"] and after["users"] == before["users"]
