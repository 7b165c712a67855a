"""The Telegram channel wakes the outbox worker only after a step that queued something:
``storage.outbox.queued_in`` moves with every row queued through a connection, and only then;
the engine's ``Outcome.queued`` says how many rows a step queued."""

from __future__ import annotations

from bot.runtime import Runtime
from storage import outbox
from storage.outbox import NewMessage
from tests.support.chat import Chat
from tests.support.forms import choose_language, submit_application


async def test_counts_rows_queued_and_not_duplicates(runtime: Runtime) -> None:
    async with runtime.db.transaction() as tx:
        start = outbox.queued_in(tx)
        now = runtime.clock.now()
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="1",
            user_id=None,
            kind="staff_notice",
            payload={"text": "a"},
            now=now,
            dedup_key="k1",
        )
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="1",
            user_id=None,
            kind="staff_notice",
            payload={"text": "a"},
            now=now,
            dedup_key="k1",
        )  # a repeat: not queued
        added = await outbox.enqueue_many(
            tx,
            [
                NewMessage("telegram", "2", None, "staff_notice", {"text": "b"}, dedup_key="k2"),
                NewMessage("telegram", "3", None, "staff_notice", {"text": "c"}, dedup_key="k1"),
            ],
            now,
        )
        assert added == 1 and outbox.queued_in(tx) == start + 2


async def test_a_step_moves_it_only_when_it_queues_a_message(runtime: Runtime, chat: Chat) -> None:
    await choose_language(chat)
    before = chat.queued
    await chat.send("/help")
    assert chat.queued == before  # nothing to send: the worker may sleep on
    await submit_application(chat)  # staff 999 gets a notice through the outbox
    assert chat.queued == before + 1
