"""An ASGI app served by uvicorn on a free port of 127.0.0.1: the HTTP side of the fakes of outside systems."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn


class _QuietServer(uvicorn.Server):
    """uvicorn would otherwise take Ctrl-C away from pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LocalServer:
    """Serve ``app`` from :meth:`start` (which returns the port) until :meth:`stop`."""

    def __init__(self, app: Any, log_level: str | None = None) -> None:
        self.app = app
        self.log_level = log_level
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None

    async def start(self) -> int:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._server = _QuietServer(
            uvicorn.Config(
                self.app,
                log_config=None,
                log_level=self.log_level,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
        )
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        return int(self._sock.getsockname()[1])

    async def stop(self) -> None:
        if self._server and self._task:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._task, 5)
        if self._sock:
            self._sock.close()
