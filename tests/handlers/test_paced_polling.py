"""getUpdates waits while the bot has many updates in hand, and only then."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.request import BaseRequest, RequestData

from bot.handlers.telegram.polling import CatchUpFirst
from bot.handlers.telegram.update_order import PerPersonUpdateProcessor


class RecordingRequest(BaseRequest):
    """Stands in for the HTTP client: remembers when each call went out."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.initialized = False

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        self.initialized = True

    async def shutdown(self) -> None:
        self.initialized = False

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any
    ) -> tuple[int, bytes]:
        self.calls.append(url)
        return 200, b'{"ok": true, "result": []}'


def _update(update_id: int, person: int) -> Update:
    message = Message(
        update_id, datetime.now(UTC), Chat(person, "private"), from_user=User(person, "P", False), text="x"
    )
    return Update(update_id, message=message)


async def test_polls_at_once_when_the_bot_is_not_busy() -> None:
    inner = RecordingRequest()
    polling = CatchUpFirst(inner, PerPersonUpdateProcessor(8), busy_at=2, longest_wait=5)
    await polling.initialize()
    assert inner.initialized and polling.read_timeout == 5.0
    assert await polling.do_request("u/getUpdates", "POST") == (200, b'{"ok": true, "result": []}')
    assert inner.calls == ["u/getUpdates"]


async def test_waits_until_the_updates_in_hand_are_fewer() -> None:
    processor = PerPersonUpdateProcessor(8)
    inner = RecordingRequest()
    polling = CatchUpFirst(inner, processor, busy_at=2, longest_wait=5)
    release = asyncio.Event()
    handling = [asyncio.create_task(processor.process_update(_update(n, 100 + n), release.wait())) for n in range(3)]
    await asyncio.sleep(0)
    assert processor.in_hand == 3
    poll = asyncio.create_task(polling.do_request("u/getUpdates", "POST"))
    await asyncio.sleep(0.05)
    assert inner.calls == []  # three in hand, busy from two: the poll waits
    release.set()
    await asyncio.gather(*handling)
    await asyncio.wait_for(poll, 1)
    assert inner.calls == ["u/getUpdates"] and processor.in_hand == 0


async def test_never_waits_longer_than_its_limit() -> None:
    processor = PerPersonUpdateProcessor(8)
    inner = RecordingRequest()
    polling = CatchUpFirst(inner, processor, busy_at=1, longest_wait=0.05)
    stuck = asyncio.Event()
    handling = asyncio.create_task(processor.process_update(_update(1, 5), stuck.wait()))
    await asyncio.sleep(0)
    await asyncio.wait_for(polling.do_request("u/getUpdates", "POST"), 1)
    assert inner.calls == ["u/getUpdates"] and processor.in_hand == 1
    stuck.set()
    await handling
