"""``youthbot web``: the staff console alone, on the bot's SQLite database."""

from __future__ import annotations

import asyncio

import uvicorn

from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import prepare_catalogs
from bot.web.app import create_app
from storage import Database


async def serve_console(settings: Settings) -> None:
    prepare_catalogs()
    async with Database(settings.database_path) as db:
        app = create_app(db, settings, SystemClock())
        config = uvicorn.Config(
            app, host=settings.web_host, port=settings.web_port, log_level="warning", access_log=False
        )
        await uvicorn.Server(config).serve()


def run_web(settings: Settings) -> None:
    asyncio.run(serve_console(settings))
