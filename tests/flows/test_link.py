"""/link: one person's records move from one channel account to the other, and only theirs."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.clock import ManualClock
from bot.runtime import Runtime
from storage import applications, cohorts, links, outbox, programmes, users
from tests.support.chat import Chat
from tests.support.forms import choose_language, submit_application
from tests.support.outbox import FakeSender, worker_for


async def person(runtime: Runtime, user_id: str, channel: str) -> Chat:
    chat = Chat(runtime, user_id, channel=channel)
    await choose_language(chat)
    return chat


async def code_of(chat: Chat) -> str:
    await chat.send("/link")
    found = re.search(r"/link ([A-Z0-9]{6})", chat.text())
    assert found, chat.text()
    return found.group(1)


async def account(runtime: Runtime, chat: Chat) -> users.User:
    async with runtime.db.reading() as conn:
        user = await users.find(conn, chat.channel, chat.user_id)
    assert user is not None
    return user


async def references(runtime: Runtime, chat: Chat) -> list[str]:
    user = await account(runtime, chat)
    async with runtime.db.reading() as conn:
        return [a.reference for a in await applications.for_user(conn, user.id)]


async def test_records_move_to_the_account_that_types_the_code(runtime: Runtime) -> None:
    telegram = await person(runtime, "7001", "telegram")
    reference = await submit_application(telegram)
    old = await account(runtime, telegram)
    async with runtime.db.transaction() as tx:
        programme = await programmes.by_code(tx, "pro2y-software")
        assert programme is not None
        cohort = await cohorts.create(tx, programme.id, "web-1", "Web 1", runtime.clock.now())
        (app,) = await applications.for_user(tx, old.id)
        await cohorts.enrol(tx, cohort.id, app.id, runtime.clock.now())
        reminder = await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="7001",
            user_id=old.id,
            kind="staff_notice",
            payload={"text": "Session tomorrow"},
            now=runtime.clock.now() + timedelta(hours=1),
            not_before=runtime.clock.now() + timedelta(hours=1),
        )
    code = await code_of(telegram)
    assert "10 minutes" in telegram.text()

    viber = await person(runtime, "vb-7001=", "viber")
    await viber.send(f"/link {code.lower()[:3]} {code.lower()[3:]}")  # typed loosely: case and spaces do not matter
    assert "Done: 1 application moved here from your Telegram account." in viber.text()
    assert await references(runtime, viber) == [reference]
    assert await references(runtime, telegram) == []
    new = await account(runtime, viber)
    async with runtime.db.reading() as conn:
        assert [e.user_id for e in await cohorts.enrolments_of(conn, cohort.id)] == [new.id]
        async with conn.execute("SELECT user_id, channel, chat_id FROM outbox WHERE id = ?", (reminder,)) as cur:
            assert tuple(await cur.fetchone()) == (new.id, "viber", "vb-7001=")  # a planned reminder follows
    await viber.send("/status")
    assert reference in viber.text()
    # the old account is told, through the outbox, in its language
    sender = FakeSender()
    worker, _ = worker_for(runtime, sender)
    await worker.run_once()
    assert any(chat == "7001" and "moved to your Viber account" in text for chat, text in sender.sent)


async def test_a_wrong_code_and_at_most_five_tries_an_hour(runtime: Runtime, clock: ManualClock) -> None:
    telegram = await person(runtime, "7101", "telegram")
    await submit_application(telegram)
    code = await code_of(telegram)
    viber = await person(runtime, "vb-7101=", "viber")
    for wrong in ("AAAAAA", "123", "", "K7MX4P!"):
        await viber.send(f"/link {wrong}" if wrong else "/link 000000")
        assert "That code is not valid" in viber.text()
    await viber.send("/link CCCCCC")
    assert "not valid" in viber.text()
    await viber.send(f"/link {code}")  # right, but after five wrong tries
    assert "Too many wrong codes" in viber.text()
    assert await references(runtime, viber) == []
    clock.advance(timedelta(minutes=61))  # an hour later the tries count again
    fresh = await code_of(telegram)
    await viber.send(f"/link {fresh}")
    assert "Done: 1 application moved here" in viber.text()


async def test_a_new_code_replaces_the_old_one(runtime: Runtime) -> None:
    telegram = await person(runtime, "7111", "telegram")
    old = await code_of(telegram)
    new = await code_of(telegram)
    viber = await person(runtime, "vb-7111=", "viber")
    await viber.send(f"/link {old}")
    assert "not valid" in viber.text()
    await viber.send(f"/link {new}")
    assert "Done: 0 applications moved here" in viber.text()


async def test_an_expired_code(runtime: Runtime, clock: ManualClock) -> None:
    telegram = await person(runtime, "7201", "telegram")
    await submit_application(telegram)
    code = await code_of(telegram)
    clock.advance(timedelta(minutes=10, seconds=1))
    viber = await person(runtime, "vb-7201=", "viber")
    await viber.send(f"/link {code}")
    assert "That code has expired" in viber.text()
    assert await references(runtime, viber) == []


async def test_a_code_works_once(runtime: Runtime) -> None:
    telegram = await person(runtime, "7301", "telegram")
    await submit_application(telegram)
    code = await code_of(telegram)
    viber = await person(runtime, "vb-7301=", "viber")
    await viber.send(f"/link {code}")
    assert "Done" in viber.text()
    stranger = await person(runtime, "vb-7302=", "viber")
    await stranger.send(f"/link {code}")
    assert "already been used" in stranger.text()
    await viber.send(f"/link {code}")
    assert "already been used" in viber.text()
    assert len(await references(runtime, viber)) == 1 and await references(runtime, stranger) == []


async def test_no_taking_over_someone_elses_record(runtime: Runtime) -> None:
    victim = await person(runtime, "7401", "telegram")
    reference = await submit_application(victim)
    code = await code_of(victim)
    other = await person(runtime, "7402", "telegram")  # another Telegram account cannot use it
    await other.send(f"/link {code}")
    assert "belongs to another Telegram account" in other.text()
    await victim.send(f"/link {code}")  # nor the account that made it
    assert "made in this chat" in victim.text()
    assert await references(runtime, victim) == [reference]
    assert await references(runtime, other) == []
    async with runtime.db.reading() as conn:
        record = await links.find(conn, code)
    assert record is not None and record.used_at is None


async def test_two_accounts_with_applications_need_confirmation(runtime: Runtime) -> None:
    telegram = await person(runtime, "7501", "telegram")
    first = await submit_application(telegram, "pro2y-software")
    viber = await person(runtime, "vb-7501=", "viber")
    second = await submit_application(viber, "pro2y-networks")
    await viber.send(f"/link {await code_of(telegram)}")
    assert "Both accounts have applications" in viber.text() and first in viber.text() and second in viber.text()
    await viber.press("keep")
    assert "Nothing was changed." in viber.text()
    assert await references(runtime, viber) == [second]
    await viber.send(f"/link {await code_of(telegram)}")
    await viber.press("merge")
    assert "Done: 1 application moved here" in viber.text()
    assert sorted(await references(runtime, viber)) == sorted([first, second])


async def test_the_same_training_in_both_accounts_is_not_merged(runtime: Runtime) -> None:
    telegram = await person(runtime, "7601", "telegram")
    first = await submit_application(telegram, "pro2y-software")
    viber = await person(runtime, "vb-7601=", "viber")
    second = await submit_application(viber, "pro2y-software")
    code = await code_of(telegram)
    await viber.send(f"/link {code}")
    assert "same training" in viber.text() and "nothing was changed" in viber.text()
    assert await references(runtime, telegram) == [first]
    assert await references(runtime, viber) == [second]
    async with runtime.db.reading() as conn:
        record = await links.find(conn, code)
    assert record is not None and record.used_at is None


async def test_tables_of_later_features_move_too_and_a_clash_changes_nothing(runtime: Runtime) -> None:
    telegram = await person(runtime, "7701", "telegram")
    reference = await submit_application(telegram)
    viber = await person(runtime, "vb-7701=", "viber")
    old, new = await account(runtime, telegram), await account(runtime, viber)
    async with runtime.db.transaction() as tx:  # tables a later migration might add
        await tx.execute(
            "CREATE TABLE future_answers (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), answer TEXT)"
        )
        await tx.execute(
            "CREATE TABLE future_settings (user_id INTEGER UNIQUE REFERENCES users(id) ON DELETE CASCADE, quiet INTEGER)"
        )
        await tx.execute("INSERT INTO future_answers(user_id, answer) VALUES (?, 'employed')", (old.id,))
        await tx.execute("INSERT INTO future_settings(user_id, quiet) VALUES (?, 1), (?, 0)", (old.id, new.id))
        try:
            await links.move_records(tx, old.id, new.id, "viber", new.chat_id)
        except links.MoveConflict as conflict:
            assert conflict.programmes == [] and "UNIQUE" in str(conflict)
        else:
            raise AssertionError("the clash in future_settings was not noticed")
        async with tx.execute("SELECT user_id FROM future_answers") as cur:
            assert [row[0] for row in await cur.fetchall()] == [old.id]  # undone as a whole
        await tx.execute("DELETE FROM future_settings WHERE user_id = ?", (new.id,))
        result = await links.move_records(tx, old.id, new.id, "viber", new.chat_id)
        assert result.moved == {"applications": 1, "future_settings": 1, "future_answers": 1}
    assert await references(runtime, viber) == [reference]
