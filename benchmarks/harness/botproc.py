"""The bot under test, in a process of its own, so its CPU time and memory are its own.

Child side (``python -m benchmarks.harness.botproc bot|baseline ...``): runs the
real bot (``bot.handlers.telegram.channel.serve``: python-telegram-bot Application,
SQLite, catalogs) or the baseline (a bare python-telegram-bot Application
that answers every update with one message) against the fake Bot API. It
reads commands on standard input, one a line: ``stats`` answers with a JSON
line of its CPU seconds (all threads) and resident memory; ``stop`` ends it.

Parent side: :class:`BotProcess` starts one and asks it for those figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from benchmarks.harness.fake_api import TOKEN

REPO = Path(__file__).resolve().parents[2]
STAFF_ID = 424242  # one staff member, as in production: each application queues a notice


@dataclass(frozen=True)
class Stats:
    cpu: float  # seconds of CPU, user + system, every thread of the process
    rss: int  # resident memory now, bytes


def resident_bytes() -> int:
    """Current resident set size (Linux /proc); elsewhere the peak, which is all there is."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


# --- child side ------------------------------------------------------------------------------


def _listen(protocol: IO[str], loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Answer the parent's commands from a thread, so a busy event loop does not delay them."""
    for line in sys.stdin:
        command = line.strip()
        if command == "stats":
            protocol.write(json.dumps({"cpu": time.process_time(), "rss": resident_bytes()}) + "\n")
            protocol.flush()
        elif command == "stop":
            break
    loop.call_soon_threadsafe(stop.set)


BROADCAST_FIRST_CHAT = 50_000_000  # broadcast recipients: chats no simulated user has
BROADCAST_RATE = 1000  # messages/s: Telegram's paid broadcasts


async def _plan_broadcast(runtime: Any, people: int, after: float) -> None:
    """``people`` bulk rows due ``after`` seconds from now, as a broadcast queues them: the
    worker's scheduler wakes it then, and it sends them at the configured rate."""
    from datetime import timedelta

    from storage import outbox

    now = runtime.clock.now()
    rows = [
        outbox.NewMessage(
            channel="telegram",
            chat_id=str(BROADCAST_FIRST_CHAT + n),
            user_id=None,
            kind="benchmark_broadcast",  # no renderer: the text in the payload goes out as it is
            payload={"text": "The ICT job fair is on Friday at 10:00. Bring your CV!"},
            not_before=now + timedelta(seconds=after),
            bulk=True,
        )
        for n in range(people)
    ]
    async with runtime.db.transaction() as tx:
        await outbox.enqueue_many(tx, rows, now)


async def _run_bot(
    api_url: str, workdir: Path, concurrency: int, stop: asyncio.Event, broadcast: int = 0, broadcast_in: float = 0.0
) -> None:
    from bot.config import load_settings
    from bot.handlers.telegram.channel import serve
    from bot.logs import setup_logging
    from bot.runtime import open_runtime, settle_garbage_collector

    settings = load_settings(
        environ={
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_PATH": str(workdir / "bot.sqlite3"),
            "STAFF_TELEGRAM_IDS": str(STAFF_ID),
            "LOG_LEVEL": "WARNING",
            **({"OUTBOX_RATE_PER_SECOND": str(BROADCAST_RATE)} if broadcast else {}),
        },
        env_file=None,
    )
    setup_logging(settings)
    async with open_runtime(settings) as runtime:  # as bot.runtime.run_until_signalled does
        settle_garbage_collector()
        if broadcast:
            await _plan_broadcast(runtime, broadcast, broadcast_in)
        await serve(runtime, stop, concurrent_updates=concurrency)


async def _run_baseline(api_url: str, concurrency: int, http: str, stop: asyncio.Event) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, "Thanks!")

    from bot.handlers.telegram.request import AiohttpRequest

    lean = AiohttpRequest()

    async def answer_as_the_bot(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The Bot API calls the bot makes for an update, without its work in between: every
        button press answered, then one message, both as the bot's lean JSON calls."""
        if update.callback_query is not None:
            await lean.call(
                context.bot.base_url, "answerCallbackQuery", {"callback_query_id": update.callback_query.id}
            )
        if update.effective_chat is not None:
            await lean.call(
                context.bot.base_url, "sendMessage", {"chat_id": update.effective_chat.id, "text": "Thanks!"}
            )

    logging.basicConfig(level=logging.WARNING)
    builder = ApplicationBuilder().token(TOKEN).base_url(api_url)
    if http in ("aiohttp", "bot-calls"):  # the bot's own client, to tell the framework's cost from the client's
        builder = builder.request(lean).get_updates_request(AiohttpRequest(connection_pool_size=1))
    application = builder.concurrent_updates(concurrency if concurrency > 1 else False).build()
    application.add_handler(TypeHandler(Update, answer_as_the_bot if http == "bot-calls" else answer))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=["message", "callback_query"])
        await stop.wait()
        await application.updater.stop()
        await application.stop()


async def _child(args: argparse.Namespace, protocol: IO[str]) -> None:
    stop = asyncio.Event()
    threading.Thread(target=_listen, args=(protocol, asyncio.get_running_loop(), stop), daemon=True).start()
    if args.kind == "bot":
        await _run_bot(args.api_url, Path(args.workdir), args.concurrency, stop, args.broadcast, args.broadcast_in)
    else:
        await _run_baseline(args.api_url, args.concurrency, args.http, stop)


def child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["bot", "baseline"])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--concurrency", type=int, default=1, help="updates handled at once (1: one by one)")
    parser.add_argument(
        "--profile", help="profile the whole run into this file: pyinstrument text, or cProfile if it ends in .pstats"
    )
    parser.add_argument(
        "--http",
        choices=["httpx", "aiohttp", "bot-calls"],
        default="httpx",
        help="the baseline's HTTP client; bot-calls: on aiohttp, making the bot's calls (button presses answered)",
    )
    parser.add_argument("--broadcast", type=int, default=0, help="the bot also sends a broadcast to this many people")
    parser.add_argument("--broadcast-in", type=float, default=0.0, help="seconds after start-up the broadcast is due")
    args = parser.parse_args(argv)
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printed goes to the log, not into the protocol
    if args.profile:
        _profiled(args, protocol)
    else:
        asyncio.run(_child(args, protocol))


def _profiled(args: argparse.Namespace, protocol: IO[str]) -> None:
    """Run under cProfile (a ``.pstats`` file: exact call counts) or pyinstrument (a text file)."""
    if args.profile.endswith(".pstats"):
        import cProfile

        with cProfile.Profile() as cprofile:
            asyncio.run(_child(args, protocol))
        cprofile.dump_stats(args.profile)
        return
    try:
        from pyinstrument import Profiler
        from pyinstrument.renderers import ConsoleRenderer
    except ImportError:
        raise SystemExit("a text profile needs pyinstrument: pip install -e '.[bench]'") from None
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    try:
        asyncio.run(_child(args, protocol))
    finally:
        profiler.stop()
        flat = profiler.output(ConsoleRenderer(unicode=True, flat=True, show_all=True))
        tree = profiler.output(ConsoleRenderer(unicode=True, show_all=False, short_mode=False))
        Path(args.profile).write_text(flat + "\n" + tree, encoding="utf-8")


# --- parent side -----------------------------------------------------------------------------


class BotProcess:
    """Start the bot (or the baseline) in a child process; ask it for CPU time and memory."""

    def __init__(
        self,
        kind: str,
        api_url: str,
        workdir: Path,
        concurrency: int = 1,
        profile: Path | None = None,
        http: str = "httpx",
        broadcast: tuple[int, float] = (0, 0.0),
    ) -> None:
        self.kind = kind
        self.broadcast = broadcast
        self.http = http
        self.api_url = api_url
        self.workdir = workdir
        self.concurrency = concurrency
        self.profile = profile
        self._process: asyncio.subprocess.Process | None = None
        self._log: Any = None

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.kind}.log"

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "benchmarks.harness.botproc",
            self.kind,
            "--api-url",
            self.api_url,
            "--workdir",
            str(self.workdir),
            "--concurrency",
            str(self.concurrency),
            "--http",
            self.http,
            "--broadcast",
            str(self.broadcast[0]),
            "--broadcast-in",
            str(self.broadcast[1]),
        ]
        if self.profile is not None:
            command += ["--profile", str(self.profile.resolve())]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self._process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=self._log, cwd=REPO, env=env
        )

    async def stats(self) -> Stats:
        process = self._require()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"stats\n")
        await process.stdin.drain()
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        if not line:
            raise RuntimeError(f"the {self.kind} process ended; see {self.log_path}:\n{self.log_tail()}")
        data = json.loads(line)
        return Stats(cpu=float(data["cpu"]), rss=int(data["rss"]))

    async def stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            assert process.stdin is not None
            try:
                process.stdin.write(b"stop\n")
                await process.stdin.drain()
                await asyncio.wait_for(process.wait(), 30)
            except (TimeoutError, ConnectionError):
                process.kill()
                await process.wait()
        if self._log is not None:
            self._log.close()
        self._process = None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _require(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("the process is not started")
        return self._process

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


if __name__ == "__main__":
    child_main()
