"""Every decision's message, in each language, through the outbox to the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.handlers.telegram.channel import serve
from bot.runtime import Runtime, open_runtime
from bot.services import decisions
from bot.services.decisions import Decision
from tests.support.applicants import add_application, add_staff
from tests.support.decision_messages import EXPECTED
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser
from tests.support.training import add_session, make_cohort, utc


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def live(settings: Settings, fake: FakeTelegram, clock: ManualClock) -> AsyncIterator[Runtime]:
    clock.set(utc(2027, 3, 1, 8, 0))
    tg_settings = replace(settings, telegram_token=fake.token, telegram_api_url=fake.base_url)
    stop = asyncio.Event()
    async with open_runtime(tg_settings, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        yield runtime
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_each_decision_arrives_in_the_applicants_language(fake: FakeTelegram, live: Runtime) -> None:
    (staff_id,) = await add_staff(live)
    cohort = await make_cohort(live)
    await add_session(live, cohort, "15.03.2027 17:30")
    people: list[tuple[TelegramUser, str, str]] = []
    number = 7000
    for language, fragments in EXPECTED.items():
        for decision in fragments:
            number += 1
            ref = await add_application(live, str(number), phone=f"+383440{number}", language=language)
            note = "A personal sentence." if decision == Decision.REJECTED else None
            async with live.db.transaction() as tx:
                preview = await decisions.preview(
                    tx,
                    ref,
                    decision,
                    personal_note=note,
                    cohort_id=cohort.id,
                    settings=live.settings,
                    now=live.clock.now(),
                )
                await decisions.decide(
                    tx,
                    ref,
                    decision,
                    staff_id=staff_id,
                    settings=live.settings,
                    now=live.clock.now(),
                    cohort_id=cohort.id if decision == Decision.ACCEPTED else None,
                    personal_note=note,
                )
            assert preview is not None
            people.append((TelegramUser(fake, TgUser(id=number, language_code="en")), fragments[decision], preview))
    await TelegramUser(fake, TgUser(id=6999, language_code="en")).say(
        "/start", "language"
    )  # any update wakes the sender
    for person, fragment, preview in people:
        (message,) = [m for m in await person.expect(fragment) if fragment in (m.text or "")]
        assert message.text == preview  # what staff saw is what arrived
        assert len(person.messages()) == 1  # one message per decision
    rejected = [p for p in people if "Personal" in p[2] or "personal" in p[2]]
    assert len(rejected) == 3 and all(p[2].endswith("A personal sentence.") for p in rejected)
