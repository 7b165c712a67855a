"""Whose turn it is on the one connection: people's steps before background work.

The bot's one SQLite connection is taken in turns (``Database.transaction``). A
1,000/s broadcast takes it about twenty times a second to prepare its groups and
write outcomes; a reply that queued behind those waited for them. Here a waiting
turn of the foreground (a person's step, a staff page) goes before a waiting
turn of the background (the outbox), except that the background gets every
``FAIR_AFTER``-th turn while both wait, so a crowd of people never holds the
outbox back for long. Turns of one kind go in the order they were asked for.
"""

from __future__ import annotations

import asyncio
from collections import deque

FAIR_AFTER = 8  # foreground turns in a row while the background waits, before one of its own


class Turns:
    """An asyncio lock with two queues (foreground first), safe against cancellation."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {False: deque(), True: deque()}
        self._foreground_in_a_row = 0

    def locked(self) -> bool:
        return self._held

    async def acquire(self, background: bool = False) -> None:
        if not self._held and not self._waiting[False] and not self._waiting[True]:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[background].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # given the turn just as it was cancelled: pass it on
                self.release()
            else:
                self._waiting[background].remove(turn)
            raise

    def release(self) -> None:
        """End this turn and give the next one: to the foreground first (see ``FAIR_AFTER``)."""
        while True:
            background = self._next_queue()
            if background is None:
                self._held = False
                return
            turn = self._waiting[background].popleft()
            if turn.done():  # cancelled while waiting
                continue
            self._foreground_in_a_row = 0 if background else self._foreground_in_a_row + 1
            turn.set_result(None)  # the lock stays held: it passes to that waiter
            return

    def _next_queue(self) -> bool | None:
        foreground, background = self._waiting[False], self._waiting[True]
        if foreground and not (background and self._foreground_in_a_row >= FAIR_AFTER):
            return False
        if background:
            return True
        return None
