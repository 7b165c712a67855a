"""python-telegram-bot's requests over aiohttp instead of httpx.

Sending a message through httpx costs the bot about twice the CPU time of
the same request through aiohttp (its HTTP parser is compiled, httpx's stack
is several pure-Python layers deep); at a few requests per user step that is
most of the bot's work (see docs/performance.md). python-telegram-bot takes
any :class:`telegram.request.BaseRequest`; this one keeps HTTPXRequest's
defaults (timeouts, 1 s to get a connection) and its
error mapping: timeouts become ``TimedOut``, every other transport failure
``NetworkError``, and Telegram's own answers (any status) go back to
python-telegram-bot untouched.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData

FORM = "application/x-www-form-urlencoded"
JSON_BODY = "application/json"
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
DEFAULT_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 1.0
# httpx's default is 256; the outbox may have up to 250 calls in flight at 1,000 messages/s
# (bot/runtime.py), and replies to conversations must still find a connection.
HTTP_POOL = 512
MEDIA_WRITE_TIMEOUT = 20.0


def api_error(code: int, payload: bytes) -> TelegramError:
    """Telegram's error answer as python-telegram-bot's exception, mapped as
    ``BaseRequest.post`` maps it (retry_after, 403, 400, 401/404, 409, the rest)."""
    try:
        message = f"{HTTPStatus(code).phrase} ({code})"
    except ValueError:
        message = f"Unknown HTTPError ({code})"
    try:
        answer = BaseRequest.parse_json_payload(payload)
    except TelegramError:
        answer = {}
    message = answer.get("description") or message
    parameters = answer.get("parameters") or {}
    if parameters.get("migrate_to_chat_id"):
        return ChatMigrated(parameters["migrate_to_chat_id"])
    if parameters.get("retry_after"):
        return RetryAfter(parameters["retry_after"])
    if code == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if code in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return InvalidToken(message)
    if code == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if code == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connection_pool_size: int = HTTP_POOL,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies: skip the jar's work
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, read: Any, connect: Any, pool: Any, files: bool) -> aiohttp.ClientTimeout:
        read = self._read_timeout if read is BaseRequest.DEFAULT_NONE else read
        connect = self._connect_timeout if connect is BaseRequest.DEFAULT_NONE else connect
        pool = self._pool_timeout if pool is BaseRequest.DEFAULT_NONE else pool
        if files and self._media_write_timeout is not None and read is not None:
            read = max(read, self._media_write_timeout)  # an upload is read back only after it is written
        # aiohttp's "connect" covers waiting for a free connection and opening one.
        waiting = None if connect is None and pool is None else (connect or 0) + (pool or 0)
        return aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=read)

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | aiohttp.BytesPayload | None:
        if request_data is None:
            return None
        fields = request_data.json_parameters
        if not request_data.contains_files:  # encoded here: aiohttp's form machinery costs more
            return aiohttp.BytesPayload(urlencode(fields).encode(), content_type=FORM)
        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form

    async def call(self, base_url: str, method: str, fields: dict[str, object]) -> Any:
        """One Bot API call with its parameters as a JSON body; the ``result`` of Telegram's
        answer as plain JSON, errors raised as python-telegram-bot raises them. Never parsed
        into python-telegram-bot objects: for a sent message that parsing cost more CPU than
        the HTTP request itself, and a JSON body costs a fifth of URL-encoding the same
        fields (docs/performance.md)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body = aiohttp.BytesPayload(_JSON.encode(fields).encode(), content_type=JSON_BODY)
        timeout = self._timeout(BaseRequest.DEFAULT_NONE, BaseRequest.DEFAULT_NONE, BaseRequest.DEFAULT_NONE, False)
        try:
            async with self._session.post(f"{base_url}/{method}", data=body, timeout=timeout) as response:
                code, payload = response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        if HTTPStatus.OK <= code <= 299:
            return BaseRequest.parse_json_payload(payload)["result"]
        raise api_error(code, payload)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout, files)
        try:
            async with self._session.request(method, url, data=self._body(request_data), timeout=timeout) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
