"""Running the real web server (starlette on uvicorn, 127.0.0.1) in a test."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.webserver import serve_webhooks
from bot.runtime import Runtime, open_runtime

SECRET = "test-webhook-secret_0123456789"


@dataclass
class RunningServer:
    runtime: Runtime
    base_url: str


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def running_webhooks(settings: Settings, clock: Clock, ready: Callable[[], bool]) -> AsyncIterator[RunningServer]:
    """Serve ``settings`` (WEBHOOK_BASE_URL pointed at a free local port) until the block ends;
    start the block once healthy and ``ready()`` (the fakes saw the webhooks set)."""
    sock = free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = replace(settings, webhook_base_url=base)
    async with open_runtime(settings, clock=clock) as runtime:
        stop = asyncio.Event()
        task = asyncio.create_task(serve_webhooks(runtime, stop, sock))
        try:
            await _wait_until_ready(base, task, ready)
            yield RunningServer(runtime, base)
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)


async def _wait_until_ready(base: str, task: asyncio.Task[None], ready: Callable[[], bool]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(1000):
            if task.done():
                task.result()
                raise AssertionError("the web server stopped")
            try:
                if ready() and (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.01)
    raise AssertionError("the web server did not become ready")


def snapshot(database: Path) -> list[str]:
    """Every row of every table, to show that a refused request changed nothing."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
