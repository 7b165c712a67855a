"""A broadcast started in the console of a running bot (`youthbot run` with WEB_ENABLED) reaches the fake Bot API."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx

from bot.clock import ManualClock
from bot.config import Settings
from bot.outbox.worker import FALLBACK_POLL_SECONDS
from bot.runtime import Runtime
from bot.services.staff import Role
from tests.support.console import confirmation, make_account, signed_in
from tests.support.fake_telegram import FakeTelegram
from tests.support.openings import add_person
from tests.support.webhook_harness import SECRET, running_webhooks

TEXT = "The job fair is on Friday at the innovation centre."
FIRST_LINE = {7001: "Një mesazh nga programi:", 7002: "Програм вам шаље поруку:", 7003: "A message from the programme:"}


async def test_a_console_broadcast_goes_out_at_once_in_each_recipients_language(
    fake: FakeTelegram, running_bot: tuple[Runtime, str]
) -> None:
    runtime, url = running_bot
    for chat_id, language in zip(FIRST_LINE, ("sq", "sr", "en"), strict=True):
        await add_person(runtime, str(chat_id), alerts_on=True, language=language)
    await make_account(runtime, Role.COORDINATOR)
    form = {"segment": "everyone", "content": "text", "text": TEXT}
    async with httpx.AsyncClient(base_url=url) as http:
        csrf = await signed_in(http, "coordinator@example.org")
        preview = await http.post("/broadcasts/preview", data={**form, "csrf": csrf})
        assert "Send to 3 people" in preview.text
        sent = await http.post(
            "/broadcasts/send", data={**form, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
        assert sent.headers["location"] == "/broadcasts/1"
        # the worker was woken: well before its fallback round of FALLBACK_POLL_SECONDS
        for chat_id, first_line in FIRST_LINE.items():
            (message,) = await fake.wait_for_messages(chat_id, 1, timeout=FALLBACK_POLL_SECONDS / 4)
            assert message.text is not None and message.text.startswith(first_line) and TEXT in message.text
        figures = (await http.get("/broadcasts/1/progress.json")).json()
        for _ in range(500):
            if figures["finished"]:
                break
            await asyncio.sleep(0.02)
            figures = (await http.get("/broadcasts/1/progress.json")).json()
    assert (figures["sent"], figures["not_delivered"], figures["remaining"], figures["finished"]) == (3, 0, 0, True)
    assert fake.sent_to(999) == []  # the console follows the broadcast itself: no progress message in a chat


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

    def ready() -> bool:
        return any(r.method == "setWebhook" and r.status == 200 for r in fake.requests)

    async with running_webhooks(configured, clock, ready) as running:
        await add_person(running.runtime, "7001", alerts_on=True, language="sq")
        await make_account(running.runtime, Role.COORDINATOR)
        form = {"segment": "everyone", "content": "text", "text": TEXT, "expected": "1"}
        async with httpx.AsyncClient(base_url=running.base_url) as http:
            csrf = await signed_in(http, "coordinator@example.org")
            sent = await http.post("/broadcasts/send", data={**form, "confirmation": confirmation(), "csrf": csrf})
            assert sent.headers["location"] == "/broadcasts/1"
            (message,) = await fake.wait_for_messages(7001, 1, timeout=FALLBACK_POLL_SECONDS / 4)
    assert message.text is not None and message.text.startswith(FIRST_LINE[7001])
