"""Benchmark: one broadcast to many people through the real outbox, the real
python-telegram-bot sender and a local fake Bot API server.

    .venv/bin/python benchmarks/broadcast.py                 # 20,000 people, parts (a) and (b)
    .venv/bin/python benchmarks/broadcast.py --users 500 --part a --limit 100

``make bench`` runs it through ``run()``: 20,000 people at a limit of 1,000/s
(Telegram's paid broadcasts), then with the limit off.

(a) at a configured limit (``--limit``, messages/s): the achieved call rate
    over the limit. A 429 answer pauses all sending for what Telegram asks, as
    it must; that time is not the limiter's to use, so the rate is also given
    over the time not paused.
(b) with the limit off: the sender's own ceiling in messages/s and its CPU
    time per message (this process only: the fake server runs in another).

Both with a share of the sends answered 429 and a share of the people
answered 403 (they blocked the bot), and both report lost and duplicated
deliveries, counted by the fake server against the people it did not block.

The broadcast is created as staff create it (the /broadcast conversation
through the engine), so queueing 20,000 rows is part of what runs.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import ApplicationBuilder

from benchmarks import Figure
from bot.config import FREE_BROADCAST_RATE, load_settings
from bot.flows.engine import Incoming
from bot.handlers.telegram.channel import TelegramSender
from bot.handlers.telegram.request import AiohttpRequest
from bot.messages import InputKind, Reply, UserInput
from bot.outbox.broadcast_monitor import BroadcastMonitor
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime, open_runtime, outbox_concurrency
from storage import alerts, broadcasts, users

FAKE_SERVER = Path(__file__).resolve().parent / "fake_bot_api.py"
STAFF = "999"
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrst"


@dataclass(frozen=True)
class Figures:
    part: str
    limit: float
    calls: int
    delivered: int
    span: float
    paused: float
    cpu: float
    lost: int
    duplicated: int
    answers: dict[str, int]
    paid: int
    edits: int

    def lines(self) -> list[str]:
        rate = self.calls / self.span if self.span else 0.0
        unpaused = max(self.span - self.paused, 1e-9)
        out = [
            f"part ({self.part}): limit {'off' if math.isinf(self.limit) else f'{self.limit:g}/s'}",
            f"  API calls {self.calls} ({', '.join(f'{k}: {v}' for k, v in sorted(self.answers.items()))}), "
            f"delivered {self.delivered}, progress edits {self.edits}, sent as paid broadcasts {self.paid}",
            f"  sending took {self.span:.1f} s, of which paused by 429 answers {self.paused:.1f} s",
            f"  rate {rate:.0f} calls/s overall, {self.calls / unpaused:.0f} calls/s while not paused",
        ]
        if not math.isinf(self.limit):
            out.append(
                f"  achieved / limit: {self.calls / unpaused / self.limit:.3f} (while not paused), {rate / self.limit:.3f} overall"
            )
        out.append(
            f"  CPU {self.cpu:.1f} s in the sending process: {self.cpu / max(self.calls, 1) * 1000:.2f} ms per message"
        )
        out.append(f"  lost deliveries {self.lost}, duplicated deliveries {self.duplicated}")
        return out


class StaffChat:
    """The staff member's side of /broadcast, through the engine as a channel would."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.last: list[Reply] = []

    async def send(self, inp: UserInput) -> None:
        incoming = Incoming("telegram", STAFF, STAFF, inp, "Staff", "en")
        self.last = (await self.runtime.engine.handle(incoming)).replies

    async def press(self, key: str) -> None:
        prompt = [r for r in self.last if r.options][-1]
        await self.send(UserInput(InputKind.OPTION, key, token=None if prompt.menu else prompt.token))


async def _people(runtime: Runtime, count: int) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        for n in range(count):
            user, _ = await users.get_or_create(tx, "telegram", str(100_000 + n), str(100_000 + n), None, now)
            await alerts.set_alerts(tx, user.id, True, now)


async def _broadcast(runtime: Runtime) -> int:
    staff = StaffChat(runtime)
    await staff.send(UserInput.parse_text("/start"))
    await staff.press("en")
    await staff.send(UserInput.parse_text("/broadcast"))
    await staff.press("text")
    await staff.send(UserInput.parse_text("The ICT job fair is on Friday at 10:00. Bring your CV!"))
    await staff.press("everyone")
    await staff.press("submit")
    assert "is on its way" in staff.last[0].text, staff.last[0].text
    async with runtime.db.reading() as conn:
        return (await broadcasts.list_all(conn))[0].id


def _start_fake(args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            str(FAKE_SERVER),
            "--too-many",
            str(args.too_many),
            "--blocked",
            str(args.blocked),
            "--retry-after",
            str(args.retry_after),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError("the fake Bot API server did not start")
    return process, f"http://127.0.0.1:{line.split()[1]}"


async def run_part(part: str, limit: float, args: argparse.Namespace) -> Figures:
    fake, url = _start_fake(args)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base = load_settings(environ={}, env_file=None)
            settings = replace(
                base,
                database_path=Path(tmp) / "bench.sqlite3",
                staff_telegram_ids=frozenset({int(STAFF)}),
                telegram_token=TOKEN,
                telegram_api_url=f"{url}/bot",
                outbox_rate_per_second=min(limit, 1000.0),
            )
            async with open_runtime(settings) as runtime:
                await _people(runtime, args.users)
                broadcast_id = await _broadcast(runtime)
                return await _send(part, limit, runtime, broadcast_id, url, args)
    finally:
        fake.kill()
        fake.wait()
        for pipe in (fake.stdin, fake.stdout):
            if pipe is not None:
                pipe.close()


async def _send(
    part: str, limit: float, runtime: Runtime, broadcast_id: int, url: str, args: argparse.Namespace
) -> Figures:
    request = AiohttpRequest()  # as in production: the bot's client, text sent as form fields
    application = ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot").request(request).build()
    async with application:
        sender = TelegramSender(application.bot, limit > FREE_BROADCAST_RATE, request)
        limiter = RateLimiter(limit, runtime.settings.outbox_per_chat_interval)
        worker = OutboxWorker(
            runtime.db,
            runtime.clock,
            runtime.settings,
            runtime.engine.registry,
            {"telegram": sender},
            limiter,
            concurrency=outbox_concurrency(limit),
        )
        monitor = BroadcastMonitor(runtime.db, runtime.clock, runtime.settings, {"telegram": sender}, limiter)
        cpu = time.process_time()
        tasks = [asyncio.create_task(worker.run_forever()), asyncio.create_task(monitor.run_forever())]
        while True:
            await asyncio.sleep(0.2)
            async with runtime.db.reading() as conn:
                if (await broadcasts.delivery_counts(conn, broadcast_id)).remaining == 0:
                    break
        cpu = time.process_time() - cpu
        worker.stop()
        monitor.stop()
        await asyncio.gather(*tasks)
    async with httpx.AsyncClient() as client:
        stats = (await client.get(f"{url}/stats")).json()
    async with runtime.db.reading() as conn:
        counts = await broadcasts.delivery_counts(conn, broadcast_id)
    delivered: dict[str, int] = stats["delivered"]
    blocked = {str(100_000 + n) for n in range(args.users) if _blocked(100_000 + n, args.blocked)}
    wanted = {str(100_000 + n) for n in range(args.users)} - blocked
    lost = len([chat for chat in wanted if delivered.get(chat, 0) == 0])
    duplicated = len([chat for chat, n in delivered.items() if chat != STAFF and n > 1])
    if counts.sent != len([c for c in delivered if c != STAFF]) or counts.unreachable != len(blocked):
        raise AssertionError(
            f"the outbox and the server disagree: {counts} vs {len(delivered)} delivered, {len(blocked)} blocked"
        )
    answers = stats["answers"]
    return Figures(
        part,
        limit,
        sum(answers.values()),
        counts.sent,
        stats["send_span"],
        limiter.paused_seconds,
        cpu,
        lost,
        duplicated,
        answers,
        stats["paid"],
        stats["edits"],
    )


def _blocked(chat_id: int, share: float) -> bool:
    """The fake server's choice of who blocked the bot (same formula as benchmarks/fake_bot_api.py)."""
    return (chat_id * 2654435761) % 1000 < share * 1000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    parser.add_argument(
        "--limit", type=float, default=1000.0, help="the configured limit of part (a), messages/s (at most 1,000)"
    )
    parser.add_argument("--too-many", type=float, default=0.05, help="share of sends answered 429")
    parser.add_argument("--blocked", type=float, default=0.10, help="share of people answered 403")
    parser.add_argument(
        "--retry-after",
        type=float,
        default=0.05,
        help="seconds a 429 asks to wait (Telegram asks whole seconds; see docs/openings.md)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.limit <= 1000:
        parser.error("--limit must be between 0 and 1,000 messages/s")
    return args


async def amain(args: argparse.Namespace) -> list[Figures]:
    parts = [("a", args.limit), ("b", math.inf)]
    results = []
    for part, limit in parts:
        if args.part in (part, "both"):
            figures = await run_part(part, limit, args)
            print("\n".join(figures.lines()), flush=True)
            results.append(figures)
    return results


TARGET_SHARE = 0.95


def figures(results: list[Figures], users: int) -> list[Figure]:
    """The parts' results as ``make bench`` figures, each with its target."""
    out: list[Figure] = []
    for r in results:
        unpaused = max(r.span - r.paused, 1e-9)
        rate = r.calls / unpaused
        if math.isinf(r.limit):
            out.append(
                Figure(f"Broadcast to {users:,}, limit off: sender ceiling while not paused", rate, "messages/s")
            )
        else:
            share = rate / r.limit
            name = f"Broadcast to {users:,} at {r.limit:,.0f}/s (5% 429, 10% 403): achieved / limit while not paused"
            out.append(Figure(name, share, "", f">= {TARGET_SHARE}", share >= TARGET_SHARE))
            out.append(
                Figure(
                    "  same, overall (every 429 pauses all sending)", r.calls / r.span if r.span else 0.0, "messages/s"
                )
            )
        label = "limit off" if math.isinf(r.limit) else f"{r.limit:,.0f}/s"
        out.append(Figure(f"  CPU per message in the sending process ({label})", 1000 * r.cpu / max(r.calls, 1), "ms"))
        out.append(
            Figure(
                f"  lost / duplicated deliveries ({label})", r.lost + r.duplicated, "", "0", r.lost + r.duplicated == 0
            )
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    out.append(Figure(f"Broadcast to {users:,}: peak resident memory of the sending process", peak, "MB"))
    return out


def run(quick: bool) -> list[Figure]:
    args = parse_args(["--users", "300"] if quick else [])
    return figures(asyncio.run(amain(args)), args.users)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"broadcast to {args.users} people; {args.too_many:.0%} of sends answered 429 (retry after {args.retry_after:g} s), "
        f"{args.blocked:.0%} of people answered 403"
    )
    results = asyncio.run(amain(args))
    return 0 if all(f.lost == 0 and f.duplicated == 0 for f in results) else 1


if __name__ == "__main__":
    sys.exit(main())
