"""Fixtures of the console tests: the bot polling the fake Bot API with the console beside it; a cohort with trainees."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.handlers.telegram.channel import serve
from bot.runtime import Runtime, open_runtime
from storage.cohorts import Cohort
from tests.support.fake_telegram import FakeTelegram
from tests.support.training import make_cohort, trainee


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
def outbox_rate() -> float:
    """Messages per second of the running bot; a module overrides it to watch a broadcast in progress."""
    return 100.0


@pytest.fixture
async def running_bot(
    settings: Settings, fake: FakeTelegram, clock: ManualClock, outbox_rate: float
) -> AsyncIterator[tuple[Runtime, str]]:
    """The bot polling the fake Bot API with the console beside it, as `youthbot run` starts them."""
    port = free_port()
    live = replace(
        settings,
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        web_enabled=True,
        web_port=port,
        outbox_rate_per_second=outbox_rate,
    )
    stop = asyncio.Event()
    async with open_runtime(live, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as probe:
            for _ in range(500):
                try:
                    if (await probe.get(url + "/signin")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.02)
        yield runtime, url
        stop.set()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def cohort(runtime: Runtime) -> Cohort:
    """web-2027-1 with two trainees, Arta (chat 501) and Blerim (chat 502)."""
    found = await make_cohort(runtime)
    await trainee(runtime, found, "501", "Arta Krasniqi")
    await trainee(runtime, found, "502", "Blerim Gashi")
    return found
