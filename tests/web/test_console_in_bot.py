"""The console inside ``youthbot run`` (WEB_ENABLED, Telegram polling on the fake Bot API): every
decision made on the application page reaches the applicant's chat in their language, at once
(the console wakes the bot's outbox worker: no other update is needed), exactly as previewed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from html import unescape

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.services.decisions import Decision
from bot.services.staff import Role
from tests.support.applicants import add_application
from tests.support.console import application_id, bot_with_console, csrf_of, make_account, sign_in
from tests.support.decision_messages import EXPECTED
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser
from tests.support.training import add_session, make_cohort, utc
from tests.support.webhook_harness import SECRET, running_webhooks


@pytest.fixture
async def live(settings: Settings, fake: FakeTelegram, clock: ManualClock) -> AsyncIterator[tuple[Runtime, str]]:
    clock.set(utc(2027, 3, 1, 8, 0))
    async with bot_with_console(settings, fake, clock) as running:
        yield running


def _previewed(html: str) -> str:
    match = re.search(r'<blockquote class="message" lang="[^"]+">(.*?)</blockquote>', html, flags=re.S)
    assert match is not None, "no message in the preview"
    return unescape(match.group(1))


async def test_each_decision_from_the_console_arrives_in_the_applicants_language_at_once(
    fake: FakeTelegram, live: tuple[Runtime, str]
) -> None:
    runtime, url = live
    cohort = await make_cohort(runtime)
    await add_session(runtime, cohort, "15.03.2027 17:30")
    await make_account(runtime, Role.COORDINATOR)
    number = 7000
    async with httpx.AsyncClient(base_url=url) as http:
        assert (await sign_in(http, "coordinator@example.org")).status_code == 303
        for language, fragments in EXPECTED.items():
            for decision, fragment in fragments.items():
                number += 1
                reference = await add_application(runtime, str(number), phone=f"+383440{number}", language=language)
                page = f"/applications/{await application_id(runtime, reference)}"
                fields = {
                    "csrf": csrf_of((await http.get(page)).text),
                    "decision": decision.value,
                    "seen": "submitted",
                    "notify": "1",
                    "note": "Një fjali personale." if language == "sq" else "",
                }
                if decision == Decision.ACCEPTED:
                    fields["cohort"] = str(cohort.id)
                preview = await http.post(f"{page}/preview", data=fields)
                shown = _previewed(preview.text)
                assert fragment in shown
                assert (await http.post(f"{page}/decide", data=fields)).status_code == 303
                person = TelegramUser(fake, TgUser(id=number, language_code="en"))
                (message,) = await person.expect(fragment)
                assert message.text == shown  # what staff saw is what arrived
                assert len(person.messages()) == 1
                if language == "sq":
                    assert shown.endswith("Një fjali personale.")


async def test_in_webhook_mode_the_console_beside_the_webhooks_wakes_the_shared_worker(
    settings: Settings, fake: FakeTelegram, clock: ManualClock
) -> None:
    configured = replace(
        settings,
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        telegram_webhook_secret=SECRET,
        web_enabled=True,
    )
    ready = lambda: any(r.method == "setWebhook" and r.status == 200 for r in fake.requests)  # noqa: E731
    async with running_webhooks(configured, clock, ready=ready) as running:
        runtime = running.runtime
        await make_account(runtime, Role.COORDINATOR)
        reference = await add_application(runtime, "7501", language="sr")
        page = f"/applications/{await application_id(runtime, reference)}"
        async with httpx.AsyncClient(base_url=running.base_url) as http:
            assert (await sign_in(http, "coordinator@example.org")).status_code == 303
            fields = {"csrf": csrf_of((await http.get(page)).text), "decision": "waitlisted", "seen": "submitted"}
            assert (await http.post(f"{page}/decide", data=fields)).status_code == 303
        person = TelegramUser(fake, TgUser(id=7501, language_code="sr"))
        (message,) = await person.expect(EXPECTED["sr"][Decision.WAITLISTED])
        assert "на листи чекања" in (message.text or "")
