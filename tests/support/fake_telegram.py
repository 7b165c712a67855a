"""A fake Telegram Bot API server for end-to-end tests.

The real python-telegram-bot talks HTTP to it (``base_url=fake.base_url``), so request encoding,
long polling and error mapping are all exercised without the network. Every request is checked
against the official Bot API description (api.json): a call Telegram would reject is answered
with 400 here too and recorded in ``violations``, so the test fails instead of production.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import os
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.local_server import LocalServer

DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared" / "telegram-bot-api" / "api.json"
SIMPLE = {
    "String": lambda v: isinstance(v, str),
    "Integer": lambda v: type(v) is int,
    "Float": lambda v: type(v) in (int, float),
    "Boolean": lambda v: type(v) is bool,
    "True": lambda v: v is True,
}
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
    "tg-time",
}
HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)(?:\s[^<>]*)?>|&(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|<")
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


@dataclass
class TgUser:
    """A user talking to the bot; their private chat has chat id == user id."""

    id: int
    first_name: str = "Test"
    language_code: str | None = None
    username: str | None = None

    def as_dict(self) -> dict[str, Any]:
        extra = {"language_code": self.language_code, "username": self.username}
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            **{k: v for k, v in extra.items() if v is not None},
        }


@dataclass
class SentMessage:
    """A message the bot sent or edited, as the test wants to look at it."""

    message_id: int
    chat_id: int
    method: str  # sendMessage / sendDocument / editMessageText (or another send* method)
    text: str | None  # the caption for documents
    reply_markup: dict | None
    document: dict | None = None  # {"file_name", "content": bytes, "mime_type"} for uploads
    params: dict[str, Any] = field(default_factory=dict)  # the whole decoded request

    def button_rows(self) -> list[list[dict]]:
        rm = self.reply_markup or {}
        rows = rm.get("inline_keyboard") or rm.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    def buttons(self) -> list[dict]:
        return [b for row in self.button_rows() for b in row]

    def button(self, label_contains: str) -> dict:
        found = [b for b in self.buttons() if label_contains in b.get("text", "")]
        assert found, f"no button containing {label_contains!r} among {[b.get('text') for b in self.buttons()]}"
        return found[0]


@dataclass
class Request:
    """One API call as received; `status` is the HTTP status the fake answered."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200


@dataclass
class Upload:
    file_name: str
    content: bytes
    mime_type: str | None


class ApiError(Exception):
    """An error answer in the Bot API shape (PTB maps the status to its exception classes)."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@lru_cache
def _load_spec(path: str) -> dict[str, Any]:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    spec["by_lower"] = {name.lower(): m for name, m in spec["methods"].items()}
    spec["discriminators"] = disc = {}  # e.g. BotCommandScopeChat.type "must be chat"
    for tname, t in spec["types"].items():
        for f in t.get("fields", []):
            if m := re.search(r'(?:must be|always) ["“]?([a-z_]+)["”]?\.?$', f["description"]):
                disc.setdefault(tname, {})[f["name"]] = m.group(1)
    return spec


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """A small stdlib parser: starlette's needs python-multipart, which the project doesn't use."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    out: dict[str, Any] = {}
    for part in body.split(b"--" + boundary.group(1).encode())[1:] if boundary else []:
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers, content = head.decode("utf-8", "replace"), content.removesuffix(b"\r\n")
        name, fname = re.search(r'\bname="([^"]*)"', headers), re.search(r'\bfilename="([^"]*)"', headers)
        ctype = re.search(r"(?im)^content-type:\s*(\S+)", headers)
        if name:
            out[name.group(1)] = (
                Upload(fname.group(1), content, ctype and ctype.group(1)) if fname else content.decode("utf-8")
            )
    return out


def _plain_text(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    """The text after entity parsing (its length is what Telegram limits), or the parse error."""
    mode = (parse_mode or "").lower()
    if mode == "markdownv2":  # outside code and link targets, these must be escaped with a backslash
        s = re.sub(r"```.*?```|`[^`]*`", "", re.sub(r"\\.", "", text, flags=re.S), flags=re.S)
        if bad := re.search(r"[#+\-={}.!()]", re.sub(r"\]\([^)]*\)", "]", s)):
            return (
                "",
                f"can't parse entities: Character '{bad.group()}' is reserved and must be escaped "
                "with the preceding '\\'",
            )
        return re.sub(r"\\(.)", r"\1", text, flags=re.S), None
    if mode != "html":
        return text, None if mode in ("", "markdown") else f"unsupported parse_mode {parse_mode!r}"
    out, stack, pos = [], [], 0
    for m in HTML_TOKEN.finditer(text):
        out.append(text[pos : m.start()])
        pos, tag = m.end(), (m.group(2) or "").lower()
        if m.group(0) == "<" or (tag and tag not in HTML_TAGS):
            return "", f'can\'t parse entities: Unsupported start tag "{tag}" at offset {m.start()}'
        if tag and not m.group(1):
            stack.append(tag)
        elif tag and (not stack or stack.pop() != tag):
            return "", f'can\'t parse entities: Unmatched end tag "{tag}" at offset {m.start()}'
        elif not tag:
            out.append(html.unescape(m.group(0)))
    if stack:
        return "", f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
    return "".join(out) + text[pos:], None


class FakeTelegram:
    """Bot API server in the test's event loop: users' actions become updates, bot calls are kept."""

    def __init__(
        self,
        token: str = "123456:TEST-token-abcdefghijklmnop",
        bot_username: str = "youthbot_test_bot",
        spec_path: Path | None = None,
    ) -> None:
        self.token, self.bot_id, self.base_url = token, int(token.split(":")[0]), ""
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Youth Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.spec = _load_spec(str(spec_path or os.environ.get("TELEGRAM_API_SPEC") or DEFAULT_SPEC))
        self.violations: list[str] = []  # malformed requests: a fixture should fail the test on any
        self.errors: list[str] = []  # every non-2xx answer, violations and injected failures included
        self.requests: list[Request] = []
        self._queue: list[dict] = []
        self._update_id, self._poll_gen, self._allowed, self._webhook = 1000, 0, None, ""
        self._last_id: dict[Any, int] = {}
        self._store: dict[tuple[Any, int], dict] = {}  # the current state of every message
        self._sent: dict[Any, list[SentMessage]] = {}
        self._cursor: dict[Any, int] = {}
        self._users: dict[int, TgUser] = {}
        self._failures: list[list[Any]] = []  # [method, status, description, retry_after, chat_id, times]
        self._blocked: set[Any] = set()
        self._callback_ids: set[str] = set()
        self._file_ids = itertools.count(1)
        self._commands: dict[str, list] = {}
        self._poll_wake, self._sent_wake, self._closing = asyncio.Event(), asyncio.Event(), False
        self._local = LocalServer(
            Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]),
            log_level="warning",
        )

    async def start(self) -> None:
        port = await self._local.start()
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        self._closing = True
        self._wake("_poll_wake")
        await self._local.stop()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _wake(self, name: str) -> None:
        """Wake everyone waiting on the event `name` (waiters hold the old one)."""
        old = getattr(self, name)
        setattr(self, name, asyncio.Event())
        old.set()

    # --- users' actions ---------------------------------------------------------------------
    def _mid(self, chat_id: Any) -> int:
        self._last_id[chat_id] = self._last_id.get(chat_id, 100) + 1  # ids 1..100 are "old messages"
        return self._last_id[chat_id]

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, int) and chat_id > 0:
            return {
                "id": chat_id,
                "type": "private",
                "first_name": self._users[chat_id].first_name if chat_id in self._users else "Test",
            }
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    def _enqueue(self, update: dict) -> int:
        update = {"update_id": self._update_id + 1, **update}
        self._update_id = max(self._update_id, update["update_id"])
        if "callback_query" in update:
            self._callback_ids.add(str(update["callback_query"].get("id")))
        self._queue.append(update)
        self._wake("_poll_wake")
        return update["update_id"]

    def _user_message(self, user: TgUser, **content: Any) -> int:
        self._users[user.id] = user
        msg = {
            "message_id": self._mid(user.id),
            "from": user.as_dict(),
            "chat": self._chat(user.id),
            "date": int(time.time()),
            **content,
        }
        self._store[(user.id, msg["message_id"])] = msg
        return self._enqueue({"message": msg})

    def _file(self, kind: str, **extra: Any) -> dict[str, Any]:
        n = next(self._file_ids)
        return {"file_id": f"{kind}-{n}", "file_unique_id": f"u{kind}{n}", **extra}

    def send_text(self, user: TgUser, text: str) -> int:
        """A text message; a leading /command gets the bot_command entity PTB's filters look for."""
        if not text.startswith("/"):
            return self._user_message(user, text=text)
        length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
        return self._user_message(user, text=text, entities=[{"type": "bot_command", "offset": 0, "length": length}])

    def send_contact(self, user: TgUser, phone: str, own: bool = True) -> int:
        return self._user_message(
            user,
            contact={
                "phone_number": phone,
                "first_name": user.first_name,
                "user_id": user.id if own else user.id + 7_000_000,
            },
        )

    def send_sticker(self, user: TgUser) -> int:
        return self._user_message(
            user,
            sticker=self._file("sticker", type="regular", width=512, height=512, is_animated=False, is_video=False),
        )

    def send_photo(self, user: TgUser) -> int:
        return self._user_message(user, photo=[self._file("photo", width=640, height=480)])

    def send_voice(self, user: TgUser) -> int:
        return self._user_message(user, voice=self._file("voice", duration=3))

    def send_location(self, user: TgUser) -> int:
        return self._user_message(user, location={"latitude": 42.6629, "longitude": 21.1655})

    def press_button(self, user: TgUser, message: SentMessage | None, data: str) -> int:
        """A callback query on `message` as it is now (after edits); None: a message from days ago."""
        self._users[user.id] = user
        key = (message.chat_id, message.message_id) if message else (user.id, 1)
        self._store.setdefault(
            key,
            {
                "message_id": key[1],
                "from": self.bot_user,
                "chat": self._chat(key[0]),
                "date": int(time.time()) - (0 if message else 7 * 86400),
                "text": message.text if message else "(old message)",
            },
        )
        return self._enqueue(
            {
                "callback_query": {
                    "id": str(self._update_id + 1),
                    "from": user.as_dict(),
                    "chat_instance": f"ci{key[0]}",
                    "message": self._store[key],
                    "data": data,
                }
            }
        )

    def inject_raw_update(self, update: dict) -> int:
        return self._enqueue(update)

    # --- what the bot did -------------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return list(self._sent.get(chat_id, []))

    async def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        """All messages to the chat since the last wait/clear, as soon as there are `count` of them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            sent = self._sent.get(chat_id, [])
            new = sent[self._cursor.get(chat_id, 0) :]
            if len(new) >= count:
                self._cursor[chat_id] = len(sent)
                return new
            if loop.time() >= deadline:
                raise AssertionError(
                    f"expected {count} new message(s) to chat {chat_id} within {timeout}s, got "
                    f"{[(m.method, m.text) for m in new]}; violations={self.violations}; "
                    f"errors={self.errors[-5:]}; last calls={[r.method for r in self.requests[-10:]]}"
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._sent_wake.wait(), deadline - loop.time())

    def clear(self, chat_id: int) -> None:
        self._sent[chat_id], self._cursor[chat_id] = [], 0

    def callback_answers(self) -> list[dict]:
        return [r.params for r in self.requests if r.method == "answerCallbackQuery" and r.status == 200]

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given) with this error."""
        if method.lower() not in self.spec["by_lower"]:
            raise ValueError(f"unknown Bot API method {method!r}")
        canonical = self.spec["by_lower"][method.lower()]["name"]
        self._failures.append([canonical, status, description, retry_after, chat_id, times])

    def block_user(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    # --- HTTP side --------------------------------------------------------------------------
    async def _endpoint(self, http: HttpRequest) -> JSONResponse:
        req = Request(http.path_params["method"], {}, time.time())
        self.requests.append(req)
        try:
            raw, form = await self._read_params(http)
            if http.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            spec = self.spec["by_lower"].get(req.method.lower())
            problems = [f"unknown method {req.method!r}"] if spec is None else []
            if spec:
                req.method = spec["name"]
                req.params, problems = self._validate(spec, raw, form)
            if problems:
                self.violations.extend(f"{req.method}: {p}" for p in problems)
                raise ApiError(400, f"Bad Request: {problems[0]}")
            self._maybe_fail(req.method, req.params)
            return JSONResponse({"ok": True, "result": await self._handle(req.method, spec, req.params, http)})
        except ApiError as e:
            req.status = e.status
            self.errors.append(f"{req.method}: {e.status} {e.description}")
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": e.status,
                    "description": e.description,
                    **({"parameters": e.parameters} if e.parameters else {}),
                },
                status_code=e.status,
            )

    async def _read_params(self, http: HttpRequest) -> tuple[dict[str, Any], bool]:
        """Form fields (urlencoded or multipart, as PTB sends them) or a JSON body; True if a form."""
        body, ctype = await http.body(), http.headers.get("content-type", "")
        params: dict[str, Any] = dict(http.query_params)
        try:
            if ctype.startswith("application/json"):
                return {**params, **json.loads(body or b"{}")}, False
            if ctype.startswith("multipart/form-data"):
                return {**params, **_parse_multipart(body, ctype)}, True
            return {**params, **dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))}, True
        except (ValueError, TypeError) as e:  # (UnicodeDecodeError is a ValueError)
            self.violations.append(f"{http.path_params['method']}: can't parse request body: {e}")
            raise ApiError(400, f"Bad Request: can't parse request body: {e}") from e

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        chat = params.get("chat_id")
        for f in self._failures:
            if f[0] == method and f[5] > 0 and f[4] in (None, chat):
                f[5] -= 1
                raise ApiError(f[1], f[2], **({"retry_after": f[3]} if f[3] is not None else {}))
        if chat is not None and chat in self._blocked:
            raise ApiError(403, BLOCKED)

    # --- validation against api.json and the documented limits ------------------------------
    def _validate(self, spec: dict, raw: dict[str, Any], form: bool) -> tuple[dict[str, Any], list[str]]:
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems = [f"missing required field '{n}'" for n, f in fields.items() if f["required"] and n not in raw]
        problems += [f"unknown field '{k}'" for k in raw if k not in fields]
        params = dict(raw)
        for k in [k for k in raw if k in fields]:
            params[k], errs = self._fit(fields[k]["types"], raw[k], k, form)
            problems += errs
        return params, problems + self._method_limits(spec["name"], params)

    def _fit(self, types: list[str], v: Any, where: str, form: bool = False) -> tuple[Any, list[str]]:
        """`v` decoded as the first of `types` it fits, else the errors of the closest type."""
        results = [self._fit_one(t, v, where, form) for t in types]
        return next((r for r in results if not r[1]), min(results, key=lambda r: len(r[1])))

    def _fit_one(self, t: str, v: Any, where: str, form: bool) -> tuple[Any, list[str]]:
        if isinstance(v, Upload):
            ok = t == "InputFile"
            return (
                {"file_name": v.file_name, "content": v.content, "mime_type": v.mime_type} if ok else v,
                [] if ok else [f"{where}: a file was uploaded where {t} is expected"],
            )
        if t == "InputFile":
            return v, [] if isinstance(v, str) and v.startswith("attach://") else [f"{where}: expected a file"]
        if isinstance(v, str) and t != "String" and (form or t not in SIMPLE):  # form fields are strings
            with contextlib.suppress(ValueError):
                v = json.loads(v)
        if t in SIMPLE:
            return v, [] if SIMPLE[t](v) else [f"{where}: expected {t}, got {v!r:.60}"]
        if t.startswith("Array of "):
            if not isinstance(v, list):
                return v, [f"{where}: can't parse {t} (got {v!r:.60})"]
            pairs = [self._fit([t.removeprefix("Array of ")], x, f"{where}[{i}]") for i, x in enumerate(v)]
            return [p[0] for p in pairs], [e for p in pairs for e in p[1]]
        return self._object(t, v, where)

    def _object(self, tname: str, v: Any, where: str) -> tuple[Any, list[str]]:
        spec, disc = self.spec["types"].get(tname, {}), self.spec["discriminators"]
        if spec.get("subtypes"):  # e.g. BotCommandScope: prefer the subtype whose "type" matches
            fitting = [
                t
                for t in spec["subtypes"]
                if isinstance(v, dict) and disc.get(t) and all(v.get(k) == want for k, want in disc[t].items())
            ]
            return self._fit(fitting or spec["subtypes"], v, where)
        if not isinstance(v, dict):
            return v, [f"{where}: can't parse {tname} JSON object (got {v!r:.60})"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        if not fields:
            return v, []
        errs = [
            f"{where}: missing required field '{n}' of {tname}"
            for n, f in fields.items()
            if f["required"] and n not in v
        ]
        errs += [f"{where}: unknown field '{k}' in {tname}" for k in v if k not in fields]
        out = dict(v)
        for k in [k for k in v if k in fields]:
            out[k], e = self._fit(fields[k]["types"], v[k], f"{where}.{k}")
            errs += e
        errs += [
            f"{where}.{k}: must be {want!r} in {tname}"
            for k, want in disc.get(tname, {}).items()
            if k in out and out[k] != want
        ]
        return out, errs + self._object_limits(tname, out, where)

    @staticmethod
    def _object_limits(tname: str, o: dict[str, Any], where: str) -> list[str]:
        errs = []
        if tname in ("InlineKeyboardButton", "KeyboardButton") and not str(o.get("text", "x")).strip():
            errs.append(f"{where}: button text is empty")
        if tname == "InlineKeyboardButton":
            size = len(str(o.get("callback_data", "x")).encode())
            if not 1 <= size <= 64:
                errs.append(f"{where}.callback_data: BUTTON_DATA_INVALID (must be 1-64 bytes, got {size})")
            if len(actions := [k for k in o if k not in ("text", "icon_custom_emoji_id", "style")]) != 1:
                errs.append(f"{where}: an inline button needs exactly one action field, got {actions}")
        if tname == "BotCommand" and not re.fullmatch(r"[a-z0-9_]{1,32}", str(o.get("command", "x"))):
            errs.append(f"{where}.command: BOT_COMMAND_INVALID ({o['command']!r}: 1-32 of a-z, 0-9, _)")
        if tname == "BotCommand" and not 1 <= len(str(o.get("description", "x")).strip()) <= 256:
            errs.append(f"{where}.description: BOT_COMMAND_DESCRIPTION_INVALID (must be 1-256 characters)")
        return errs

    @staticmethod
    def _method_limits(method: str, p: dict[str, Any]) -> list[str]:
        errs = []
        for key, limit in (("text", 4096), ("caption", 1024)):
            if isinstance(p.get(key), str) and method != "answerCallbackQuery":
                plain, err = _plain_text(p[key], p.get("parse_mode"))
                if err:
                    errs.append(err)
                elif key == "text" and not plain.strip():
                    errs.append("message text is empty")
                elif len(plain) > limit:
                    errs.append(f"message {'is' if key == 'text' else 'caption is'} too long ({len(plain)} > {limit})")
        if method == "editMessageText" and "text" not in p and "rich_message" not in p:
            errs.append("message text is empty")
        if (
            method.startswith("editMessage")
            and "inline_message_id" not in p
            and not p.keys() >= {"chat_id", "message_id"}
        ):
            errs.append("message identifier is not specified (chat_id and message_id)")
        if method == "answerCallbackQuery" and len(str(p.get("text", ""))) > 200:
            errs.append(f"callback answer text is too long ({len(p['text'])} > 200 characters)")
        if method == "setMyCommands" and len(p.get("commands") or []) > 100:
            errs.append("too many commands (at most 100)")
        return errs

    # --- what each method does ---------------------------------------------------------------
    def _record(self, method: str, msg: dict, p: dict[str, Any], document: dict | None = None) -> None:
        markup = p.get("reply_markup") if isinstance(p.get("reply_markup"), dict) else None
        self._sent.setdefault(msg["chat"]["id"], []).append(
            SentMessage(
                msg["message_id"], msg["chat"]["id"], method, p.get("text", p.get("caption")), markup, document, p
            )
        )
        self._wake("_sent_wake")

    def _new_message(self, p: dict[str, Any], **content: Any) -> dict[str, Any]:
        msg = {
            "message_id": self._mid(p["chat_id"]),
            "from": self.bot_user,
            "chat": self._chat(p["chat_id"]),
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        if isinstance(p.get("reply_markup"), dict) and "inline_keyboard" in p["reply_markup"]:
            msg["reply_markup"] = p["reply_markup"]  # Telegram echoes inline keyboards only
        self._store[(p["chat_id"], msg["message_id"])] = msg
        return msg

    def _edit(self, method: str, p: dict[str, Any]) -> Any:
        if "inline_message_id" in p:
            return True
        if (old := self._store.get((p["chat_id"], p["message_id"]))) is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        new = {k: v for k, v in old.items() if k != "reply_markup"}  # no reply_markup removes the keyboard
        if isinstance(p.get("reply_markup"), dict) and p["reply_markup"].get("inline_keyboard"):
            new["reply_markup"] = p["reply_markup"]
        new.update({k: p[k] for k in ("text", "caption") if k in p})
        if new == old and method in ("editMessageText", "editMessageCaption", "editMessageReplyMarkup"):
            raise ApiError(400, NOT_MODIFIED)
        self._store[(p["chat_id"], p["message_id"])] = new = {**new, "edit_date": int(time.time())}
        if method == "editMessageText":
            self._record(method, new, p)
        return new

    async def _handle(self, method: str, spec: dict, p: dict[str, Any], http: HttpRequest) -> Any:
        scope_key = json.dumps([p.get("scope"), p.get("language_code")], sort_keys=True)
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return await self._get_updates(p, http)
        if method in ("deleteWebhook", "setWebhook"):
            self._webhook = p.get("url", "")
            self._queue = [] if p.get("drop_pending_updates") else self._queue
        elif method == "getWebhookInfo":
            return {"url": self._webhook, "has_custom_certificate": False, "pending_update_count": len(self._queue)}
        elif method == "getChat":
            return {**self._dummy("ChatFullInfo"), **self._chat(p["chat_id"])}
        elif method == "setMyCommands":
            self._commands[scope_key] = p["commands"]
        elif method == "getMyCommands":
            return self._commands.get(scope_key, [])
        elif method == "deleteMyCommands":
            self._commands.pop(scope_key, None)
        elif method == "answerCallbackQuery" and p["callback_query_id"] not in self._callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        elif method == "deleteMessage" and self._store.pop((p["chat_id"], p["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        elif method.startswith("editMessage"):
            return self._edit(method, p)
        elif method == "sendDocument":
            doc = p["document"]
            doc = doc if isinstance(doc, dict) else {"file_id": doc, "file_name": None, "content": None}
            msg = self._new_message(
                p,
                caption=p.get("caption"),
                document=self._file(
                    "document", file_name=doc.get("file_name") or "document", file_size=len(doc["content"] or b"")
                ),
            )
            self._record(method, msg, p, document=doc)
            return msg
        elif method == "sendPhoto":
            photo = p["photo"]
            photo = photo if isinstance(photo, dict) else {"file_id": photo, "file_name": None, "content": None}
            size = self._file("photo", width=800, height=600, file_size=len(photo["content"] or b""))
            msg = self._new_message(p, caption=p.get("caption"), photo=[size])
            self._record(method, msg, p, document=photo)
            return msg
        elif spec["returns"][0] == "Message" and "chat_id" in p:
            msg = self._new_message(p, text=p.get("text"), caption=p.get("caption"))
            if method.startswith("send"):
                self._record(method, msg, p)
            return msg
        return True if spec["returns"][0] in ("Boolean", "True") else self._dummy(spec["returns"][0])

    def _dummy(self, t: str, depth: int = 0) -> Any:
        """A minimal object of type `t` made from the spec, for methods the fake doesn't model."""
        simple = {"Integer": 1, "String": "", "Boolean": False, "True": True, "Float": 0.0}
        if t.startswith("Array of ") or t in simple or depth > 4:
            return [] if t.startswith("Array of ") else simple.get(t)
        spec, disc = self.spec["types"].get(t, {}), self.spec["discriminators"].get(t, {})
        if spec.get("subtypes"):
            return self._dummy(spec["subtypes"][0], depth + 1)
        return {
            f["name"]: disc.get(f["name"]) or self._dummy(f["types"][0], depth + 1)
            for f in spec.get("fields", [])
            if f["required"]
        }

    async def _get_updates(self, p: dict[str, Any], http: HttpRequest) -> list[dict]:
        """Long polling: drop what `offset` confirms, then hold the call until updates or timeout."""
        if self._webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset", 0)
        self._queue = [u for u in self._queue if u["update_id"] >= offset] if offset >= 0 else self._queue[offset:]
        if "allowed_updates" in p:
            self._allowed = set(p["allowed_updates"]) or None
        self._poll_gen += 1
        gen = self._poll_gen
        self._wake("_poll_wake")  # a still pending older call is terminated, as Telegram does
        loop = asyncio.get_running_loop()
        deadline = loop.time() + p.get("timeout", 0)
        while True:
            if gen != self._poll_gen:
                if await http.is_disconnected():  # the client gave up (e.g. PTB stopping): nobody to tell
                    return []
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            ready = [u for u in self._queue if self._allowed is None or set(u) & self._allowed]
            if ready or loop.time() >= deadline or self._closing:
                return ready[: p.get("limit", 100)]
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._poll_wake.wait(), deadline - loop.time())
