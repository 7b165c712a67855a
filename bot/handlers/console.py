"""``youthbot chat``: the same flows in a terminal, options as numbers.

Reads lines from standard input (typed or piped), so a whole conversation can
be scripted with ``printf``. Uses the same database as the real bot.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.cli.files import write_private
from bot.flows.engine import Incoming, Outcome
from bot.i18n import _, use_language
from bot.messages import InputKind, Reply, UserInput
from bot.runtime import Runtime

CHANNEL = "console"


class ConsoleChat:
    def __init__(self, runtime: Runtime, user: str, out: TextIO, download_dir: Path) -> None:
        self.runtime = runtime
        self.user = user
        self.out = out
        self.download_dir = download_dir
        self._last: list[tuple[str | None, str]] = []  # (token, key) by number shown

    def _to_input(self, line: str) -> UserInput:
        text = line.rstrip("\r\n")
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._last):
            token, key = self._last[int(stripped) - 1]
            return UserInput(InputKind.OPTION, key, token=token)
        return UserInput.parse_text(text)

    async def send(self, line: str) -> Outcome:
        outcome = await self.runtime.engine.handle(
            Incoming(CHANNEL, self.user, self.user, self._to_input(line), display_name=self.user)
        )
        self._render(outcome)
        return outcome

    def _render(self, outcome: Outcome) -> None:
        self._last = []
        for reply in outcome.replies:
            self._print_reply(reply)
        self.out.flush()

    def _print_reply(self, reply: Reply) -> None:
        print(f"bot> {reply.text}".replace("\n", "\n     "), file=self.out)
        if reply.document is not None:
            self.download_dir.mkdir(parents=True, exist_ok=True)
            path = self.download_dir / reply.document.filename
            write_private(path, reply.document.content)
            print(f"     [{path}]", file=self.out)
        for option in reply.options:
            self._last.append((None if reply.menu else reply.token, option.key))
            print(f"  {len(self._last)}. {option.label}", file=self.out)


async def run_console(runtime: Runtime, user: str, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    chat = ConsoleChat(runtime, user, out, Path("exports"))
    with use_language(runtime.settings.default_language):
        print(
            _("Console chat. Type /start to begin, a number to choose an option, {keys} to quit.").format(
                keys="Ctrl-D"
            ),
            file=out,
        )
    loop = asyncio.get_running_loop()
    while True:
        if stdin.isatty():
            print("you> ", end="", file=out, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        if not stdin.isatty():
            print(f"you> {line.rstrip()}", file=out)
        await chat.send(line)
