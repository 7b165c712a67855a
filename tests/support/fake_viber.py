"""A fake Viber REST Bot API server for end-to-end tests, on 127.0.0.1.

The bot's httpx client talks to it (``VIBER_API_URL=fake.base_url``). Every call is
checked: the X-Viber-Auth-Token header and the JSON shape Viber documents (receiver,
sender.name of at most 28 characters, type, text of 1 to 7,000 characters, keyboard
buttons with Columns 1-6, Rows 1-2, a known ActionType and an ActionBody,
min_api_version 3 for share-phone). A call Viber would reject is answered with
Viber's status 3 (bad data) and recorded in ``violations``, so the test fails.

It is also the users' side: it sends signed callbacks to the webhook the bot set,
as Viber does, and can make receivers unreachable or the API busy.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.local_server import LocalServer

TOKEN = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"
SIGNED = "sign"  # default for ``callback(signature=...)``: a correct signature
EVENT_TYPES = {"delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started"}
ACTION_TYPES = {"reply", "open-url", "location-picker", "share-phone", "none"}
BUTTON_FIELDS = {
    "Columns",
    "Rows",
    "ActionType",
    "ActionBody",
    "Text",
    "Silent",
    "BgColor",
    "TextSize",
    "TextHAlign",
    "TextVAlign",
    "TextOpacity",
    "Image",
    "BgMedia",
    "BgMediaType",
    "BgLoop",
}
KEYBOARD_FIELDS = {"Type", "Buttons", "DefaultHeight", "BgColor", "InputFieldState"}
MESSAGE_FIELDS = {
    "receiver", "min_api_version", "sender", "tracking_data", "type", "text", "keyboard", "media", "size", "file_name",
}  # fmt: skip
FILE_MAX_BYTES = 50 * 1024 * 1024  # Viber's limit for a file message
FILE_NAME_MAX = 256
STATUS_NAMES = {
    0: "ok",
    1: "invalidUrl",
    2: "invalidAuthToken",
    3: "badData",
    5: "receiverNotRegistered",
    6: "receiverNotSubscribed",
    12: "tooManyRequests",
}


@dataclass
class ViberUser:
    id: str
    name: str = "Test User"
    language: str = "en"
    country: str = "XK"
    api_version: int = 10

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "country": self.country,
            "api_version": self.api_version,
        }


@dataclass
class ViberMessage:
    """A message the bot sent (or, with receiver None, answered to conversation_started)."""

    token: int
    receiver: str | None
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    def buttons(self) -> list[dict[str, Any]]:
        return list((self.body.get("keyboard") or {}).get("Buttons", []))

    def button(self, label: str) -> dict[str, Any]:
        found = [b for b in self.buttons() if label in b.get("Text", "")]
        assert found, f"no button containing {label!r} among {[b.get('Text') for b in self.buttons()]}"
        return found[0]


@dataclass
class Call:
    method: str
    body: Any
    status: int = 0


@dataclass
class _Failure:
    status: int
    receiver: str | None
    times: int


def check_keyboard(keyboard: Any, min_api_version: int) -> list[str]:
    if not isinstance(keyboard, dict):
        return ["keyboard: not an object"]
    errors = [f"keyboard: unknown field {k!r}" for k in keyboard if k not in KEYBOARD_FIELDS]
    if keyboard.get("Type") != "keyboard":
        errors.append("keyboard.Type must be 'keyboard'")
    buttons = keyboard.get("Buttons")
    if not isinstance(buttons, list) or not buttons:
        return [*errors, "keyboard.Buttons must be a non-empty list"]
    for i, button in enumerate(buttons):
        where = f"keyboard.Buttons[{i}]"
        if not isinstance(button, dict):
            errors.append(f"{where}: not an object")
            continue
        errors += [f"{where}: unknown field {k!r}" for k in button if k not in BUTTON_FIELDS]
        if type(button.get("Columns", 6)) is not int or not 1 <= button.get("Columns", 6) <= 6:
            errors.append(f"{where}.Columns must be 1-6, got {button.get('Columns')!r}")
        if type(button.get("Rows", 1)) is not int or not 1 <= button.get("Rows", 1) <= 2:
            errors.append(f"{where}.Rows must be 1-2, got {button.get('Rows')!r}")
        action = button.get("ActionType", "reply")
        if action not in ACTION_TYPES:
            errors.append(f"{where}.ActionType {action!r} is unknown")
        body = button.get("ActionBody")
        if not isinstance(body, str) or not body:
            errors.append(f"{where}.ActionBody is required")
        if "Text" in button and (not isinstance(button["Text"], str) or not 1 <= len(button["Text"]) <= 250):
            errors.append(f"{where}.Text must be 1-250 characters")
        if "Silent" in button and type(button["Silent"]) is not bool:
            errors.append(f"{where}.Silent must be true or false")
        if action == "share-phone" and min_api_version < 3:
            errors.append(f"{where}: share-phone needs min_api_version 3, message has {min_api_version}")
    return errors


def check_message(body: Any, welcome: bool = False) -> list[str]:
    """A send_message body (or, with ``welcome``, the answer to conversation_started: no receiver)."""
    if not isinstance(body, dict):
        return ["message: not a JSON object"]
    errors = [f"unknown field {k!r}" for k in body if k not in MESSAGE_FIELDS]
    if welcome and "receiver" in body:
        errors.append("the welcome message must not have a receiver")
    if not welcome and (not isinstance(body.get("receiver"), str) or not body["receiver"]):
        errors.append("receiver is required")
    sender = body.get("sender")
    if not isinstance(sender, dict) or not isinstance(sender.get("name"), str) or not 1 <= len(sender["name"]) <= 28:
        errors.append(f"sender.name must be 1-28 characters, got {sender!r:.80}")
    elif set(sender) - {"name", "avatar"}:
        errors.append(f"sender: unknown fields {sorted(set(sender) - {'name', 'avatar'})}")
    version = body.get("min_api_version", 1)
    if type(version) is not int or version < 1:
        errors.append(f"min_api_version must be a whole number >= 1, got {version!r}")
        version = 1
    if "tracking_data" in body and (not isinstance(body["tracking_data"], str) or len(body["tracking_data"]) > 4000):
        errors.append("tracking_data must be a string of at most 4,000 characters")
    text = body.get("text")
    if body.get("type") == "picture":  # a description of at most 768 characters and the picture's URL
        media = body.get("media")
        if not isinstance(media, str) or not re.match(r"^https?://\S+$", media) or len(media) > 2000:
            errors.append(f"picture: media must be a URL of at most 2,000 characters, got {media!r:.80}")
        if not isinstance(text, str) or len(text) > 768:
            errors.append("picture: text must be a description of at most 768 characters")
    elif body.get("type") == "file":  # a file Viber fetches from its URL: its size in bytes and its name
        media = body.get("media")
        if not isinstance(media, str) or not re.match(r"^https?://\S+$", media) or len(media) > 2000:
            errors.append(f"file: media must be a URL of at most 2,000 characters, got {media!r:.80}")
        size = body.get("size")
        if type(size) is not int or not 0 < size <= FILE_MAX_BYTES:
            errors.append(f"file: size must be the number of bytes, at most 50 MB, got {size!r}")
        name = body.get("file_name")
        if not isinstance(name, str) or not 0 < len(name) <= FILE_NAME_MAX or "." not in name:
            errors.append(f"file: file_name must be a name with its extension, got {name!r:.80}")
        if "text" in body:
            errors.append("file: a file message has no text")
    elif body.get("type") != "text":
        errors.append(f"type {body.get('type')!r}: the bot sends text, picture and file messages only")
    elif not isinstance(text, str) or not text.strip() or len(text) > 7000:
        errors.append(f"text must be 1-7,000 characters, got {len(text) if isinstance(text, str) else text!r}")
    elif "media" in body or "size" in body or "file_name" in body:
        errors.append("media, size, file_name: only picture and file messages carry them")
    if "keyboard" in body:
        errors += check_keyboard(body["keyboard"], version)
    return errors


class FakeViber:
    """Viber's REST API for the bot, and Viber's callbacks for the tests."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.base_url = ""
        self.violations: list[str] = []
        self.calls: list[Call] = []
        self.webhook_url: str | None = None
        self.event_types: list[str] = []
        self.not_registered: set[str] = set()
        self.not_subscribed: set[str] = set()
        self._failures: list[_Failure] = []
        self._sent: dict[str, list[ViberMessage]] = {}
        self._message_tokens = itertools.count(5741311803571721087)
        self._event_tokens = itertools.count(4912661846655238145)
        self._local = LocalServer(Starlette(routes=[Route("/pa/{method}", self._endpoint, methods=["POST"])]))
        self._http = httpx.AsyncClient(timeout=30)

    async def start(self) -> None:
        port = await self._local.start()
        self.base_url = f"http://127.0.0.1:{port}/pa/"

    async def stop(self) -> None:
        await self._http.aclose()
        await self._local.stop()

    async def __aenter__(self) -> FakeViber:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- what the bot did -------------------------------------------------------------------
    def sent_to(self, receiver: str) -> list[ViberMessage]:
        return list(self._sent.get(receiver, []))

    def fail_next(self, status: int, receiver: str | None = None, times: int = 1) -> None:
        """Answer the next ``times`` send_message calls (to ``receiver``, if given) with this status."""
        self._failures.append(_Failure(status, receiver, times))

    # --- the API ------------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        call = Call(method, None)
        self.calls.append(call)
        if request.headers.get("x-viber-auth-token") != self.token:
            self.violations.append(f"{method}: missing or wrong X-Viber-Auth-Token")
            return self._answer(call, 2)
        try:
            call.body = json.loads(await request.body())
        except ValueError:
            self.violations.append(f"{method}: the body is not JSON")
            return self._answer(call, 3)
        handler = {
            "send_message": self._send_message,
            "set_webhook": self._set_webhook,
            "get_account_info": self._account_info,
        }.get(method)
        if handler is None:
            self.violations.append(f"unknown endpoint {method!r}")
            return JSONResponse({"error": "not found"}, status_code=404)
        return await handler(call)

    def _answer(self, call: Call, status: int, **extra: Any) -> JSONResponse:
        call.status = status
        return JSONResponse({"status": status, "status_message": STATUS_NAMES.get(status, "error"), **extra})

    async def _send_message(self, call: Call) -> JSONResponse:
        problems = check_message(call.body)
        if problems:
            self.violations += [f"send_message: {p}" for p in problems]
            return self._answer(call, 3)
        receiver = call.body["receiver"]
        for failure in self._failures:
            if failure.times > 0 and failure.receiver in (None, receiver):
                failure.times -= 1
                return self._answer(call, failure.status)
        if receiver in self.not_registered:
            return self._answer(call, 5)
        if receiver in self.not_subscribed:
            return self._answer(call, 6)
        token = next(self._message_tokens)
        self._sent.setdefault(receiver, []).append(ViberMessage(token, receiver, call.body))
        return self._answer(call, 0, message_token=token, chat_hostname="SN-CHAT-01_", billing_status=1)

    async def _set_webhook(self, call: Call) -> JSONResponse:
        body = call.body
        problems = [] if isinstance(body, dict) else ["not an object"]
        if not problems:
            problems += [
                f"unknown field {k!r}" for k in body if k not in {"url", "event_types", "send_name", "send_photo"}
            ]
            if not isinstance(body.get("url"), str) or not body["url"].startswith(("https://", "http://127.0.0.1")):
                problems.append(f"url must be https (or a local test address), got {body.get('url')!r}")
            types = body.get("event_types", [])
            if not isinstance(types, list) or not set(types) <= EVENT_TYPES:
                problems.append(f"event_types has unknown types: {types!r}")
            problems += [
                f"{k} must be true or false"
                for k in ("send_name", "send_photo")
                if k in body and type(body[k]) is not bool
            ]
        if problems:
            self.violations += [f"set_webhook: {p}" for p in problems]
            return self._answer(call, 3)
        check = {
            "event": "webhook",
            "timestamp": _now_ms(),
            "chat_hostname": "SN-CHAT-01_",
            "message_token": next(self._event_tokens),
        }
        try:
            response = await self._post(body["url"], check, SIGNED)
        except httpx.HTTPError:
            return self._answer(call, 1)
        if response.status_code != 200:
            return self._answer(call, 1)
        self.webhook_url, self.event_types = body["url"], list(body.get("event_types", []))
        return self._answer(call, 0, chat_hostname="SN-CHAT-01_", event_types=self.event_types)

    async def _account_info(self, call: Call) -> JSONResponse:
        if call.body != {}:
            self.violations.append("get_account_info: the body must be {}")
            return self._answer(call, 3)
        return self._answer(
            call,
            0,
            id="pa:1234567890",
            name="Youth ICT Programme",
            uri="youthict",
            icon="",
            background="",
            category="Education",
            subcategory="",
            location={"lon": 21.16, "lat": 42.66},
            country="XK",
            webhook=self.webhook_url or "",
            event_types=self.event_types,
            subscribers_count=0,
            members=[],
        )

    # --- Viber's callbacks to the bot -------------------------------------------------------
    async def _post(self, url: str, event: dict[str, Any], signature: str | None) -> httpx.Response:
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json"}
        if signature == SIGNED:
            headers["X-Viber-Content-Signature"] = hmac.new(self.token.encode(), body, hashlib.sha256).hexdigest()
        elif signature is not None:
            headers["X-Viber-Content-Signature"] = signature
        return await self._http.post(url, content=body, headers=headers)

    async def callback(self, event: dict[str, Any], signature: str | None = SIGNED) -> httpx.Response:
        """Deliver one callback to the bot's webhook (signed correctly unless told otherwise)."""
        assert self.webhook_url, "the bot has not set its webhook"
        return await self._post(self.webhook_url, event, signature)

    def _event(self, event: str, **fields: Any) -> dict[str, Any]:
        return {"event": event, "timestamp": _now_ms(), "message_token": next(self._event_tokens), **fields}

    def conversation_started(
        self, user: ViberUser, context: str | None = None, subscribed: bool = False
    ) -> dict[str, Any]:
        extra = {"context": context} if context is not None else {}
        return self._event("conversation_started", type="open", user=user.as_dict(), subscribed=subscribed, **extra)

    def message(self, user: ViberUser, **message: Any) -> dict[str, Any]:
        return self._event("message", sender=user.as_dict(), message=message)

    def text(self, user: ViberUser, text: str) -> dict[str, Any]:
        return self.message(user, type="text", text=text)

    def contact(self, user: ViberUser, phone: str) -> dict[str, Any]:
        return self.message(user, type="contact", contact={"name": user.name, "phone_number": phone})

    def sticker(self, user: ViberUser) -> dict[str, Any]:
        return self.message(user, type="sticker", sticker_id=40127, media="https://example.org/sticker.png")

    def location(self, user: ViberUser) -> dict[str, Any]:
        return self.message(user, type="location", location={"lat": 42.6629, "lon": 21.1655})

    def subscribed(self, user: ViberUser) -> dict[str, Any]:
        return self._event("subscribed", user=user.as_dict())

    def unsubscribed(self, user_id: str) -> dict[str, Any]:
        return self._event("unsubscribed", user_id=user_id)

    def receipt(self, event: str, message_token: int, user_id: str, desc: str | None = None) -> dict[str, Any]:
        extra = {"desc": desc} if desc is not None else {}
        return {"event": event, "timestamp": _now_ms(), "message_token": message_token, "user_id": user_id, **extra}


def _now_ms() -> int:
    return int(time.time() * 1000)
