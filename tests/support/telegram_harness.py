"""Driving the real bot through the fake Bot API server, as a Telegram user would."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot.config import Settings
from bot.flows.apply import QUESTIONS, ApplyFlow
from bot.i18n import _, use_language
from tests.support.fake_telegram import FakeTelegram, SentMessage, TgUser


class TelegramUser:
    """One person in Telegram: types, taps buttons, and waits for the bot's next message."""

    def __init__(self, fake: FakeTelegram, user: TgUser) -> None:
        self.fake = fake
        self.user = user
        self.seen = 0

    def messages(self) -> list[SentMessage]:
        return self.fake.sent_to(self.user.id)

    async def expect(self, fragment: str, timeout: float = 15.0) -> list[SentMessage]:
        """Wait until a new message (its text or a button) contains ``fragment``; return the new messages up to it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            sent = self.messages()
            for index in range(self.seen, len(sent)):
                labels = " ".join(b.get("text", "") for b in sent[index].buttons())
                if fragment in (sent[index].text or "") or fragment in labels:
                    new = sent[self.seen : index + 1]
                    self.seen = index + 1
                    return new
            if loop.time() > deadline:
                got = [m.text for m in sent[self.seen :]]
                raise AssertionError(f"no message with {fragment!r}; got {got}; violations={self.fake.violations}")
            await asyncio.sleep(0.01)

    async def say(self, text: str, expect: str) -> list[SentMessage]:
        self.fake.send_text(self.user, text)
        return await self.expect(expect)

    def last_keyboard(self) -> SentMessage:
        for message in reversed(self.messages()[: self.seen]):
            if message.reply_markup and "inline_keyboard" in message.reply_markup:
                return message
        raise AssertionError("no message with buttons")

    async def press(self, label: str, expect: str) -> list[SentMessage]:
        message = self.last_keyboard()
        self.fake.press_button(self.user, message, message.button(label)["callback_data"])
        return await self.expect(expect)

    async def press_index(self, index: int, expect: str) -> list[SentMessage]:
        message = self.last_keyboard()
        self.fake.press_button(self.user, message, message.buttons()[index]["callback_data"])
        return await self.expect(expect)


def prompt(question_id: str, language: str, settings: Settings) -> str:
    """The start of a form question as the user sees it in their language."""
    question = next(q for q in QUESTIONS if q.id == question_id)
    with use_language(language):
        return question.prompt(SimpleNamespace(settings=settings))[:25]  # type: ignore[arg-type]


def consent(language: str) -> str:
    with use_language(language):
        return ApplyFlow().consent_text(None)[:25]  # type: ignore[arg-type]


def text(msgid: str, language: str) -> str:
    with use_language(language):
        return _(msgid)
