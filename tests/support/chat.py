"""One person talking to the engine, as the flow tests drive it."""

from __future__ import annotations

from bot.flows.engine import Incoming
from bot.messages import InputKind, Reply, UserInput
from bot.runtime import Runtime


class Chat:
    """One person talking to the engine, pressing buttons by their label."""

    def __init__(
        self, runtime: Runtime, user_id: str = "1001", channel: str = "telegram", platform_language: str | None = None
    ) -> None:
        self.runtime = runtime
        self.user_id = user_id
        self.channel = channel
        self.platform_language = platform_language
        self.last: list[Reply] = []
        self.history: list[Reply] = []
        self.queued = 0  # outbox rows queued by the steps so far (the engine's Outcome.queued)
        self._update = 0

    async def send(self, inp: UserInput | str, update_key: str | None = None) -> list[Reply]:
        if isinstance(inp, str):
            inp = UserInput.parse_text(inp)
        outcome = await self.runtime.engine.handle(
            Incoming(self.channel, self.user_id, self.user_id, inp, "Test User", self.platform_language, update_key)
        )
        self.last = outcome.replies
        self.queued += outcome.queued
        self.history.extend(outcome.replies)
        return outcome.replies

    def prompt(self) -> Reply:
        """The last reply that has buttons (or the last reply)."""
        with_options = [r for r in self.last if r.options]
        return with_options[-1] if with_options else self.last[-1]

    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    async def press(self, label_or_key: str) -> list[Reply]:
        prompt = self.prompt()
        for option in prompt.options:
            if option.key == label_or_key or label_or_key in option.label:
                return await self.send(
                    UserInput(InputKind.OPTION, option.key, token=None if prompt.menu else prompt.token)
                )
        raise AssertionError(f"no option {label_or_key!r} in {[o.label for o in prompt.options]}")
