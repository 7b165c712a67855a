"""After the language is chosen, the bot goes on with what the person asked for, in that language."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.support.chat import Chat


async def test_choosing_the_language_at_the_first_start_leads_to_the_welcome(runtime: Runtime) -> None:
    chat = Chat(runtime, platform_language="en")
    await chat.send("/start")
    replies = await chat.press("English")
    assert next(r.text for r in replies) == "Language set to English."
    assert replies[-1].text.startswith("Welcome!")
    assert all("choose your language" not in r.text for r in replies)  # not asked a second time


async def test_a_command_sent_before_choosing_runs_once_the_language_is_set(runtime: Runtime) -> None:
    chat = Chat(runtime, platform_language="de")
    await chat.send("/apply")
    replies = await chat.press("English")
    assert "Which training would you like to apply for?" in replies[-1].text
