"""Broadcasts end to end on the fake Bot API server: 429 and 403 answers, paid broadcasts,
progress edits, the staff flow in the real Application, and a bot killed mid-broadcast."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import cli
from bot.clock import SystemClock
from bot.config import Settings
from bot.handlers.telegram.channel import TelegramSender, _delivery_error, serve
from bot.messages import Reply
from bot.outbox import broadcast_monitor
from bot.outbox.broadcast_monitor import BroadcastMonitor
from bot.outbox.worker import DeliveryUncertain, RetryLater, TransientError, Unreachable
from bot.runtime import Runtime, open_runtime
from storage import Database, broadcasts, users
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.openings import add_person
from tests.support.outbox import broadcast_text, worker_for
from tests.support.telegram_harness import TelegramUser

STAFF_ID = 999
TEXT = "The job fair is on Friday."


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


def _delivered(fake: FakeTelegram, chat_id: int) -> int:
    return sum(
        1
        for r in fake.requests
        if r.method == "sendMessage"
        and r.status == 200
        and r.params.get("chat_id") == chat_id
        and TEXT in str(r.params.get("text"))
    )


async def test_429_and_403_from_telegram(fake: FakeTelegram, runtime: Runtime) -> None:
    chats = [int(c) for c in await broadcast_text(runtime, 6, first_id=7100)]
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7, chat_id=chats[1])
    fake.block_user(chats[2])
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sender = TelegramSender(bot, paid_broadcast=True)
        worker, ticks = worker_for(runtime, sender)  # type: ignore[arg-type]
        await worker.run_once()
        assert worker.limiter.paused_seconds == 7  # everything waited what Telegram asked
        assert _delivered(fake, chats[1]) == 0
        runtime.clock.advance(timedelta(seconds=8))
        ticks.now += 8
        await worker.run_once()
        monitor = BroadcastMonitor(runtime.db, runtime.clock, runtime.settings, {"telegram": sender})
        assert await monitor.tick() == [1]
        final = [r.params["text"] for r in fake.requests if r.method == "editMessageText"]
        await sender.edit(
            str(STAFF_ID), str(fake.sent_to(STAFF_ID)[0].message_id), Reply(final[-1])
        )  # unchanged: no error
    assert [_delivered(fake, c) for c in chats] == [1, 1, 0, 1, 1, 1]
    assert sum(1 for r in fake.requests if r.status == 403 and r.params.get("chat_id") == chats[2]) == 1
    assert final[-1].startswith("Broadcast #1 is finished.\nSent: 5\nNot delivered: 1 (of them 1 have blocked the bot)")
    assert any("message is not modified" in e for e in fake.errors)
    sends = [r for r in fake.requests if r.method == "sendMessage"]
    assert sends and all(r.params.get("allow_paid_broadcast") is True for r in sends)
    async with runtime.db.reading() as conn:
        assert not (await users.find(conn, "telegram", str(chats[2]))).reachable


def test_telegram_errors_map_to_the_outbox_errors() -> None:
    def cause(error: Exception, why: Exception) -> Exception:
        error.__cause__ = why
        return error

    assert isinstance(_delivery_error(RetryAfter(3)), RetryLater) and _delivery_error(RetryAfter(3)).seconds == 3
    assert isinstance(_delivery_error(Forbidden("Forbidden: bot was blocked by the user")), Unreachable)
    assert isinstance(_delivery_error(BadRequest("Bad Request: chat not found")), Unreachable)
    assert isinstance(_delivery_error(BadRequest("Bad Request: message text is empty")), BadRequest)
    assert isinstance(_delivery_error(NetworkError("Bad Gateway")), TransientError)  # Telegram answered: not sent
    assert isinstance(_delivery_error(cause(NetworkError("x"), httpx.ConnectError("refused"))), TransientError)
    assert isinstance(_delivery_error(cause(TimedOut(), httpx.PoolTimeout("pool"))), TransientError)
    assert isinstance(_delivery_error(cause(TimedOut(), httpx.ReadTimeout("read"))), DeliveryUncertain)
    assert isinstance(_delivery_error(cause(NetworkError("x"), httpx.RemoteProtocolError("closed"))), DeliveryUncertain)


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegram) -> Settings:
    return replace(
        settings, telegram_token=fake.token, telegram_api_url=fake.base_url, staff_telegram_ids=frozenset({STAFF_ID})
    )


async def test_staff_broadcast_in_telegram_with_one_progress_message(
    fake: FakeTelegram, tg_settings: Settings, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcast_monitor, "PROGRESS_EDIT_SECONDS", 0.2)
    stop = asyncio.Event()
    async with open_runtime(tg_settings, clock=clock) as runtime:
        for n in range(3):
            await add_person(runtime, str(7200 + n), alerts_on=True)
        fake.block_user(7201)
        task = asyncio.create_task(serve(runtime, stop))
        try:
            staff = TelegramUser(fake, TgUser(id=STAFF_ID, language_code="en"))
            await staff.say("/start", "English")
            await staff.press("English", "Language set to English.")
            await staff.say("/broadcast", "What would you like to broadcast?")
            await staff.press("A message I write", "Write the message")
            await staff.say(TEXT, "Who should get it?")
            await staff.press("Everyone with alerts", "That is 3 people now.")
            await staff.press("Send to 3 people", "is on its way to 3 people")
            await staff.expect("Broadcast #1 is being sent.")
            await _until(
                lambda: any(
                    m.method == "sendMessage" and "is finished" in (m.text or "") for m in fake.sent_to(STAFF_ID)
                ),
                "the report",
            )
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)
    progress = [
        m
        for m in fake.sent_to(STAFF_ID)
        if (m.text or "").startswith(("Broadcast #1 is being", "Broadcast #1 is finished"))
    ]
    sent = [m for m in progress if m.method == "sendMessage"]
    assert [m.text.split("\n")[0] for m in sent] == ["Broadcast #1 is being sent.", "Broadcast #1 is finished."]
    edits = [m for m in progress if m.method == "editMessageText"]
    assert edits and {m.message_id for m in edits} == {sent[0].message_id}  # one progress message, edited in place
    assert edits[-1].text == sent[-1].text
    assert [e for e in fake.errors if "not modified" in e] == []  # never an edit that changes nothing
    assert "Not delivered: 1 (of them 1 have blocked the bot)" in sent[-1].text
    youth = fake.sent_to(7200)
    assert len(youth) == 1 and TEXT in youth[0].text and "To stop these messages, send STOP." in youth[0].text


def _bot_process(settings: Settings, fake: FakeTelegram, cwd: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "STAFF_", "OUTBOX_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        DATABASE_PATH=str(settings.database_path),
        STAFF_TELEGRAM_IDS=str(STAFF_ID),
        OUTBOX_RATE_PER_SECOND="100",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def _until(condition, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout * 100)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_killed_mid_broadcast_and_restarted_sends_each_message_once(
    fake: FakeTelegram,
    tg_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with open_runtime(tg_settings, clock=SystemClock()) as runtime:
        chats = [int(c) for c in await broadcast_text(runtime, 150, first_id=8000)]
    process = _bot_process(tg_settings, fake, tmp_path)
    try:
        await _until(lambda: sum(_delivered(fake, c) for c in chats) >= 50, "the first 50 deliveries")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stderr.close()  # type: ignore[union-attr]
        before_restart = sum(_delivered(fake, c) for c in chats)
        assert before_restart < len(chats)  # killed mid-broadcast
        process = _bot_process(tg_settings, fake, tmp_path)
        await _until(lambda: any("is finished" in (m.text or "") for m in fake.sent_to(STAFF_ID)), "the final report")
    finally:
        process.kill()  # everything is in the database already; no need to wait for a graceful stop
        process.wait(10)
        process.stderr.close()  # type: ignore[union-attr]
    async with Database(tg_settings.database_path) as db, db.reading() as conn:
        async with conn.execute("SELECT chat_id, status FROM outbox WHERE ref = 'broadcast:1'") as cur:
            status = {int(row[0]): row[1] for row in await cur.fetchall()}
        counts = await broadcasts.delivery_counts(conn, 1)
    for chat_id in chats:
        got = _delivered(fake, chat_id)
        assert got <= 1, f"chat {chat_id} got the broadcast {got} times"
        assert got == 1 or status[chat_id] == "interrupted", f"chat {chat_id} lost ({status[chat_id]})"
    assert counts.remaining == 0 and counts.sent + counts.interrupted == len(chats)
    report = [m.text for m in fake.sent_to(STAFF_ID) if "is finished" in (m.text or "")][-1]
    if counts.interrupted:
        assert f"Cut off by a restart while sending (may or may not have arrived): {counts.interrupted}" in report
    monkeypatch.setattr(cli, "load_settings", lambda: tg_settings)
    assert await asyncio.to_thread(cli.main, ["broadcasts"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split()[:4] == ["id", "created", "status", "recipients"]
    row = listing[1].split()
    assert row[0] == "#1" and row[3] == "finished" and row[4] == "150" and row[5] == str(counts.sent)
