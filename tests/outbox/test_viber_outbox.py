"""Proactive messages on Viber: the same outbox, Viber's statuses and limits, delivery receipts."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.handlers.viber.api import ViberClient
from bot.handlers.viber.channel import ViberChannel, ViberSender
from bot.messages import Option, Reply
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker, TransientError
from bot.runtime import Runtime, open_runtime
from storage import outbox, users
from tests.support.fake_viber import FakeViber, ViberUser
from tests.support.training import InstantTicks

ANNA = ViberUser("anna000000000000000000A=", name="Anna")


@pytest.fixture
async def fake() -> AsyncIterator[FakeViber]:
    async with FakeViber() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def viber_runtime(settings: Settings, clock, fake: FakeViber) -> AsyncIterator[Runtime]:
    configured = replace(
        settings, viber_auth_token=fake.token, viber_api_url=fake.base_url, webhook_base_url="https://bot.example.org"
    )
    async with open_runtime(configured, clock=clock) as runtime:
        yield runtime


@pytest.fixture
async def wired(
    viber_runtime: Runtime, fake: FakeViber
) -> AsyncIterator[tuple[ViberChannel, OutboxWorker, InstantTicks]]:
    ticks = InstantTicks()
    limiter = RateLimiter(25, 1, monotonic=ticks.monotonic, sleep=ticks.sleep)
    worker = OutboxWorker(
        viber_runtime.db, viber_runtime.clock, viber_runtime.settings, viber_runtime.engine.registry, {}, limiter
    )
    client = ViberClient(fake.base_url, fake.token)
    yield ViberChannel(viber_runtime, client, worker), worker, ticks
    await client.close()


async def subscriber(runtime: Runtime, user: ViberUser) -> int:
    async with runtime.db.transaction() as tx:
        row, _ = await users.get_or_create(tx, "viber", user.id, user.id, user.name, runtime.clock.now())
    return row.id


async def queue(runtime: Runtime, user: ViberUser, user_id: int | None, text: str) -> int:
    async with runtime.db.transaction() as tx:
        row = await outbox.enqueue(
            tx,
            channel="viber",
            chat_id=user.id,
            user_id=user_id,
            kind="staff_notice",
            payload={"text": text, "options": [{"key": "apply", "label": "Apply now"}]},
            now=runtime.clock.now(),
        )
    assert row is not None
    return row


async def row_of(runtime: Runtime, row_id: int) -> dict:
    async with runtime.db.reading() as conn:
        async with conn.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)) as cur:
            return dict(await cur.fetchone())


async def reachable(runtime: Runtime, user: ViberUser) -> bool:
    async with runtime.db.reading() as conn:
        found = await users.find(conn, "viber", user.id)
    assert found is not None
    return found.reachable


def signed(fake: FakeViber, event: dict) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    return body, hmac.new(fake.token.encode(), body, hashlib.sha256).hexdigest()


async def test_a_broadcast_goes_out_with_menu_buttons_and_receipts_are_recorded(
    viber_runtime: Runtime, fake: FakeViber, wired
) -> None:
    channel, worker, _ = wired
    row_id = await queue(viber_runtime, ANNA, await subscriber(viber_runtime, ANNA), "A new internship is open.")
    assert await worker.run_once() == 1
    (message,) = fake.sent_to(ANNA.id)
    assert message.text == "A new internship is open." and message.buttons()[0]["ActionBody"] == "m:apply"
    row = await row_of(viber_runtime, row_id)
    assert row["status"] == "sent" and row["platform_message_id"] == str(message.token)
    for event in ("delivered", "seen", "delivered"):  # a repeated receipt changes nothing
        body, signature = signed(fake, fake.receipt(event, message.token, ANNA.id))
        assert (await channel.handle(body, signature)).status == 200
    row = await row_of(viber_runtime, row_id)
    assert row["delivered_at"] is not None and row["seen_at"] is not None and row["failure"] is None
    body, signature = signed(
        fake, fake.receipt("failed", message.token, ANNA.id, desc="receiver has no suitable device")
    )
    assert (await channel.handle(body, signature)).status == 200
    assert (await row_of(viber_runtime, row_id))["failure"] == "receiver has no suitable device"
    body, _ = signed(fake, fake.receipt("failed", 99, ANNA.id, desc="x"))
    assert (await channel.handle(body, "0" * 64)).status == 403


@pytest.mark.parametrize("status", [5, 6])
async def test_not_registered_or_not_subscribed_makes_the_person_unreachable(
    viber_runtime: Runtime, fake: FakeViber, wired, status: int
) -> None:
    _, worker, ticks = wired
    (fake.not_registered if status == 5 else fake.not_subscribed).add(ANNA.id)
    row_id = await queue(viber_runtime, ANNA, await subscriber(viber_runtime, ANNA), "Session tomorrow")
    await worker.run_once()
    assert (await row_of(viber_runtime, row_id))["status"] == "unreachable"
    assert not await reachable(viber_runtime, ANNA)
    later = await queue(viber_runtime, ANNA, await subscriber_id(viber_runtime, ANNA), "Another one")
    ticks.now += 1  # one message a second to one chat
    await worker.run_once()
    assert (await row_of(viber_runtime, later))["status"] == "unreachable"  # not even tried
    assert fake.sent_to(ANNA.id) == []


async def subscriber_id(runtime: Runtime, user: ViberUser) -> int:
    async with runtime.db.reading() as conn:
        found = await users.find(conn, "viber", user.id)
    assert found is not None
    return found.id


async def test_too_many_requests_is_retried_later(viber_runtime: Runtime, fake: FakeViber, wired) -> None:
    _, worker, ticks = wired
    row_id = await queue(viber_runtime, ANNA, await subscriber(viber_runtime, ANNA), "Reminder")
    fake.fail_next(12, ANNA.id)
    await worker.run_once()
    row = await row_of(viber_runtime, row_id)
    assert row["status"] == "pending" and row["attempts"] == 1 and "retry" in row["error"]
    viber_runtime.clock.advance(timedelta(seconds=11))
    ticks.now += 11
    await worker.run_once()
    assert (await row_of(viber_runtime, row_id))["status"] == "sent"
    assert [m.text for m in fake.sent_to(ANNA.id)] == ["Reminder"]


async def test_long_text_is_split_at_7000_characters(viber_runtime: Runtime, fake: FakeViber, wired) -> None:
    _, worker, _ = wired
    paragraph = "Job opening. " * 600  # 7,800 characters
    await queue(viber_runtime, ANNA, await subscriber(viber_runtime, ANNA), paragraph)
    await worker.run_once()
    parts = fake.sent_to(ANNA.id)
    assert len(parts) == 2 and all(len(p.text) <= 7000 for p in parts)
    assert parts[0].buttons() == [] and parts[1].buttons()[0]["Text"] == "Apply now"
    assert " ".join(p.text for p in parts).split() == paragraph.split()


async def test_network_trouble_is_transient(viber_runtime: Runtime) -> None:
    client = ViberClient("http://127.0.0.1:9/pa/", "x" * 20)  # nothing listens on port 9
    try:
        with pytest.raises(TransientError):
            await ViberSender(client, {"name": "Bot"}).send(ANNA.id, Reply("hello", [Option("a", "A")]))
    finally:
        await client.close()


async def test_unsubscribed_until_they_write_again(viber_runtime: Runtime, fake: FakeViber, wired) -> None:
    channel, worker, ticks = wired
    user_id = await subscriber(viber_runtime, ANNA)
    body, signature = signed(fake, fake.unsubscribed(ANNA.id))
    assert (await channel.handle(body, signature)).status == 200
    assert not await reachable(viber_runtime, ANNA)
    skipped = await queue(viber_runtime, ANNA, user_id, "News")
    await worker.run_once()
    assert (await row_of(viber_runtime, skipped))["status"] == "unreachable" and fake.sent_to(ANNA.id) == []
    body, signature = signed(fake, fake.text(ANNA, "/help"))
    assert (await channel.handle(body, signature)).status == 200  # writing again makes them reachable
    assert await reachable(viber_runtime, ANNA)
    sent = await queue(viber_runtime, ANNA, user_id, "More news")
    ticks.now += 1
    await worker.run_once()
    assert (await row_of(viber_runtime, sent))["status"] == "sent"
    body, signature = signed(fake, fake.subscribed(ViberUser("newcomer0000000000000A=", name="New")))
    assert (await channel.handle(body, signature)).status == 200
    async with viber_runtime.db.reading() as conn:
        newcomer = await users.find(conn, "viber", "newcomer0000000000000A=")
    assert newcomer is not None and newcomer.reachable and newcomer.display_name == "New"
