"""A recording sender and a worker on instant time, for the outbox tests, and a staff broadcast to drive them."""

from __future__ import annotations

from bot.messages import Reply
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.forms import choose_language
from tests.support.openings import add_person
from tests.support.training import InstantTicks


class FakeSender:
    """Records what it sends; raises the errors queued for a chat first."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.errors: dict[str, list[Exception]] = {}

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        queue = self.errors.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, reply.text))
        return str(len(self.sent))


def worker_for(runtime: Runtime, sender: FakeSender, per_second: float = 25.0) -> tuple[OutboxWorker, InstantTicks]:
    ticks = InstantTicks()
    limiter = RateLimiter(per_second, 1.0, monotonic=ticks.monotonic, sleep=ticks.sleep)
    worker = OutboxWorker(
        runtime.db, runtime.clock, runtime.settings, runtime.engine.registry, {"telegram": sender}, limiter
    )
    return worker, ticks


async def broadcast_text(runtime: Runtime, people: int, first_id: int = 7000) -> list[str]:
    """Staff send a text to everyone with alerts on; returns the recipients' chat ids."""
    chats = [str(first_id + n) for n in range(people)]
    for chat_id in chats:
        await add_person(runtime, chat_id, alerts_on=True)
    staff = Chat(runtime, "999")
    await choose_language(staff)
    await staff.send("/broadcast")
    await staff.press("A message I write")
    await staff.send("The job fair is on Friday.")
    await staff.press("Everyone with alerts")
    await staff.press("Send to")
    assert "on its way" in staff.text()
    return chats
