"""A fake Telegram Bot API server for end-to-end tests.

The real python-telegram-bot talks HTTP to this server (``base_url=fake.base_url``), so the
whole stack — request encoding, polling, error mapping — is exercised without the network.
Every request is checked against the official Bot API description (api.json) so that a call
Telegram would reject fails the test here too, instead of in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import re
import socket
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse
from starlette.routing import Route

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "shared" / "telegram-bot-api" / "api.json"
SIMPLE_TYPES = {"String", "Integer", "Float", "Boolean", "True"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
             "a", "tg-emoji", "code", "pre", "blockquote", "tg-time"}
HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|<")
BLOCKED = "Forbidden: bot was blocked by the user"
SENT_METHODS = {"sendMessage", "sendDocument", "editMessageText"}  # others: any send* returning Message


@dataclass
class TgUser:
    """A Telegram user who talks to the bot; in a private chat, chat id == user id."""
    id: int
    first_name: str = "Test"
    language_code: str | None = None
    username: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        d.update({k: v for k, v in (("language_code", self.language_code),
                                    ("username", self.username)) if v is not None})
        return d


@dataclass
class SentMessage:
    """Something the bot showed in a chat (a sent or edited message), for assertions."""
    message_id: int
    chat_id: int
    method: str
    text: str | None
    reply_markup: dict | None
    document: dict | None = None
    params: dict[str, Any] = field(default_factory=dict)  # the full decoded request

    def button_rows(self) -> list[list[dict]]:
        rm = self.reply_markup or {}
        rows = rm.get("inline_keyboard") or rm.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    def buttons(self) -> list[dict]:
        return [b for row in self.button_rows() for b in row]

    def button(self, label_contains: str) -> dict:
        for b in self.buttons():
            if label_contains in b.get("text", ""):
                return b
        labels = [b.get("text") for b in self.buttons()]
        raise AssertionError(f"no button containing {label_contains!r} in {labels} (text {self.text!r})")


@dataclass
class Request:
    """One API call received; `status` is the HTTP status the fake answered with."""
    method: str
    params: dict[str, Any]
    time: float
    status: int = 200


@dataclass
class Upload:
    file_name: str
    content: bytes
    mime_type: str | None


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int


class ApiError(Exception):
    """An error answer; `violation` marks requests Telegram itself would reject as malformed."""

    def __init__(self, status: int, description: str, violation: bool = False, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.violation, self.parameters = status, description, violation, parameters


class _QuietServer(uvicorn.Server):
    """uvicorn would otherwise take over Ctrl-C of the whole pytest process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@lru_cache
def _load_spec(path: str) -> dict[str, Any]:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    spec["by_lower"] = {name.lower(): m for name, m in spec["methods"].items()}
    disc: dict[str, dict[str, str]] = {}  # e.g. BotCommandScopeChat.type must be "chat"
    for tname, t in spec["types"].items():
        for f in t.get("fields", []):
            m = re.search(r'(?:must be|always) ["“]?([a-z_]+)["”]?\.?$', f["description"])
            if m:
                disc.setdefault(tname, {})[f["name"]] = m.group(1)
    spec["discriminators"] = disc
    return spec


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Stdlib multipart parser (starlette's needs python-multipart, which the bot doesn't)."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise ApiError(400, "Bad Request: multipart boundary missing", violation=True)
    out: dict[str, Any] = {}
    for part in body.split(b"--" + m.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = head.decode("utf-8", "replace")
        name, fname = re.search(r'\bname="([^"]*)"', headers), re.search(r'\bfilename="([^"]*)"', headers)
        ctype = re.search(r"(?im)^content-type:\s*(\S+)", headers)
        content = content.removesuffix(b"\r\n")
        if name:
            out[name.group(1)] = (Upload(fname.group(1), content, ctype and ctype.group(1)) if fname
                                  else content.decode("utf-8"))
    return out


def _html_plain(text: str) -> tuple[str, str | None]:
    """Text after Telegram's HTML parsing, or the parse error Telegram would give."""
    out, stack, pos = [], [], 0
    for m in HTML_TOKEN.finditer(text):
        out.append(text[pos:m.start()])
        pos = m.end()
        if m.group(2):
            name = m.group(2).lower()
            if name not in HTML_TAGS:
                return "", f"can't parse entities: Unsupported start tag \"{name}\" at offset {m.start()}"
            if not m.group(1):
                stack.append(name)
            elif not stack or stack.pop() != name:
                return "", f"can't parse entities: Unmatched end tag \"{name}\" at offset {m.start()}"
        elif m.group(4):
            out.append(html.unescape(m.group(0)))
        else:
            return "", f"can't parse entities: unescaped '<' at offset {m.start()} (use &lt;)"
    if stack:
        return "", f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
    return "".join(out) + text[pos:], None


def _plain_text(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _html_plain(text)
    if mode == "markdownv2":
        s = re.sub(r"\\.", "", text, flags=re.S)
        s = re.sub(r"\]\([^)]*\)", "]", re.sub(r"```.*?```|`[^`]*`", "", s, flags=re.S))
        bad = re.search(r"[#+\-={}.!()]", s)
        if bad:
            return "", f"can't parse entities: Character '{bad.group()}' is reserved and must be escaped with the preceding '\\'"
        return re.sub(r"\\(.)", r"\1", text, flags=re.S), None
    return text, None if mode in ("", "markdown") else f"unsupported parse_mode {parse_mode!r}"


class FakeTelegram:
    """In-process Bot API server: users' actions go in as updates, the bot's calls are recorded."""

    def __init__(self, token: str = "123456:TEST-token-abcdefghijklmnop", bot_username: str = "youthbot_test_bot",
                 spec_path: Path | None = None) -> None:
        self.token, self.bot_id = token, int(token.split(":")[0])
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "Youth Bot", "username": bot_username,
                         "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.spec = _load_spec(str(spec_path or os.environ.get("TELEGRAM_API_SPEC") or DEFAULT_SPEC))
        self.base_url = ""
        self.violations: list[str] = []  # malformed requests: a fixture should fail the test on any
        self.errors: list[str] = []      # every non-2xx answer (violations, injected failures, 409...)
        self.requests: list[Request] = []
        self._queue: list[dict] = []
        self._update_id, self._poll_gen, self._allowed = 1000, 0, None
        self._next_id: dict[Any, int] = {}
        self._store: dict[tuple[Any, int], dict] = {}  # current state of every message, per chat
        self._sent: dict[Any, list[SentMessage]] = {}
        self._cursor: dict[Any, int] = {}
        self._users: dict[int, TgUser] = {}
        self._failures: list[_Failure] = []
        self._blocked: set[Any] = set()
        self._callback_ids: set[str] = set()
        self._commands: dict[str, list] = {}
        self._webhook = ""
        self._poll_wake, self._sent_wake, self._closing = asyncio.Event(), asyncio.Event(), False
        self._server: _QuietServer | None = None
        self._task: asyncio.Task | None = None
        self._sock: socket.socket | None = None

    # --- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=2)
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/bot"

    async def stop(self) -> None:
        self._closing = True
        self._wake("_poll_wake")
        if self._server and self._task:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._task, 5)
        if self._sock:
            self._sock.close()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _wake(self, name: str) -> None:
        old = getattr(self, name)
        setattr(self, name, asyncio.Event())
        old.set()

    # --- users' actions -----------------------------------------------------------------
    def _mid(self, chat_id: Any) -> int:
        self._next_id[chat_id] = self._next_id.get(chat_id, 100) + 1
        return self._next_id[chat_id]

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, int) and chat_id > 0:
            user = self._users.get(chat_id)
            return {"id": chat_id, "type": "private", "first_name": user.first_name if user else "Test"}
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    def _enqueue(self, update: dict) -> int:
        if "update_id" not in update:
            self._update_id += 1
            update = {"update_id": self._update_id, **update}
        self._update_id = max(self._update_id, update["update_id"])
        if "callback_query" in update:
            self._callback_ids.add(str(update["callback_query"].get("id")))
        self._queue.append(update)
        self._wake("_poll_wake")
        return update["update_id"]

    def _user_message(self, user: TgUser, **content: Any) -> int:
        self._users[user.id] = user
        msg = {"message_id": self._mid(user.id), "from": user.as_dict(), "chat": self._chat(user.id),
               "date": int(time.time()), **content}
        self._store[(user.id, msg["message_id"])] = msg
        return self._enqueue({"message": msg})

    def send_text(self, user: TgUser, text: str) -> int:
        extra: dict[str, Any] = {}
        if text.startswith("/"):
            cmd = text.split(maxsplit=1)[0]
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd.encode("utf-16-le")) // 2}]
        return self._user_message(user, text=text, **extra)

    def send_contact(self, user: TgUser, phone: str, own: bool = True) -> int:
        return self._user_message(user, contact={"phone_number": phone, "first_name": user.first_name,
                                                 "user_id": user.id if own else user.id + 7_000_000})

    def _file(self, kind: str) -> dict[str, Any]:
        n = self._update_id + 1  # the update about to be enqueued: unique enough
        return {"file_id": f"{kind}-{n}", "file_unique_id": f"u{kind}{n}"}

    def send_sticker(self, user: TgUser) -> int:
        return self._user_message(user, sticker={**self._file("sticker"), "type": "regular", "width": 512,
                                                 "height": 512, "is_animated": False, "is_video": False})

    def send_photo(self, user: TgUser) -> int:
        return self._user_message(user, photo=[{**self._file("photo"), "width": 640, "height": 480}])

    def send_voice(self, user: TgUser) -> int:
        return self._user_message(user, voice={**self._file("voice"), "duration": 3})

    def send_location(self, user: TgUser) -> int:
        return self._user_message(user, location={"latitude": 42.6629, "longitude": 21.1655})

    def press_button(self, user: TgUser, message: SentMessage | None, data: str) -> int:
        """A callback query on `message` as it is now (after edits); None = a message from long ago."""
        self._users[user.id] = user
        if message is None:
            key = (user.id, 1)
            self._store.setdefault(key, {"message_id": 1, "from": self.bot_user, "chat": self._chat(user.id),
                                         "date": int(time.time()) - 7 * 86400, "text": "(old message)"})
        else:
            key = (message.chat_id, message.message_id)
        query = {"id": str(self._update_id + 1), "from": user.as_dict(), "chat_instance": f"ci{key[0]}",
                 "message": self._store[key], "data": data}
        return self._enqueue({"callback_query": query})

    def inject_raw_update(self, update: dict) -> int:
        return self._enqueue(dict(update))

    # --- what the bot did ---------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return list(self._sent.get(chat_id, []))

    async def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        """All messages to the chat since the last wait/clear, once there are at least `count`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            sent = self._sent.get(chat_id, [])
            new = sent[self._cursor.get(chat_id, 0):]
            if len(new) >= count:
                self._cursor[chat_id] = len(sent)
                return new
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} new message(s) to chat {chat_id} within {timeout}s, got "
                    f"{[(m.method, m.text) for m in new]}; violations={self.violations}; "
                    f"errors={self.errors[-5:]}; last calls={[r.method for r in self.requests[-10:]]}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._sent_wake.wait(), remaining)

    def clear(self, chat_id: int) -> None:
        self._sent[chat_id], self._cursor[chat_id] = [], 0

    def callback_answers(self) -> list[dict]:
        return [r.params for r in self.requests if r.method == "answerCallbackQuery" and r.status == 200]

    def fail_next(self, method: str, status: int, description: str, retry_after: int | None = None,
                  chat_id: int | None = None, times: int = 1) -> None:
        canonical = self.spec["by_lower"].get(method.lower())
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        self._failures.append(_Failure(canonical["name"], status, description, retry_after, chat_id, times))

    def block_user(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    # --- HTTP side ----------------------------------------------------------------------
    async def _endpoint(self, http: HttpRequest) -> JSONResponse:
        name, req = http.path_params["method"], None
        try:
            raw, form = await self._read_params(http)
            if http.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            spec = self.spec["by_lower"].get(name.lower())
            if spec is None:
                raise ApiError(400, f"Bad Request: unknown method {name!r}", violation=True)
            name = spec["name"]
            params, problems = self._validate(spec, raw, form)
            req = Request(name, params, time.time())
            self.requests.append(req)
            if problems:
                self.violations.extend(f"{name}: {p}" for p in problems)
                raise ApiError(400, f"Bad Request: {problems[0]}")
            self._maybe_fail(name, params)
            return JSONResponse({"ok": True, "result": await self._handle(name, spec, params)})
        except ApiError as e:
            if req is None:
                req = Request(name, {}, time.time())
                self.requests.append(req)
            req.status = e.status
            self.errors.append(f"{name}: {e.status} {e.description}")
            if e.violation:
                self.violations.append(f"{name}: {e.description}")
            body: dict[str, Any] = {"ok": False, "error_code": e.status, "description": e.description}
            if e.parameters:
                body["parameters"] = e.parameters
            return JSONResponse(body, status_code=e.status)

    async def _read_params(self, http: HttpRequest) -> tuple[dict[str, Any], bool]:
        body, ctype = await http.body(), http.headers.get("content-type", "")
        params: dict[str, Any] = dict(http.query_params)
        try:
            if ctype.startswith("application/json"):
                params.update(json.loads(body or b"{}"))
                return params, False
            if ctype.startswith("multipart/form-data"):
                params.update(_parse_multipart(body, ctype))
            elif body:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (ValueError, UnicodeDecodeError) as e:
            raise ApiError(400, f"Bad Request: can't parse request body: {e}", violation=True) from e
        return params, True

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        chat = params.get("chat_id")
        for f in self._failures:
            if f.method == method and f.times > 0 and f.chat_id in (None, chat):
                f.times -= 1
                extra = {"retry_after": f.retry_after} if f.retry_after is not None else {}
                raise ApiError(f.status, f.description, **extra)
        if chat is not None and chat in self._blocked:
            raise ApiError(403, BLOCKED)

    # --- validation ---------------------------------------------------------------------
    def _validate(self, spec: dict, raw: dict[str, Any], form: bool) -> tuple[dict[str, Any], list[str]]:
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems = [f"missing required field '{n}'" for n, f in fields.items() if f["required"] and n not in raw]
        problems += [f"unknown field '{k}'" for k in raw if k not in fields]
        params: dict[str, Any] = {}
        for k, v in raw.items():
            if k in fields:
                params[k], errs = self._fit_any(fields[k]["types"], v, k, form)
                problems += errs
            else:
                params[k] = v
        return params, problems + self._method_limits(spec["name"], params)

    def _fit_any(self, types: list[str], v: Any, where: str, form: bool) -> tuple[Any, list[str]]:
        """The value decoded by the first type it fits, or the errors of the closest type."""
        best: tuple[Any, list[str]] | None = None
        for t in types:
            decoded, errs = self._fit(t, v, where, form)
            if not errs:
                return decoded, []
            if best is None or len(errs) < len(best[1]):
                best = (decoded, errs)
        assert best is not None
        return best

    def _fit(self, t: str, v: Any, where: str, form: bool) -> tuple[Any, list[str]]:
        if isinstance(v, Upload):
            if t == "InputFile":
                return {"file_name": v.file_name, "content": v.content, "mime_type": v.mime_type}, []
            return v, [f"{where}: a file was uploaded where {t} is expected"]
        if t in SIMPLE_TYPES:
            if form and isinstance(v, str):
                if t == "Integer" and re.fullmatch(r"-?\d+", v):
                    v = int(v)
                elif t == "Float" and re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", v):
                    v = float(v)
                elif t in ("Boolean", "True") and v in ("true", "false"):
                    v = v == "true"
            ok = {"String": isinstance(v, str), "Integer": isinstance(v, int) and not isinstance(v, bool),
                  "Float": isinstance(v, (int, float)) and not isinstance(v, bool),
                  "Boolean": isinstance(v, bool), "True": v is True}[t]
            return v, [] if ok else [f"{where}: expected {t}, got {v!r:.60}"]
        if t == "InputFile":
            ok = isinstance(v, str) and v.startswith("attach://")
            return v, [] if ok else [f"{where}: expected an uploaded file"]
        if isinstance(v, str):
            try:
                v = json.loads(v)
            except ValueError:
                return v, [f"{where}: can't parse {t} JSON object"]
        if t.startswith("Array of "):
            if not isinstance(v, list):
                return v, [f"{where}: expected {t}"]
            out, errs = [], []
            for i, item in enumerate(v):
                decoded, e = self._fit_any([t.removeprefix("Array of ")], item, f"{where}[{i}]", False)
                out.append(decoded)
                errs += e
            return out, errs
        return self._object(t, v, where)

    def _object(self, tname: str, v: Any, where: str) -> tuple[Any, list[str]]:
        spec = self.spec["types"].get(tname)
        if spec is None:
            return v, []
        if spec.get("subtypes"):
            return self._fit_any(spec["subtypes"], v, where, False)
        if not isinstance(v, dict):
            return v, [f"{where}: expected a JSON object ({tname})"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        if not fields:
            return v, []
        errs = [f"{where}: missing required field '{n}' of {tname}" for n, f in fields.items()
                if f["required"] and n not in v]
        errs += [f"{where}: unknown field '{k}' in {tname}" for k in v if k not in fields]
        out = dict(v)
        for k in v:
            if k in fields:
                out[k], e = self._fit_any(fields[k]["types"], v[k], f"{where}.{k}", False)
                errs += e
        for k, want in self.spec["discriminators"].get(tname, {}).items():
            if k in out and out[k] != want:
                errs.append(f"{where}.{k}: must be {want!r} in {tname}")
        return out, errs + self._object_limits(tname, out, where)

    @staticmethod
    def _object_limits(tname: str, o: dict[str, Any], where: str) -> list[str]:
        errs = []
        if tname in ("InlineKeyboardButton", "KeyboardButton") and not str(o.get("text", "x")).strip():
            errs.append(f"{where}: button text is empty")
        if tname == "InlineKeyboardButton":
            if "callback_data" in o and not 1 <= len(str(o["callback_data"]).encode()) <= 64:
                errs.append(f"{where}.callback_data: BUTTON_DATA_INVALID (must be 1-64 bytes, "
                            f"got {len(str(o['callback_data']).encode())})")
            kinds = [k for k in o if k not in ("text", "icon_custom_emoji_id", "style")]
            if len(kinds) != 1:
                errs.append(f"{where}: an inline button needs exactly one action field, got {kinds}")
        if tname == "BotCommand":
            if "command" in o and not re.fullmatch(r"[a-z0-9_]{1,32}", str(o["command"])):
                errs.append(f"{where}.command: BOT_COMMAND_INVALID ({o['command']!r}: 1-32 of a-z, 0-9, _)")
            if "description" in o and not 1 <= len(str(o["description"]).strip()) <= 256:
                errs.append(f"{where}.description: BOT_COMMAND_DESCRIPTION_INVALID (1-256 characters)")
        return errs

    @staticmethod
    def _method_limits(method: str, p: dict[str, Any]) -> list[str]:
        errs = []
        for key, limit in (("text", 4096), ("caption", 1024)):
            value = p.get(key)
            if not isinstance(value, str) or method == "answerCallbackQuery":
                continue
            plain, err = _plain_text(value, p.get("parse_mode"))
            if err:
                errs.append(err)
            elif key == "text" and not plain.strip():
                errs.append("message text is empty")
            elif len(plain) > limit:
                errs.append(f"message {'is' if key == 'text' else 'caption is'} too long ({len(plain)} > {limit})")
        if method == "editMessageText" and "text" not in p and "rich_message" not in p:
            errs.append("message text is empty")
        if method.startswith("editMessage") and "inline_message_id" not in p and not (
                "chat_id" in p and "message_id" in p):
            errs.append("message identifier is not specified (chat_id and message_id)")
        if method == "answerCallbackQuery" and len(str(p.get("text", ""))) > 200:
            errs.append(f"callback answer text is too long ({len(p['text'])} > 200 characters)")
        if method == "setMyCommands" and isinstance(p.get("commands"), list) and len(p["commands"]) > 100:
            errs.append("too many commands (more than 100)")
        return errs

    # --- method behaviour ---------------------------------------------------------------
    def _dummy(self, t: str, depth: int = 0) -> Any:
        """A minimal object of type `t` built from the spec, for methods the fake doesn't model."""
        simple = {"Integer": 1, "String": "", "Boolean": False, "True": True, "Float": 0.0}
        if t.startswith("Array of ") or depth > 4:
            return [] if t.startswith("Array of ") else None
        if t in simple:
            return simple[t]
        spec = self.spec["types"].get(t, {})
        if spec.get("subtypes"):
            return self._dummy(spec["subtypes"][0], depth + 1)
        disc = self.spec["discriminators"].get(t, {})
        return {f["name"]: disc.get(f["name"]) or self._dummy(f["types"][0], depth + 1)
                for f in spec.get("fields", []) if f["required"]}

    def _record(self, method: str, msg: dict, params: dict[str, Any], document: dict | None = None) -> None:
        chat = msg["chat"]["id"]
        markup = params.get("reply_markup")
        self._sent.setdefault(chat, []).append(SentMessage(
            msg["message_id"], chat, method, params.get("text", params.get("caption")),
            markup if isinstance(markup, dict) else None, document, params))
        self._wake("_sent_wake")

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat = params["chat_id"]
        msg = {"message_id": self._mid(chat), "from": self.bot_user, "chat": self._chat(chat),
               "date": int(time.time()), **{k: v for k, v in content.items() if v is not None}}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram echoes inline keyboards only
            msg["reply_markup"] = markup
        self._store[(chat, msg["message_id"])] = msg
        return msg

    def _edit(self, method: str, p: dict[str, Any]) -> Any:
        if "inline_message_id" in p:
            return True
        msg = self._store.get((p["chat_id"], p["message_id"]))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        new = dict(msg)
        new.pop("reply_markup", None)
        if isinstance(p.get("reply_markup"), dict) and p["reply_markup"].get("inline_keyboard"):
            new["reply_markup"] = p["reply_markup"]
        if method == "editMessageText":
            new["text"] = p.get("text")
        elif method == "editMessageCaption":
            new["caption"] = p.get("caption")
        elif method != "editMessageReplyMarkup":
            new.update({k: v for k, v in p.items() if k not in ("chat_id", "message_id", "reply_markup")})
        if new == msg:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and "
                                "reply markup are exactly the same as a current content and reply markup of the message")
        new["edit_date"] = int(time.time())
        self._store[(p["chat_id"], p["message_id"])] = new
        if method in SENT_METHODS:
            self._record(method, new, p)
        return new

    async def _handle(self, method: str, spec: dict, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return await self._get_updates(p)
        if method in ("deleteWebhook", "setWebhook"):
            self._webhook = p.get("url", "")
            if p.get("drop_pending_updates"):
                self._queue.clear()
            return True
        if method == "getWebhookInfo":
            return {"url": self._webhook, "has_custom_certificate": False, "pending_update_count": len(self._queue)}
        scope_key = json.dumps([p.get("scope"), p.get("language_code")], sort_keys=True)
        if method == "setMyCommands":
            self._commands[scope_key] = p["commands"]
            return True
        if method == "getMyCommands":
            return self._commands.get(scope_key, [])
        if method == "deleteMyCommands":
            self._commands.pop(scope_key, None)
            return True
        if method == "answerCallbackQuery" and p["callback_query_id"] not in self._callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if method == "deleteMessage":
            if self._store.pop((p["chat_id"], p["message_id"]), None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
            return True
        if method.startswith("editMessage"):
            return self._edit(method, p)
        if spec["returns"][0] != "Message" or "chat_id" not in p:
            return True if spec["returns"][0] in ("Boolean", "True") else self._dummy(spec["returns"][0])
        if method == "sendDocument":
            doc = p["document"]
            upload = doc if isinstance(doc, dict) else {"file_name": None, "content": None, "file_id": doc}
            msg = self._new_message(p, caption=p.get("caption"), document={
                "file_id": f"doc-{len(self.requests)}", "file_unique_id": f"udoc{len(self.requests)}",
                "file_name": upload.get("file_name") or "document", "mime_type": upload.get("mime_type"),
                "file_size": len(upload.get("content") or b"")})
            self._record(method, msg, p, document=upload)
            return msg
        msg = self._new_message(p, text=p.get("text"), caption=p.get("caption"))
        if method.startswith("send"):
            self._record(method, msg, p)
        return msg

    async def _get_updates(self, p: dict[str, Any]) -> list[dict]:
        """Long polling: confirm by offset, then hold the request until updates or the timeout."""
        if self._webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = p.get("offset", 0)
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]
        if "allowed_updates" in p:
            self._allowed = set(p["allowed_updates"]) or None
        self._poll_gen += 1
        gen = self._poll_gen
        self._wake("_poll_wake")  # an older pending getUpdates gets 409, as in Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + p.get("timeout", 0)
        while True:
            if gen != self._poll_gen:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            ready = [u for u in self._queue if self._allowed is None or set(u) & self._allowed]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing:
                return ready[:p.get("limit", 100)]
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._poll_wake.wait(), remaining)
