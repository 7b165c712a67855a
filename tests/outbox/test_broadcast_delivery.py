"""Broadcast delivery: progress edits and the final report, opt-outs, blocked people,
and a worker killed mid-broadcast that a new one resumes without repeating anyone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.messages import Reply
from bot.outbox.broadcast_monitor import BroadcastMonitor
from bot.outbox.worker import DeliveryUncertain, RetryLater, Unreachable
from bot.runtime import Runtime
from storage import broadcasts, outbox, users
from tests.support.chat import Chat
from tests.support.forms import choose_language
from tests.support.outbox import FakeSender, broadcast_text, worker_for


class EditingSender(FakeSender):
    """Sends like FakeSender, and keeps every edit of a sent message."""

    def __init__(self) -> None:
        super().__init__()
        self.edits: list[tuple[str, str, str]] = []

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        self.edits.append((chat_id, message_id, reply.text))


async def test_progress_is_edited_and_a_final_report_follows(runtime: Runtime) -> None:
    chats = await broadcast_text(runtime, 5)
    sender = EditingSender()
    sender.errors[chats[1]] = [RetryLater(3)]
    sender.errors[chats[2]] = [Unreachable("Forbidden: bot was blocked by the user")]
    worker, ticks = worker_for(runtime, sender)
    monitor = BroadcastMonitor(runtime.db, runtime.clock, runtime.settings, {"telegram": sender})
    await worker.run_once()
    assert (
        sender.sent[0][0] == "999" and "Broadcast #1 is being sent." in sender.sent[0][1]
    )  # the progress message first
    assert await monitor.tick() == []
    assert sender.edits == [("999", "1", "Broadcast #1 is being sent.\nSent: 3 · not delivered: 1 · remaining: 1")]
    assert await monitor.tick() == []
    assert len(sender.edits) == 1  # nothing changed: no edit
    runtime.clock.advance(timedelta(seconds=4))
    ticks.now += 4
    await worker.run_once()
    assert await monitor.tick() == [1]
    final = sender.edits[-1][2]
    assert final.startswith("Broadcast #1 is finished.\nSent: 4\nNot delivered: 1 (of them 1 have blocked the bot)")
    assert "Cut off by a restart" not in final
    await worker.run_once()
    assert sender.sent[-1] == ("999", final)  # the report, as a new message
    assert await monitor.tick() == [] and len([t for c, t in sender.sent if c == "999"]) == 2
    assert sorted(c for c, _t in sender.sent if c != "999") == sorted(c for c in chats if c != chats[2])
    async with runtime.db.reading() as conn:
        assert (await broadcasts.get(conn, 1)).status == "finished"
        blocked = await users.find(conn, "telegram", chats[2])
    assert not blocked.reachable


async def test_opted_out_and_unreachable_people_are_never_sent_to(runtime: Runtime) -> None:
    chats = await broadcast_text(runtime, 3)
    stopper = Chat(runtime, chats[0])
    await stopper.send("STOP")
    async with runtime.db.transaction() as tx:
        await users.mark_unreachable(tx, "telegram", chats[1], runtime.clock.now())
    sender = EditingSender()
    worker, _ticks = worker_for(runtime, sender)
    await worker.run_once()
    assert [c for c, _t in sender.sent if c != "999"] == [chats[2]]
    async with runtime.db.reading() as conn:
        counts = await broadcasts.delivery_counts(conn, 1)
    assert (counts.sent, counts.skipped, counts.unreachable) == (1, 1, 1)
    staff = Chat(runtime, "999")
    await staff.send("/broadcast")
    await staff.press("A message I write")
    await staff.send("Second message")
    await staff.press("Everyone with alerts")
    assert "That is 1 person now." in staff.text()  # the person who said STOP and the blocked one are left out


class DyingSender(EditingSender):
    """Delivers until it 'dies'; calls made after that never return, like a killed process."""

    def __init__(self, dies_after: int, concurrency: int) -> None:
        super().__init__()
        self.dies_after = dies_after
        self.died = asyncio.Event()
        self.all_hung = asyncio.Event()
        self.concurrency = concurrency
        self.hung = 0
        self._forever = asyncio.Event()

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        await asyncio.sleep(0)
        if self.died.is_set():
            self.hung += 1
            if self.hung == self.concurrency:
                self.all_hung.set()
            await self._forever.wait()
            raise DeliveryUncertain("the process is gone")
        result = await super().send(chat_id, reply)
        if len(self.sent) >= self.dies_after:
            self.died.set()
        return result

    def bury(self) -> None:
        self._forever.set()


async def test_killed_mid_broadcast_a_new_worker_resumes_without_repeats(runtime: Runtime) -> None:
    chats = await broadcast_text(runtime, 40)
    dying = DyingSender(dies_after=15, concurrency=8)
    old_worker, _ = worker_for(runtime, dying, per_second=1000)
    run = asyncio.create_task(old_worker.run_once())
    await asyncio.wait_for(dying.all_hung.wait(), 10)  # every call in flight is cut off
    run.cancel()  # the process is killed: nothing more of the old worker reaches the database
    await asyncio.gather(run, return_exceptions=True)
    dying.bury()

    fresh = EditingSender()
    new_worker, _ = worker_for(runtime, fresh, per_second=1000)
    interrupted = await new_worker.recover()
    await new_worker.run_once()
    await BroadcastMonitor(runtime.db, runtime.clock, runtime.settings, {"telegram": fresh}).tick()
    await new_worker.run_once()

    async with runtime.db.reading() as conn:
        async with conn.execute("SELECT chat_id, status FROM outbox WHERE ref = 'broadcast:1'") as cur:
            status = {row[0]: row[1] for row in await cur.fetchall()}
        counts = await broadcasts.delivery_counts(conn, 1)
    delivered = [c for c, _t in dying.sent + fresh.sent if c != "999"]
    assert len(delivered) == len(set(delivered))  # nobody got it twice
    for chat_id in chats:
        if status[chat_id] == "interrupted":
            assert delivered.count(chat_id) <= 1
        else:
            assert status[chat_id] == "sent" and delivered.count(chat_id) == 1
    assert 1 <= counts.interrupted <= interrupted <= 9  # at most the calls in flight (8) and the progress row
    assert counts.sent + counts.interrupted == 40 and counts.remaining == 0
    report = fresh.sent[-1][1]
    assert (
        fresh.sent[-1][0] == "999"
        and f"Cut off by a restart while sending (may or may not have arrived): {counts.interrupted}" in report
    )


async def test_an_uncertain_delivery_is_never_repeated(runtime: Runtime) -> None:
    sender = FakeSender()
    sender.errors["1"] = [DeliveryUncertain("ReadTimeout")]
    worker, ticks = worker_for(runtime, sender)
    async with runtime.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="1",
            user_id=None,
            kind="staff_notice",
            payload={"text": "x"},
            now=runtime.clock.now(),
        )
    await worker.run_once()
    runtime.clock.advance(timedelta(minutes=5))
    ticks.now += 300
    await worker.run_once()
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn) == {"interrupted": 1}
    assert sender.sent == []


class ChattingSender(FakeSender):
    """While its first broadcast call is in flight, someone chats with the bot."""

    def __init__(self, chat: Chat) -> None:
        super().__init__()
        self.chat = chat
        self.answer: list[Reply] = []

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        if not self.answer and chat_id != "999":
            # would never finish if the worker held the database during its calls
            self.answer = await asyncio.wait_for(self.chat.send("/jobs"), 10)
        return await super().send(chat_id, reply)


async def test_conversations_go_on_while_a_broadcast_call_is_in_flight(runtime: Runtime) -> None:
    await broadcast_text(runtime, 3)
    youth = Chat(runtime, "1001")
    await choose_language(youth)
    sender = ChattingSender(youth)
    worker, _ticks = worker_for(runtime, sender)
    await worker.run_once()
    assert "There are no open jobs or internships right now" in sender.answer[0].text
    assert len([c for c, _t in sender.sent if c != "999"]) == 3


async def test_no_progress_edit_repeats_the_text_on_the_message(runtime: Runtime) -> None:
    """Telegram answers 400 "message is not modified" to such an edit, also after a restart."""
    chats = await broadcast_text(runtime, 3)
    sender = EditingSender()
    for chat_id in chats:
        sender.errors[chat_id] = [RetryLater(30)]
    worker, _ = worker_for(runtime, sender)
    await worker.run_once()
    shown = sender.sent[0][1]
    assert "Broadcast #1 is being sent." in shown
    assert await BroadcastMonitor(runtime.db, runtime.clock, runtime.settings, {"telegram": sender}).tick() == []
    assert sender.edits == []  # the counts are those the message was sent with
    fresh = EditingSender()
    restarted = BroadcastMonitor(runtime.db, runtime.clock, runtime.settings, {"telegram": fresh})
    assert await restarted.tick() == []
    assert fresh.edits == []
