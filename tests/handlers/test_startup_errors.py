"""``youthbot run`` from outside: a revoked token and an unreachable Bot API at start-up."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from asyncio.subprocess import DEVNULL, PIPE
from pathlib import Path

import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.support.webhook_harness import free_socket

REVOKED = "123456:REVOKED-token-thatTelegramNoLongerKnows"


def _run(api_url: str, token: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "VIBER_"))}
    env.update(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=api_url, DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


@pytest.mark.parametrize("webhooks", [False, True], ids=["polling", "webhooks"])
async def test_a_revoked_token_gives_one_line_without_the_token(tmp_path: Path, webhooks: bool) -> None:
    async with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=REVOKED, TELEGRAM_API_URL=fake.base_url, DATABASE_PATH=str(tmp_path / "bot.sqlite3")
        )
        if webhooks:
            with free_socket() as sock:
                port = sock.getsockname()[1]
            env.update(
                WEBHOOK_BASE_URL="https://bot.example.org",
                WEBHOOK_PORT=str(port),
                TELEGRAM_WEBHOOK_SECRET="a-secret-of-enough-length-1234",
            )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=DEVNULL, stderr=PIPE
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    text = err.decode()
    assert process.returncode == 2, text
    assert "REVOKED" not in text and "Traceback" not in text
    problems = [line for line in text.splitlines() if "TELEGRAM_BOT_TOKEN" in line]
    assert len(problems) == 1, text


def test_an_unreachable_bot_api_is_retried_with_one_line_per_attempt(tmp_path: Path) -> None:
    with free_socket() as sock:  # a port nothing answers on
        port = sock.getsockname()[1]
    process = _run(f"http://127.0.0.1:{port}/bot", REVOKED, tmp_path)
    assert process.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum("cannot reach" in line for line in lines) < 2:
            lines.append(process.stderr.readline().decode())
        assert process.poll() is None  # still trying
    finally:
        process.terminate()
        process.communicate(timeout=30)
    text = "".join(lines)
    assert sum("cannot reach the Telegram Bot API" in line for line in lines) == 2, text
    assert "Traceback" not in text and "REVOKED" not in text
