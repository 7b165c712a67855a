"""A coordinator sends a broadcast from the console in a real browser, and watches it finish by itself.

The bot runs as `youthbot run` does (polling the fake Bot API, the console beside it). Skipped with one line
when /usr/bin/chromium is missing, unless YOUTHBOT_BROWSER_TESTS=required (CI), as test_console_browser.
"""

from __future__ import annotations

import os

import pytest

from bot.runtime import Runtime
from bot.services.staff import Role
from tests.support.console import PASSWORD, make_account
from tests.support.fake_telegram import FakeTelegram
from tests.support.openings import add_person
from tests.web.test_console_browser import ARGS, CHROMIUM

if not CHROMIUM.exists():
    if os.environ.get("YOUTHBOT_BROWSER_TESTS") == "required":
        raise RuntimeError("YOUTHBOT_BROWSER_TESTS=required but /usr/bin/chromium is missing")
    pytest.skip("browser tests need /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import async_playwright, expect

TEXT = "The job fair is on Friday at the innovation centre."
PEOPLE = [(str(7001 + n), ("sq", "sr", "en")[n % 3]) for n in range(12)]


@pytest.fixture
def outbox_rate() -> float:
    """Slow enough that the page is open while the broadcast is being sent (about 5 seconds)."""
    return 2.0


async def test_compose_count_confirm_and_watch_it_finish(fake: FakeTelegram, running_bot: tuple[Runtime, str]) -> None:
    runtime, url = running_bot
    for chat_id, language in PEOPLE:
        await add_person(runtime, chat_id, alerts_on=True, language=language)
    await make_account(runtime, Role.COORDINATOR)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(url + "/")
            await page.get_by_label("E-mail").fill("coordinator@example.org")
            await page.get_by_label("Fjalëkalimi").fill(PASSWORD)
            await page.get_by_role("button", name="Hyr").click()
            await page.wait_for_url(url + "/")
            await page.get_by_role("link", name="Broadcasts").click()
            await page.get_by_role("link", name="New broadcast").click()
            await expect(page.get_by_label("Track")).to_be_hidden()  # the script shows only what the group needs
            await page.get_by_label("To", exact=True).select_option("track")
            await expect(page.get_by_label("Track")).to_be_visible()
            await page.get_by_label("Track").select_option("web")
            await page.get_by_text("That is 12 people now.").wait_for()  # fetched as the selection changed
            await page.get_by_label("To", exact=True).select_option("everyone")
            await page.get_by_role("textbox", name="Message").fill(TEXT)
            await page.get_by_role("button", name="Preview").click()
            await expect(page.get_by_text("A message from the programme:")).to_be_visible()
            await page.get_by_role("button", name="Send to 12 people").click()
            await page.wait_for_url(url + "/broadcasts/1")
            await expect(page.get_by_role("heading", name="Sending…")).to_be_visible()
            await page.get_by_role("heading", name="Finished").wait_for(timeout=30_000)  # no reload by hand
            await expect(page.get_by_role("row", name="Sent 12")).to_be_visible()
        finally:
            await browser.close()
    assert all(len(fake.sent_to(int(chat_id))) == 1 for chat_id, _language in PEOPLE)
