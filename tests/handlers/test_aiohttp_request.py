"""The bot's HTTP client: Telegram's answers pass through untouched; transport failures map to
python-telegram-bot's errors (TimedOut, NetworkError) as its own httpx client does."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.handlers.telegram.request import AiohttpRequest
from tests.support.fake_telegram import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


async def test_a_bot_works_through_it_forms_and_uploads_included(fake: FakeTelegram) -> None:
    async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(77, "héllo ё ✓", reply_markup=None)
        document = await bot.send_document(77, InputFile(b"a,b\r\n1,2\r\n", filename="x.csv"), caption="two")
    assert sent.text == "héllo ё ✓" and document.caption == "two"
    upload = fake.sent_to(77)[-1]
    assert upload.document is not None and upload.document["content"] == b"a,b\r\n1,2\r\n"
    assert upload.document["file_name"] == "x.csv"


async def test_telegram_error_answers_come_back_with_their_status(fake: FakeTelegram) -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, body = await request.do_request(f"{fake.base_url}999:wrong-token-abcdefghijklmnopq/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 401 and json.loads(body)["ok"] is False
    with pytest.raises(InvalidToken):  # and python-telegram-bot maps them as usual
        async with Bot("999:wrong-token-abcdefghijklmnopq", base_url=fake.base_url, request=AiohttpRequest()) as bot:
            await bot.get_me()


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut) and "aiohttp." in caught.value.message


async def test_a_silent_server_times_out() -> None:
    handlers: list[asyncio.Task[None]] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while await reader.read(65536):  # read the request, never answer, until the client gives up
                pass
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()
        await asyncio.gather(*handlers)  # each closes its connection once the client has gone
        await server.wait_closed()


async def test_unused_before_initialize() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/", "POST")
