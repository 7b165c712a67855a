"""Turns on the one connection: people's steps before the outbox, fairly, and safe against cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage import Database
from storage.turns import FAIR_AFTER, Turns


async def _queue(turns: Turns, order: list[str], name: str, background: bool) -> asyncio.Task[None]:
    async def take() -> None:
        await turns.acquire(background)
        order.append(name)
        await asyncio.sleep(0)
        turns.release()

    task = asyncio.create_task(take())
    await asyncio.sleep(0)  # it is waiting now
    return task


async def test_a_waiting_step_goes_before_the_background_that_waited_longer() -> None:
    turns, order = Turns(), []
    await turns.acquire()
    tasks = [
        await _queue(turns, order, "outbox 1", True),
        await _queue(turns, order, "outbox 2", True),
        await _queue(turns, order, "step 1", False),
        await _queue(turns, order, "step 2", False),
    ]
    turns.release()
    await asyncio.gather(*tasks)
    assert order == ["step 1", "step 2", "outbox 1", "outbox 2"]
    assert not turns.locked()


async def test_the_background_gets_a_turn_after_a_run_of_steps() -> None:
    turns, order = Turns(), []
    await turns.acquire()
    tasks = [await _queue(turns, order, "outbox", True)]
    tasks += [await _queue(turns, order, f"step {n}", False) for n in range(FAIR_AFTER + 3)]
    turns.release()
    await asyncio.gather(*tasks)
    assert order.index("outbox") == FAIR_AFTER


async def test_a_cancelled_waiter_loses_nobody_s_turn() -> None:
    turns, order = Turns(), []
    await turns.acquire()
    gone = await _queue(turns, order, "gone", False)
    after = await _queue(turns, order, "after", True)
    gone.cancel()
    await asyncio.sleep(0)
    turns.release()
    await after
    assert order == ["after"] and not turns.locked()


async def test_a_waiter_cancelled_as_it_is_given_the_turn_passes_it_on() -> None:
    turns, order = Turns(), []
    await turns.acquire()
    given = await _queue(turns, order, "given", False)
    after = await _queue(turns, order, "after", False)
    turns.release()  # the turn is handed to "given" ...
    given.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(given, return_exceptions=True)
    await after
    assert order == ["after"] and not turns.locked()


async def test_the_database_lets_a_step_go_before_the_outbox(tmp_path: Path) -> None:
    order: list[str] = []
    async with Database(tmp_path / "turns.sqlite3") as db:

        async def write(name: str, background: bool) -> None:
            async with db.transaction(background=background) as tx:
                await tx.execute("SELECT 1")
                order.append(name)

        async with db.reading():  # the connection is busy while both ask for it
            outbox = asyncio.create_task(write("outbox", True))
            await asyncio.sleep(0)
            step = asyncio.create_task(write("step", False))
            await asyncio.sleep(0)
        await asyncio.gather(outbox, step)
    assert order == ["step", "outbox"]
