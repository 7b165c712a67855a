"""Hostile webhook bodies: huge (declared or chunked), unsigned, and deeply nested JSON."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from telegram.ext import Application

from bot.handlers.webserver import MAX_BODY_BYTES, TELEGRAM_PATH, Health, TelegramWebhook, build_app
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime

SECRET = "s3cret-for-the-webhook"
MB = 1_000_000


def _app(runtime: Runtime) -> Any:
    worker = OutboxWorker(runtime.db, runtime.clock, runtime.settings, runtime.engine.registry, {}, RateLimiter(25, 1))
    application = Application.builder().token("123456:TEST-token-abcdefghijklmnop").build()
    return build_app(TelegramWebhook(application, SECRET), None, Health(runtime.engine, worker))


async def _post(app: Any, chunks: Iterator[bytes], headers: dict[str, str]) -> tuple[int, int]:
    """POST through the ASGI interface; return the status and how many body bytes the app read."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": TELEGRAM_PATH,
        "raw_path": TELEGRAM_PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("bot", 80),
        "client": ("127.0.0.1", 5000),
    }
    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), read


def _megabytes(n: int) -> Iterator[bytes]:
    return (b"[" * MB for _ in range(n))


async def test_a_huge_chunked_body_is_refused_after_at_most_the_limit(runtime: Runtime) -> None:
    status, read = await _post(_app(runtime), _megabytes(64), {"x-telegram-bot-api-secret-token": SECRET})
    assert status == 413
    assert read <= MAX_BODY_BYTES + MB  # the limit and one chunk at most, not 64 MB


async def test_a_declared_huge_body_is_refused_unread(runtime: Runtime) -> None:
    headers = {"x-telegram-bot-api-secret-token": SECRET, "content-length": str(64 * MB)}
    assert await _post(_app(runtime), _megabytes(64), headers) == (413, 0)


async def test_a_wrong_secret_is_refused_before_the_body_is_read(runtime: Runtime) -> None:
    assert await _post(_app(runtime), _megabytes(64), {"x-telegram-bot-api-secret-token": "guess"}) == (403, 0)
    assert await _post(_app(runtime), _megabytes(64), {}) == (403, 0)


async def test_deeply_nested_json_with_the_secret_is_400_and_one_line(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with caplog.at_level(logging.WARNING):
        status, _ = await _post(_app(runtime), iter([body]), {"x-telegram-bot-api-secret-token": SECRET})
    assert status == 400
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
