"""The web server in webhook mode: Telegram's webhook with its secret, health check, both channels in one process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.handlers.webserver import Health, StartupError, build_app, serve_webhooks
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime, open_runtime
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_viber import FakeViber, ViberUser
from tests.support.viber_harness import ViberPerson
from tests.support.webhook_harness import SECRET, RunningServer, free_socket, running_webhooks, snapshot

TG_USER = 6001


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def viber() -> AsyncIterator[FakeViber]:
    async with FakeViber() as server:
        yield server
        assert server.violations == [], server.violations


def _webhook_set(telegram: FakeTelegram) -> bool:
    return any(r.method == "setWebhook" and r.status == 200 for r in telegram.requests)


@pytest.fixture
async def both(
    settings: Settings, clock: ManualClock, telegram: FakeTelegram, viber: FakeViber
) -> AsyncIterator[RunningServer]:
    configured = replace(
        settings,
        telegram_token=telegram.token,
        telegram_api_url=telegram.base_url,
        telegram_webhook_secret=SECRET,
        viber_auth_token=viber.token,
        viber_api_url=viber.base_url,
    )
    async with running_webhooks(
        configured, clock, ready=lambda: _webhook_set(telegram) and viber.webhook_url is not None
    ) as running:
        yield running


def update(update_id: int, text: str, user_id: int = TG_USER) -> dict:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    sender = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": sender,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "text": text,
            "entities": entities,
        },
    }


async def post_update(base: str, body: dict, secret: str | None) -> httpx.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with httpx.AsyncClient() as client:
        return await client.post(f"{base}/telegram/webhook", json=body, headers=headers)


async def test_telegram_webhook_is_set_with_the_secret(telegram: FakeTelegram, both: RunningServer) -> None:
    (call,) = [r.params for r in telegram.requests if r.method == "setWebhook"]
    assert call["url"] == f"{both.base_url}/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert set(call["allowed_updates"]) == {"message", "callback_query"}
    assert not any(r.method == "getUpdates" for r in telegram.requests)  # no polling in webhook mode


async def test_telegram_update_needs_the_secret(
    telegram: FakeTelegram, both: RunningServer, settings: Settings
) -> None:
    before = snapshot(settings.database_path)
    for secret in (None, "", "wrong-secret-0123456789", SECRET[:-1], SECRET + "x"):
        response = await post_update(both.base_url, update(700, "/start"), secret)
        assert response.status_code == 403
    assert snapshot(settings.database_path) == before
    assert telegram.sent_to(TG_USER) == []
    response = await post_update(both.base_url, update(701, "/start"), SECRET)
    assert response.status_code == 200
    assert [m.text for m in telegram.sent_to(TG_USER)] == ["Please choose your language:"]
    again = await post_update(both.base_url, update(701, "/start"), SECRET)  # Telegram retrying: handled once
    assert again.status_code == 200
    assert len(telegram.sent_to(TG_USER)) == 2 and telegram.sent_to(TG_USER)[1].text == "Please choose your language:"
    assert (await post_update(both.base_url, {"not": "an update"}, SECRET)).status_code == 400
    async with httpx.AsyncClient() as client:
        bad = await client.post(
            f"{both.base_url}/telegram/webhook",
            content=b"{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert bad.status_code == 400


async def test_both_channels_in_one_process(telegram: FakeTelegram, viber: FakeViber, both: RunningServer) -> None:
    """A person moves from Telegram to Viber with /link; the shared outbox tells the Telegram account."""
    assert (await post_update(both.base_url, update(800, "/help"), SECRET)).status_code == 200
    assert telegram.sent_to(TG_USER)[-1].text == "Please choose your language:"
    assert (await post_update(both.base_url, update(801, "English"), SECRET)).status_code == 200
    assert (await post_update(both.base_url, update(802, "/link"), SECRET)).status_code == 200
    code = telegram.sent_to(TG_USER)[-1].text.split("/link ")[1].split()[0]
    person = ViberPerson(viber, ViberUser("both0000000000000000000=", language="en"))
    await person.open(expect="Please choose your language")
    await person.press("English", "Language set to English.")
    await person.say(f"/link {code}", "moved here from your Telegram account")
    for _ in range(1000):  # the outbox sends it in the background
        if any("moved to your Viber account" in (m.text or "") for m in telegram.sent_to(TG_USER)):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError(f"no notice on Telegram: {[m.text for m in telegram.sent_to(TG_USER)]}")
    async with httpx.AsyncClient() as client:
        health = await client.get(f"{both.base_url}/healthz")
    assert health.status_code == 200 and health.json() == {"database": True, "scheduler": True}


async def test_health_is_503_without_a_running_scheduler_or_database(runtime: Runtime) -> None:
    limiter = RateLimiter(25, 1)
    worker = OutboxWorker(runtime.db, runtime.clock, runtime.settings, runtime.engine.registry, {}, limiter)
    checks = Health(runtime.engine, worker)
    transport = httpx.ASGITransport(app=build_app(None, None, checks))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        stopped = await client.get("/healthz")
        assert stopped.status_code == 503 and stopped.json() == {"database": True, "scheduler": False}
        checks.worker_task = asyncio.create_task(worker.run_forever())
        await asyncio.sleep(0.05)
        assert (await client.get("/healthz")).status_code == 200
        await runtime.db.close()
        closed = await client.get("/healthz")
        assert closed.status_code == 503 and closed.json()["database"] is False
        assert (await client.post("/viber/webhook", content=b"{}")).status_code == 404  # neither channel enabled
        assert (await client.post("/telegram/webhook", content=b"{}")).status_code == 404
        worker.stop()
        await checks.worker_task
    await runtime.db.open()


def _process(settings: Settings, viber: FakeViber, port: int, cwd: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "STAFF_", "VIBER_", "WEBHOOK_"))
    }
    env.update(
        DATABASE_PATH=str(settings.database_path),
        WEBHOOK_BASE_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_PORT=str(port),
        VIBER_AUTH_TOKEN=viber.token,
        VIBER_API_URL=viber.base_url,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def test_youthbot_run_serves_viber_alone_and_stops_on_sigterm(
    viber: FakeViber, settings: Settings, tmp_path: Path
) -> None:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    process = _process(settings, viber, port, tmp_path)
    try:
        for _ in range(1500):
            if viber.webhook_url or process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        assert viber.webhook_url == f"http://127.0.0.1:{port}/viber/webhook", (
            process.stderr.read() if process.poll() is not None else ""
        )
        person = ViberPerson(viber, ViberUser("proc0000000000000000000=", language="en"))
        await person.open(expect="Please choose your language")
        await person.press("English", "Language set to English.")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == 0, stderr
    assert viber.token not in stderr


def test_run_with_a_webhook_url_but_no_token_says_what_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VIBER_", "WEBHOOK_"))}
    env.update(WEBHOOK_BASE_URL="https://bot.example.org", DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "neither TELEGRAM_BOT_TOKEN nor VIBER_AUTH_TOKEN" in done.stderr


async def test_telegram_alone_by_webhook(settings: Settings, clock: ManualClock, telegram: FakeTelegram) -> None:
    configured = replace(
        settings, telegram_token=telegram.token, telegram_api_url=telegram.base_url, telegram_webhook_secret=SECRET
    )
    async with running_webhooks(configured, clock, ready=lambda: _webhook_set(telegram)) as running:
        assert (await post_update(running.base_url, update(900, "/start"), SECRET)).status_code == 200
        async with httpx.AsyncClient() as client:
            assert (await client.post(f"{running.base_url}/viber/webhook", content=b"{}")).status_code == 404
    assert [m.text for m in telegram.sent_to(TG_USER)] == ["Please choose your language:"]


async def test_a_refused_viber_token_stops_the_start_with_one_clear_line(
    settings: Settings, clock: ManualClock
) -> None:
    async with FakeViber() as fake:
        configured = replace(
            settings,
            viber_auth_token="0000000000000000-wrong",
            viber_api_url=fake.base_url,
            webhook_base_url="http://127.0.0.1:1",
        )
        async with open_runtime(configured, clock=clock) as runtime:
            with pytest.raises(StartupError, match=r"Viber refused the start-up.*VIBER_AUTH_TOKEN") as refused:
                await serve_webhooks(runtime, asyncio.Event(), free_socket())
        assert "WEBHOOK_BASE_URL" not in str(refused.value)  # the one setting at fault
        assert fake.violations == ["get_account_info: missing or wrong X-Viber-Auth-Token"]
        assert fake.webhook_url is None


async def test_a_viber_webhook_it_cannot_reach_names_webhook_base_url_only(
    settings: Settings, clock: ManualClock
) -> None:
    async with FakeViber() as fake:
        configured = replace(
            settings, viber_auth_token=fake.token, viber_api_url=fake.base_url, webhook_base_url="http://127.0.0.1:1"
        )
        async with open_runtime(configured, clock=clock) as runtime:
            with pytest.raises(StartupError, match=r"Viber refused the webhook.*WEBHOOK_BASE_URL") as refused:
                await serve_webhooks(runtime, asyncio.Event(), free_socket())
        assert "VIBER_AUTH_TOKEN" not in str(refused.value)
