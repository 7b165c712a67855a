"""Sending reminders and notices: rendered when sent, useful ones after a downtime,
never twice (also when killed mid-call), moved and cancelled sessions, blocked people."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Bot

from bot.clock import ManualClock
from bot.handlers.telegram.channel import TelegramSender
from bot.messages import InputKind, Reply, UserInput
from bot.outbox.worker import Unreachable
from bot.runtime import Runtime, open_runtime
from bot.services import reminders as reminder_plan
from bot.services import sessions as session_changes
from storage import users
from tests.support.fake_telegram import FakeTelegram
from tests.support.training import (
    RecordingSender,
    add_session,
    counts,
    make_cohort,
    make_worker,
    outbox_rows,
    trainee,
    utc,
)


async def test_reminder_speaks_the_trainees_language_with_date_place_and_buttons(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe", language="en")
    await trainee(runtime, cohort, "2002", "Arta Krasniqi", language="sq")
    await trainee(runtime, cohort, "2003", "Јована Петровић", language="sr")
    session = await add_session(runtime, cohort, "15.03.2027 17:30", "15.03.2027 19:00", topic="Git basics")
    sender = RecordingSender()
    worker = make_worker(runtime, sender)
    await worker.run_once()  # the enrolment notices
    sender.sent.clear()
    runtime.clock.set(utc(2027, 3, 14, 16, 29))
    assert await worker.run_once() == 0  # a minute early: nothing
    runtime.clock.advance(timedelta(minutes=1))
    assert await worker.run_once() == 3
    by_chat = dict(sender.sent)
    english = by_chat["2001"]
    assert "Reminder" in english.text and "Web 2027 1" in english.text
    assert "Monday, 15 March 2027, 17:30–19:00" in english.text
    assert "Room 3, ICK, Prishtina" in english.text and "Git basics" in english.text
    assert [o.key for o in english.options] == [f"rsvp.y.{session.id}", f"rsvp.n.{session.id}"]
    assert english.menu  # valid at any time, not tied to a prompt
    assert "e hënë, 15 mars 2027" in by_chat["2002"].text
    assert "понедељак, 15. март 2027." in by_chat["2003"].text
    assert await worker.run_once() == 0  # each goes once
    runtime.clock.set(utc(2027, 3, 15, 15, 30))
    assert await worker.run_once() == 3  # the 1-hour reminders


async def test_after_a_downtime_useful_reminders_go_and_stale_ones_are_dropped(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    started = await add_session(runtime, cohort, "15.03.2027 09:00")  # 08:00 UTC
    soon = await add_session(runtime, cohort, "15.03.2027 17:30")  # 16:30 UTC
    later = await add_session(runtime, cohort, "16.03.2027 17:00")  # 16:00 UTC next day
    sender = RecordingSender()
    await make_worker(runtime, sender).run_once()
    sender.sent.clear()
    # The bot was down from before the first reminder until 17:00 local on the 15th.
    runtime.clock.set(utc(2027, 3, 15, 16, 0))
    worker = make_worker(runtime, sender)  # a fresh process
    await worker.recover()
    await worker.run_once()
    assert len(sender.sent) == 2  # one reminder for `soon`, the 24-hour one for `later`
    texts = sender.texts()
    assert any("Monday, 15 March 2027, 17:30" in t for t in texts)
    assert any("Tuesday, 16 March 2027, 17:00" in t for t in texts)
    rows = {(r["ref"], r["not_before"][:13]): r["status"] for r in await outbox_rows(runtime, reminder_plan.REMINDER)}
    assert rows[(f"session:{started.id}", "2027-03-14T08")] == "expired"
    assert rows[(f"session:{started.id}", "2027-03-15T07")] == "expired"
    assert rows[(f"session:{soon.id}", "2027-03-14T16")] == "cancelled"  # overtaken by the 1-hour one
    assert rows[(f"session:{soon.id}", "2027-03-15T15")] == "sent"
    assert rows[(f"session:{later.id}", "2027-03-15T16")] == "sent"
    assert rows[(f"session:{later.id}", "2027-03-16T15")] == "pending"


class HangingSender(RecordingSender):
    """The platform call that never returns: the process is killed during it."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.entered.set()
        await asyncio.Event().wait()
        return None


async def test_killed_while_sending_a_reminder_never_sends_it_again(
    runtime: Runtime, settings, clock: ManualClock
) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    await make_worker(runtime, RecordingSender()).run_once()  # enrolment notice
    runtime.clock.set(utc(2027, 3, 14, 16, 30))
    hanging = HangingSender()
    stuck = asyncio.create_task(make_worker(runtime, hanging).run_once())
    await asyncio.wait_for(hanging.entered.wait(), 5)
    assert (await counts(runtime)).get("sending") == 1  # committed before the platform call
    # "Restart": a new process opens the same database while the old one is gone mid-call.
    restarted_clock = ManualClock(runtime.clock.now())
    async with open_runtime(settings, clock=restarted_clock) as again:
        sender = RecordingSender()
        worker = make_worker(again, sender)
        assert await worker.recover() == 1
        assert await worker.run_once() == 0
        restarted_clock.set(utc(2027, 3, 15, 15, 30))
        assert await worker.run_once() == 1  # the 1-hour reminder is another row: it goes
        assert sender.texts() and "Reminder" in sender.texts()[0]
        rows = await outbox_rows(again, reminder_plan.REMINDER)
        assert [r["status"] for r in rows] == ["interrupted", "sent"]
    stuck.cancel()
    await asyncio.gather(stuck, return_exceptions=True)


async def test_moved_session_tells_trainees_and_reminds_at_the_new_time_only(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    chat = await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    sender = RecordingSender()
    worker = make_worker(runtime, sender)
    await worker.run_once()
    await chat.send(_press(f"rsvp.y.{session.id}"))
    async with runtime.db.transaction() as tx:
        await session_changes.move(
            tx, session, utc(2027, 3, 17, 9, 0), utc(2027, 3, 17, 11, 0), runtime.settings, runtime.clock.now()
        )
    sender.sent.clear()
    await worker.run_once()
    (notice,) = sender.texts("2001")
    assert "has been moved" in notice and "Monday, 15 March 2027, 17:30" in notice
    assert "Wednesday, 17 March 2027, 10:00–12:00" in notice
    assert [o.key for _c, r in sender.sent for o in r.options] == [f"rsvp.y.{session.id}", f"rsvp.n.{session.id}"]
    sender.sent.clear()
    for moment in (utc(2027, 3, 14, 16, 30), utc(2027, 3, 15, 15, 30)):  # the old due times
        runtime.clock.set(moment)
        assert await worker.run_once() == 0
    runtime.clock.set(utc(2027, 3, 16, 9, 0))
    assert await worker.run_once() == 1
    assert "Will you attend?" in sender.texts()[0]  # the earlier answer was for the old time


async def test_cancelled_session_is_announced_and_never_reminded(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    await trainee(runtime, cohort, "2002", "Arta Krasniqi")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    sender = RecordingSender()
    worker = make_worker(runtime, sender)
    await worker.run_once()
    sender.sent.clear()
    async with runtime.db.transaction() as tx:
        assert await session_changes.cancel(tx, session, runtime.clock.now()) == 2
        assert await session_changes.cancel(tx, session, runtime.clock.now()) is None  # already cancelled
    await worker.run_once()
    assert len(sender.sent) == 2 and all("Cancelled" in t and "15 March 2027, 17:30" in t for t in sender.texts())
    runtime.clock.set(utc(2027, 3, 15, 15, 30))
    assert await worker.run_once() == 0
    statuses = {r["status"] for r in await outbox_rows(runtime, reminder_plan.REMINDER)}
    assert statuses == {"cancelled"}


async def test_reminders_turned_off_after_planning_are_not_sent(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    chat = await trainee(runtime, cohort, "2001", "Jane Doe")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    sender = RecordingSender()
    worker = make_worker(runtime, sender)
    await worker.run_once()
    await chat.send(_press("remind.off"))
    sender.sent.clear()
    runtime.clock.set(utc(2027, 3, 14, 16, 30))
    await worker.run_once()
    assert sender.sent == []
    await chat.send(_press("remind.on"))  # back on: the 1-hour reminder still comes
    runtime.clock.set(utc(2027, 3, 15, 15, 30))
    await worker.run_once()
    assert len(sender.sent) == 1


async def test_unreachable_trainee_is_marked_and_the_others_still_get_theirs(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    await trainee(runtime, cohort, "2002", "Arta Krasniqi")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    sender = RecordingSender()
    worker = make_worker(runtime, sender)
    await worker.run_once()
    sender.sent.clear()
    sender.errors["2001"] = [Unreachable("Forbidden: bot was blocked by the user")]
    runtime.clock.set(utc(2027, 3, 14, 16, 30))
    await worker.run_once()
    assert [c for c, _r in sender.sent] == ["2002"]
    async with runtime.db.reading() as conn:
        assert not (await users.find(conn, "telegram", "2001")).reachable  # type: ignore[union-attr]


async def test_blocked_user_on_the_fake_bot_api(runtime: Runtime) -> None:
    """Through the real Bot API client against the fake server: a 403 marks the person, sending goes on."""
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    for n in range(3):
        await trainee(runtime, cohort, str(3001 + n), f"Trainee {n}")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    async with FakeTelegram() as fake:
        bot = Bot(fake.token, base_url=fake.base_url)
        async with bot:
            worker = make_worker(runtime, TelegramSender(bot))
            await worker.run_once()  # enrolment notices
            fake.block_user(3002)
            mark = len(fake.requests)
            runtime.clock.set(utc(2027, 3, 14, 16, 30))
            await worker.run_once()
            runtime.clock.set(utc(2027, 3, 15, 15, 30))
            await worker.run_once()
        assert fake.violations == []
        reminders_to = lambda chat: [m for m in fake.sent_to(chat) if "Reminder" in (m.text or "")]  # noqa: E731
        assert len(reminders_to(3001)) == 2 and len(reminders_to(3003)) == 2
        assert reminders_to(3002) == []
        calls_to_blocked = [
            r for r in fake.requests[mark:] if r.method == "sendMessage" and r.params.get("chat_id") == 3002
        ]
        assert len(calls_to_blocked) == 1  # the 1-hour reminder was not even tried
        button = reminders_to(3001)[0].buttons()[0]
        assert button["callback_data"].startswith("m:rsvp.y.")
    async with runtime.db.reading() as conn:
        assert not (await users.find(conn, "telegram", "3002")).reachable  # type: ignore[union-attr]
    statuses = sorted(r["status"] for r in await outbox_rows(runtime, reminder_plan.REMINDER))
    assert statuses == ["sent"] * 4 + ["unreachable"] * 2


def _press(key: str) -> UserInput:
    """A menu-style button press (as under a reminder)."""
    return UserInput(InputKind.OPTION, key)


async def test_a_trainee_who_blocked_the_bot_and_came_back_gets_what_is_still_ahead(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    jane = await trainee(runtime, cohort, "2001", "Jane Doe")
    async with runtime.db.transaction() as tx:
        await users.mark_unreachable(tx, "telegram", "2001", runtime.clock.now())
    first = await add_session(runtime, cohort, "15.03.2027 17:30")  # added while she has blocked the bot
    second = await add_session(runtime, cohort, "22.03.2027 17:30")
    sender = RecordingSender()
    worker = make_worker(runtime, sender)
    runtime.clock.set(utc(2027, 3, 14, 16, 30))
    await worker.run_once()
    assert sender.sent == []  # not even tried while she is unreachable
    await jane.send("/schedule")  # she unblocked the bot and writes again
    runtime.clock.set(utc(2027, 3, 15, 15, 30))
    await worker.run_once()
    runtime.clock.set(utc(2027, 3, 21, 16, 30))
    await worker.run_once()
    first_text, second_text = sender.texts()  # the 1-hour one of the first session, the 24-hour one of the second
    assert "Monday, 15 March 2027, 17:30" in first_text and "Monday, 22 March 2027, 17:30" in second_text
    statuses = {(r["ref"], r["status"]) for r in await outbox_rows(runtime, reminder_plan.REMINDER)}
    assert (f"session:{first.id}", "unreachable") in statuses and (f"session:{second.id}", "pending") in statuses
