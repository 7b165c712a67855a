"""Serving the staff console: alone (``youthbot web``) or beside the bot (``youthbot run`` with WEB_ENABLED)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

import uvicorn

from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import Runtime, prepare_catalogs
from bot.web.app import create_app
from storage import Database


class _Server(uvicorn.Server):
    """Signals are the caller's (``run_until_signalled``), not uvicorn's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _server(app: object, settings: Settings) -> _Server:
    return _Server(
        uvicorn.Config(
            app,  # type: ignore[arg-type]
            host=settings.web_host,
            port=settings.web_port,
            log_config=None,
            access_log=False,  # request lines would put tokens of one-time links in the log
            lifespan="off",
        )
    )


async def serve_console_until(runtime: Runtime, stop: asyncio.Event, wake: Callable[[], None] | None = None) -> None:
    """The console on the bot's own database, on WEB_HOST:WEB_PORT, until ``stop`` is set;
    ``wake`` wakes the bot's outbox worker when the console queued messages (a decision, a broadcast)."""
    server = _server(create_app(runtime.db, runtime.settings, runtime.clock, wake), runtime.settings)
    task = asyncio.create_task(server.serve(), name="console")
    try:
        await stop.wait()
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)


async def serve_console(settings: Settings) -> None:
    prepare_catalogs()
    async with Database(settings.database_path) as db:
        server = _server(create_app(db, settings, SystemClock()), settings)
        await server.serve()


def run_web(settings: Settings) -> None:
    """``youthbot web``: the console alone until Ctrl-C."""
    asyncio.run(serve_console(settings))
