"""A lean fake Bot API server for benchmarks, on 127.0.0.1.

``tests/fake_telegram.py`` checks every request against api.json: right for
tests, too costly for a benchmark. This one speaks just enough HTTP/1.1
(keep-alive, Content-Length bodies, form fields as python-telegram-bot sends
them) and answers the methods a bot needs: getMe, deleteWebhook, getUpdates
(long polling with ``offset``), sendMessage, editMessageText,
answerCallbackQuery, setMyCommands, and ``true`` for anything else.

It runs in the benchmark's own process, never in the bot's, so its CPU time
is not counted against the bot. Every message the bot sends is handed to
``on_message`` (the simulated users).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:BENCH-token-abcdefghijklmnop"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Youth Bot",
    "username": "youthbot_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MAX_HEADER = 64 * 1024


@dataclass(frozen=True)
class SentMessage:
    """What the bot sent to one chat; ``reply_markup`` stays a JSON string until someone needs it."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: str | None

    def callback_data(self, label_fragment: str | None, index: int = 0) -> str:
        """The data of the inline button whose label contains the fragment (or the index-th button)."""
        markup = json.loads(self.reply_markup or "{}")
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        if label_fragment is not None:
            buttons = [b for b in buttons if label_fragment in b["text"]]
        if len(buttons) <= index:
            raise LookupError(f"no button {label_fragment!r} (index {index}) under {self.text[:60]!r}")
        return str(buttons[index]["callback_data"])

    @property
    def has_inline_keyboard(self) -> bool:
        return self.reply_markup is not None and "inline_keyboard" in self.reply_markup


class FakeBotApi:
    """The server: a queue of updates for getUpdates, and a hook for every message sent."""

    def __init__(self, on_message: Callable[[SentMessage], None] | None = None) -> None:
        self.on_message = on_message or (lambda message: None)
        self.base_url = ""
        self.calls: dict[str, int] = {}
        self.polls = 0  # getUpdates calls seen: the bot is up once this moves
        self._queue: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1000
        self._arrived = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._closing = False

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0, limit=MAX_HEADER)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        self._closing = True
        self._arrived.set()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- updates ---------------------------------------------------------------------------
    def offer(self, update: dict[str, Any]) -> int:
        """Make one update (without ``update_id``) available to getUpdates; return its id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._queue.append({"update_id": update_id, **update})
        self._arrived.set()
        return update_id

    async def wait_polling(self, since: int = 0, timeout: float = 30.0) -> None:
        """Wait until the bot has called getUpdates more than ``since`` times."""
        deadline = time.monotonic() + timeout
        while self.polls <= since:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not start polling")
            await asyncio.sleep(0.01)

    async def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        self.polls += 1
        offset = int(params.get("offset", 0) or 0)
        if offset > 0:
            drop = 0
            while drop < len(self._queue) and self._queue[drop]["update_id"] < offset:
                drop += 1
            del self._queue[:drop]
        limit = int(params.get("limit", 100) or 100)
        deadline = time.monotonic() + float(params.get("timeout", 0) or 0)
        while not self._queue and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        return self._queue[:limit]

    # --- methods ---------------------------------------------------------------------------
    def _message(self, params: dict[str, str]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._next_message_id += 1
        text = params.get("text", "")
        markup = params.get("reply_markup")
        message: dict[str, Any] = {
            "message_id": self._next_message_id,
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "User"},
            "date": int(time.time()),
            "text": text,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = json.loads(markup)  # Telegram echoes inline keyboards only
        self.on_message(SentMessage(chat_id, self._next_message_id, text, markup))
        return message

    async def _call(self, method: str, params: dict[str, str]) -> Any:
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params)
        if method == "editMessageText":
            return self._message(params) if "chat_id" in params else True
        if method == "getMyCommands":
            return []
        return True

    # --- HTTP ------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not self._closing:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                _verb, target, _version = request_line.split(" ", 2)
                headers = {}
                for line in header_lines:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                path, _, query = target.partition("?")
                token, _, method = path.removeprefix("/bot").partition("/")
                params = dict(parse_qsl(query))
                if body:
                    params.update(self._form(body, headers.get("content-type", "")))
                if token != TOKEN:
                    status, payload = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    status, payload = 200, {"ok": True, "result": await self._call(method, params)}
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                    % (status, b"OK" if status == 200 else b"Unauthorized", len(data))
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    @staticmethod
    def _form(body: bytes, content_type: str) -> dict[str, str]:
        if content_type.startswith("application/json"):
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
