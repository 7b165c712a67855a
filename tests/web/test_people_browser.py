"""The people pages in a real browser: an admin finds a person, reads their page on a phone-sized screen and erases them.

Skipped with the browser tests of test_console_browser when /usr/bin/chromium is missing.
"""

from __future__ import annotations

from playwright.async_api import async_playwright, expect

from bot.runtime import Runtime
from bot.services.staff import Role
from storage import users
from tests.support.console import PASSWORD, make_account
from tests.support.people import NAME, PHONE, seed_person
from tests.web.test_console_browser import ARGS, CHROMIUM, console_url

__all__ = ["console_url"]  # the fixture, shared with the other browser tests


async def test_an_admin_finds_a_person_and_erases_them(runtime: Runtime, console_url: str) -> None:
    seeded = await seed_person(runtime)
    await make_account(runtime, Role.ADMIN)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(console_url + "/signin")
            await page.get_by_label("E-mail").fill("admin@example.org")
            await page.get_by_label("Fjalëkalimi").fill(PASSWORD)
            await page.get_by_role("button", name="Hyr").click()
            await page.wait_for_url(console_url + "/")
            await page.get_by_role("link", name="People").click()
            await page.get_by_label("Name or phone").fill("049 717 171")
            await page.get_by_role("button", name="Filter").click()
            assert await page.get_by_role("status").inner_text() == "1 person"
            await page.get_by_role("link", name=NAME).click()
            await page.wait_for_url(f"{console_url}/people/{seeded.user_id}")
            await expect(page.get_by_role("heading", name="Interest in openings")).to_be_visible()
            await expect(page.get_by_role("cell", name=PHONE)).to_be_visible()
            # Nothing wider than the phone's screen but the tables' own cells.
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            await page.get_by_role("link", name="Erase this person…").click()
            await page.get_by_role("button", name="Erase for good").click()
            await page.wait_for_url(f"{console_url}/people/{seeded.user_id}")
            assert "data was erased on" in await page.get_by_role("status").inner_text()
        finally:
            await browser.close()
    async with runtime.db.reading() as conn:
        assert await users.get(conn, seeded.user_id) is None
