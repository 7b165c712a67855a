"""A lean fake Bot API server for the broadcast benchmark, run as its own process.

tests/fake_telegram.py checks every request against the whole Bot API
description and runs inside the test's event loop: right for tests, but at
thousands of requests a second its checking would cost more CPU than the
sender it measures, and sharing the process would blur the sender's own CPU
time. This one answers only what a broadcast needs (getMe, sendMessage,
editMessageText), on plain asyncio streams with HTTP/1.1 keep-alive, in a
separate process, and counts what it delivered.

Failures, as the benchmark asks: a fixed share of the people "blocked the
bot" (every send to them is answered 403), and a share of all other sends is
answered 429 with ``retry_after``. ``GET /stats`` returns the counts as JSON.

    python benchmarks/fake_bot_api.py --too-many 0.05 --blocked 0.10 --retry-after 1
prints ``PORT <n>`` once it listens on 127.0.0.1, and exits when its standard
input closes (so it never outlives the benchmark that started it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from urllib.parse import parse_qsl

BOT = {"id": 123456, "is_bot": True, "first_name": "Bench Bot", "username": "bench_bot"}
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}


def _params(body: bytes) -> dict[str, str]:
    """The call's parameters, from a JSON body (the bot's lean calls) or form fields, as strings."""
    if body.startswith(b"{"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
    return dict(parse_qsl(body.decode()))


class FakeBotApi:
    def __init__(self, too_many: float, blocked: float, retry_after: float, seed: int) -> None:
        self.too_many = too_many
        self.blocked_share = blocked
        self.retry_after = retry_after
        self.random = random.Random(seed)
        self.delivered: Counter[int] = Counter()
        self.answers: Counter[int] = Counter()
        self.paid = 0
        self.edits = 0
        self.first_send: float | None = None
        self.last_send = 0.0
        self.message_id = 0

    def is_blocked(self, chat_id: int) -> bool:
        """The same people are blocked on every call (a hash of the chat id, not a die roll)."""
        return (chat_id * 2654435761) % 1000 < self.blocked_share * 1000

    def answer(self, method: str, params: dict[str, str]) -> tuple[int, dict[str, object]]:
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        if method == "stats":
            return 200, self.stats()
        chat_id = int(params.get("chat_id", "0"))
        now = time.monotonic()
        message = {
            "message_id": self.message_id + 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT,
            "text": params.get("text", ""),
        }
        if method == "editMessageText":
            self.edits += 1
            return 200, {"ok": True, "result": message}
        if method != "sendMessage":
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not faked"}
        self.first_send = now if self.first_send is None else self.first_send
        self.last_send = now
        if self.is_blocked(chat_id):
            self.answers[403] += 1
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if self.random.random() < self.too_many:
            self.answers[429] += 1
            wait = int(self.retry_after) if self.retry_after == int(self.retry_after) else self.retry_after
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {wait}",
                "parameters": {"retry_after": wait},
            }
        self.answers[200] += 1
        self.message_id += 1
        self.delivered[chat_id] += 1
        self.paid += params.get("allow_paid_broadcast") == "true"
        return 200, {"ok": True, "result": message}

    def stats(self) -> dict[str, object]:
        return {
            "delivered": {str(chat): n for chat, n in self.delivered.items()},
            "answers": {str(status): n for status, n in self.answers.items()},
            "paid": self.paid,
            "edits": self.edits,
            "send_span": (self.last_send - self.first_send) if self.first_send is not None else 0.0,
        }

    async def serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                path = request_line.split(b" ")[1].decode()
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                params = _params(body)
                status, payload = self.answer(path.rsplit("/", 1)[-1], params)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--too-many", type=float, default=0.05, help="share of sends answered 429")
    parser.add_argument("--blocked", type=float, default=0.10, help="share of people answered 403")
    parser.add_argument("--retry-after", type=float, default=1.0, help="seconds asked for in a 429 answer")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    api = FakeBotApi(args.too_many, args.blocked, args.retry_after, args.seed)
    server = await asyncio.start_server(api.serve_connection, "127.0.0.1", 0, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
