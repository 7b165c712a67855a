"""The Viber REST Bot API over httpx: the one seam between the bot and Viber.

Viber answers every call with HTTP 200 and says in ``status`` whether it
worked (0), so errors are read from the body:

    ViberError
    ├── ViberApiError(status)   Viber refused the call (5 not registered, 6 not subscribed,
    │                           12 too many requests, 2 bad token, 3 bad data, ...)
    └── ViberUnavailable        no usable answer: network trouble, HTTP error, not JSON

Callbacks to our webhook are signed: ``X-Viber-Content-Signature`` is the hex
HMAC-SHA256 of the raw body keyed with the auth token.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

OK = 0
NOT_REGISTERED = 5
NOT_SUBSCRIBED = 6
TOO_MANY_REQUESTS = 12
EVENT_TYPES = ("delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started")
TIMEOUT_SECONDS = 15.0


class ViberError(Exception):
    pass


class ViberApiError(ViberError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Viber status {status}: {message}")
        self.status = status
        self.message = message


class ViberUnavailable(ViberError):
    pass


def signature(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(token: str, body: bytes, given: str | None) -> bool:
    """Compare in constant time; a missing header never matches."""
    if not given:
        return False
    return hmac.compare_digest(signature(token, body).encode(), given.strip().lower().encode())


class ViberClient:
    def __init__(self, base_url: str, token: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"X-Viber-Auth-Token": token},
            timeout=TIMEOUT_SECONDS,
            transport=transport,
        )

    async def call(self, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(endpoint, json=payload)
        except httpx.HTTPError as exc:
            raise ViberUnavailable(f"{endpoint}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise ViberUnavailable(f"{endpoint}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ViberUnavailable(f"{endpoint}: the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise ViberUnavailable(f"{endpoint}: unexpected answer")
        status = data.get("status")
        if status != OK:
            raise ViberApiError(status if isinstance(status, int) else -1, str(data.get("status_message", "")))
        return data

    async def get_account_info(self) -> dict[str, Any]:
        return await self.call("get_account_info", {})

    async def set_webhook(self, url: str) -> dict[str, Any]:
        """Viber calls ``url`` at once with a signed 'webhook' event: the server must be listening."""
        return await self.call(
            "set_webhook", {"url": url, "event_types": list(EVENT_TYPES), "send_name": True, "send_photo": False}
        )

    async def send_message(self, message: dict[str, Any]) -> str:
        """Send one message (``receiver`` included); return Viber's message token."""
        data = await self.call("send_message", message)
        return str(data.get("message_token", ""))

    async def close(self) -> None:
        await self._http.aclose()
