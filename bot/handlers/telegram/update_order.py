"""Different people's updates at once, one person's updates one after another.

python-telegram-bot's ``concurrent_updates`` runs every update as its own task,
so two quick taps of one person could race (the second read the conversation
before the first saved it). This processor chains each person's updates: an
update starts only when the one before it from the same person has finished,
while other people's updates go on meanwhile (a step waiting on SQLite or on
Telegram does not hold everybody up).

Updates reach the processor in the order Telegram delivered them: the
Application creates their tasks in that order, and each task joins its
person's chain before its first pause.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from inspect import iscoroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def person_of(update: object) -> int | None:
    """Whose update this is: the user (in a private chat the same id as the chat), else the chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` updates at once, never two of the same person."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._last: dict[int, asyncio.Future[None]] = {}  # each person's latest update, done or not
        self._in_hand = 0  # updates started and not finished (running or waiting their turn)
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._in_hand += 1
        try:
            await self._in_turn(update, coroutine)
        finally:
            self._in_hand -= 1
            self._wake_waiters()

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = person_of(update)
        if person is None:
            await coroutine
            return
        before = self._last.get(person)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[person] = mine  # joined before the first pause: the chain keeps delivery order
        started = False
        try:
            if before is not None:
                await asyncio.shield(before)  # being cancelled here must not cancel the one before
            started = True
            await coroutine
        finally:
            if not started and iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting its turn
            if not mine.done():
                mine.set_result(None)
            if self._last.get(person) is mine:
                del self._last[person]

    @property
    def in_hand(self) -> int:
        """Updates being handled or waiting their turn."""
        return self._in_hand

    async def wait_until_fewer_than(self, limit: int, timeout: float) -> None:
        """Return once fewer than ``limit`` updates are in hand, or after ``timeout`` seconds."""
        if self._in_hand < limit:
            return
        calm: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (limit, calm)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(calm), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.remove(entry)

    def _wake_waiters(self) -> None:
        for limit, calm in self._waiters:
            if self._in_hand < limit and not calm.done():
                calm.set_result(None)

    @property
    def people_waiting(self) -> int:
        """People with an update in progress or waiting (for tests and monitoring)."""
        return len(self._last)

    async def initialize(self) -> None:
        """Nothing to set up: the chains live in memory while updates are in progress."""

    async def shutdown(self) -> None:
        """Nothing to free: the Application waits for updates in progress itself."""
