"""Driving the bot through its real Viber webhook, as a Viber user would.

The webhook answers after the bot's replies went out, so every step can look
at the new messages at once, without waiting.
"""

from __future__ import annotations

from tests.support.fake_viber import FakeViber, ViberMessage, ViberUser


class ViberPerson:
    def __init__(self, fake: FakeViber, user: ViberUser) -> None:
        self.fake = fake
        self.user = user
        self.seen = 0
        self.keyboard_message: ViberMessage | None = None

    def _new(self) -> list[ViberMessage]:
        sent = self.fake.sent_to(self.user.id)
        new, self.seen = sent[self.seen :], len(sent)
        for message in new:
            if message.buttons():
                self.keyboard_message = message
        return new

    @staticmethod
    def _contains(messages: list[ViberMessage], fragment: str) -> bool:
        return any(fragment in m.text or any(fragment in b.get("Text", "") for b in m.buttons()) for m in messages)

    async def open(self, context: str | None = None, expect: str = "", subscribed: bool = False) -> ViberMessage:
        """Open the chat (conversation_started); the answer is the welcome message in the response."""
        response = await self.fake.callback(self.fake.conversation_started(self.user, context, subscribed))
        assert response.status_code == 200, response.text
        welcome = ViberMessage(0, None, response.json())
        assert expect in welcome.text, welcome.text
        if welcome.buttons():
            self.keyboard_message = welcome
        return welcome

    async def send(self, event: dict, expect: str) -> list[ViberMessage]:
        response = await self.fake.callback(event)
        assert response.status_code == 200, response.text
        new = self._new()
        assert self._contains(new, expect), (
            f"no new message with {expect!r}; got {[m.text for m in new]}; violations={self.fake.violations}"
        )
        return new

    async def say(self, text: str, expect: str) -> list[ViberMessage]:
        return await self.send(self.fake.text(self.user, text), expect)

    async def press(self, label: str, expect: str) -> list[ViberMessage]:
        assert self.keyboard_message is not None, "no keyboard shown yet"
        return await self.say(self.keyboard_message.button(label)["ActionBody"], expect)

    async def press_index(self, index: int, expect: str) -> list[ViberMessage]:
        assert self.keyboard_message is not None, "no keyboard shown yet"
        reply_buttons = [b for b in self.keyboard_message.buttons() if b["ActionType"] == "reply"]
        return await self.say(reply_buttons[index]["ActionBody"], expect)

    async def share_phone(self, phone: str, expect: str) -> list[ViberMessage]:
        assert self.keyboard_message is not None
        assert any(b["ActionType"] == "share-phone" for b in self.keyboard_message.buttons())
        return await self.send(self.fake.contact(self.user, phone), expect)
