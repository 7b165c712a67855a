"""Long polling that lets the bot catch up before it asks for more.

python-telegram-bot asks Telegram for new updates as soon as a batch is in.
When people write about as fast as the bot answers, every getUpdates call
brings a single update, and each call costs the bot about as much as sending
a message. The request below (used for getUpdates only) holds the next call
back while many updates are still in hand, so that one call then brings all
that arrived meanwhile. With few updates in hand it asks at once: at human
pace nothing waits.
"""

from __future__ import annotations

from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.handlers.telegram.update_order import PerPersonUpdateProcessor

BUSY_AT = 8  # updates in hand from which the next getUpdates waits
LONGEST_WAIT = 0.5  # seconds: never hold polling back longer than this


class CatchUpFirst(BaseRequest):
    """Wraps the getUpdates request: waits (at most ``LONGEST_WAIT``) while the bot is busy."""

    def __init__(
        self,
        inner: BaseRequest,
        processor: PerPersonUpdateProcessor,
        busy_at: int = BUSY_AT,
        longest_wait: float = LONGEST_WAIT,
    ) -> None:
        self.inner = inner
        self.processor = processor
        self.busy_at = busy_at
        self.longest_wait = longest_wait

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        await self.processor.wait_until_fewer_than(self.busy_at, self.longest_wait)
        return await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
