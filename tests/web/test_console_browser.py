"""The console in a real browser (Debian's Chromium through Playwright): sign-in and the role check.

Skipped with one line when /usr/bin/chromium is missing, unless YOUTHBOT_BROWSER_TESTS=required (CI).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.services.staff import Role
from storage import application_search
from storage.application_search import ApplicationFilter
from tests.support.applicants import add_application
from tests.support.browser import ARGS, CHROMIUM, serve_console
from tests.support.console import PASSWORD, bot_with_console, make_account
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.telegram_harness import TelegramUser
from tests.support.training import add_session, make_cohort

if not CHROMIUM.exists():
    if os.environ.get("YOUTHBOT_BROWSER_TESTS") == "required":
        raise RuntimeError("YOUTHBOT_BROWSER_TESTS=required but /usr/bin/chromium is missing")
    pytest.skip("browser tests need /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import Page, async_playwright, expect


@pytest.fixture
async def console_url(runtime: Runtime) -> AsyncIterator[str]:
    async with serve_console(runtime) as url:
        yield url


async def test_a_viewer_signs_in_sees_figures_and_cannot_open_admin_pages(runtime: Runtime, console_url: str) -> None:
    await make_account(runtime, Role.VIEWER)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(console_url + "/")
            await page.get_by_label("E-mail").fill("viewer@example.org")
            await page.get_by_label("Fjalëkalimi").fill(PASSWORD)
            await page.get_by_role("button", name="Hyr").click()
            await page.wait_for_url(console_url + "/")
            await expect(page.get_by_role("heading", name="Applications")).to_be_visible()
            response = await page.goto(console_url + "/audit")
            assert response is not None and response.status == 403
            await page.goto(console_url + "/")
            await page.get_by_role("button", name="Sign out").click()
            await page.wait_for_url(console_url + "/signin")
        finally:
            await browser.close()


async def test_a_viewer_reads_the_indicators_on_a_phone_and_sees_no_names(runtime: Runtime, console_url: str) -> None:
    from tests.reports.test_survey_report import build_fixture

    await build_fixture(runtime)
    await make_account(runtime, Role.VIEWER)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            refused: list[str] = []
            page.on(
                "console", lambda message: refused.append(message.text) if "Content Security" in message.text else None
            )
            await page.goto(console_url + "/")
            await page.get_by_label("E-mail").fill("viewer@example.org")
            await page.get_by_label("Fjalëkalimi").fill(PASSWORD)
            await page.get_by_role("button", name="Hyr").click()
            await page.wait_for_url(console_url + "/")
            await page.get_by_role("link", name="Indicators").click()
            await page.wait_for_url(console_url + "/indicators")
            await page.get_by_label("First day").fill("2026-11-27")
            await page.get_by_label("Last day").fill("2026-11-27")
            await page.get_by_role("button", name="Show").click()
            await page.wait_for_url(console_url + "/indicators?from=2026-11-27&to=2026-11-27")
            assert await page.locator("#total td").first.inner_text() == "9"
            charts = page.locator("svg.chart")
            assert await charts.count() == 5  # four breakdowns and the response rates (nobody started /apply)
            box = await charts.first.bounding_box()
            assert box is not None and 300 <= box["width"] <= 390 and box["height"] > 100
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
            text = await page.locator("body").inner_text()
            assert "Person 20" not in text and "+383" not in text
            assert refused == []
        finally:
            await browser.close()


# Made-up applicants for the applications page (and its screenshot in the README).
PEOPLE = [
    ("Arbër Krasniqi", "pro2y-software", "prishtine", "male", "2003-04-12", "en"),
    ("Blerta Hoxha", "pro2y-software", "prizren", "female", "2005-09-30", "sq"),
    ("Jelena Marković", "pro2y-networks", "gracanice", "female", "2002-01-21", "sr"),
    ("Dardan Berisha", "pro2y-software", "gjakove", "male", "1999-06-02", "sq"),
    ("Elona Gashi", "pro2y-networks", "prishtine", "female", "2006-11-08", "sq"),
    ("Nikola Stojanović", "pro2y-software", "mitrovice-e-veriut", "male", "2001-03-17", "sr"),
    ("Leonora Shala", "pro2y-software", "ferizaj", "female", "2004-07-25", "sq"),
    ("Valon Bytyqi", "pro2y-networks", "peje", "male", "2000-12-05", "sq"),
    ("Ardita Morina", "pro2y-software", "gjilan", "female", "2007-02-14", "sq"),
    ("Blerta Hoxha", "pro2y-networks", "prizren", "female", "2005-09-30", "sq"),  # the same person again
]
# The README's picture of the applications page. Refreshed when missing or on request
# (YOUTHBOT_SCREENSHOT=update): references are random, so every run would change the file.
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "console-applications.png"


def _screenshot_path(tmp_path: Path) -> Path:
    if not SCREENSHOT.exists() or os.environ.get("YOUTHBOT_SCREENSHOT") == "update":
        return SCREENSHOT
    return tmp_path / SCREENSHOT.name


@pytest.fixture
async def bot(settings: Settings, fake: FakeTelegram, clock: ManualClock) -> AsyncIterator[tuple[Runtime, str]]:
    """``youthbot run`` with the console, on 1 March 2027, with a cohort and ten applications."""
    clock.set(datetime(2027, 3, 1, 8, 0, tzinfo=UTC))
    async with bot_with_console(settings, fake, clock) as (runtime, url):
        cohort = await make_cohort(runtime)
        await add_session(runtime, cohort, "15.03.2027 17:30")
        for number, (name, programme, town, gender, born, language) in enumerate(PEOPLE):
            await add_application(
                runtime,
                str(8100 + number) if number < 9 else "8101",
                name=name,
                programme_code=programme,
                municipality=town,
                gender=gender,
                birth_date=born,
                phone=f"+3834471{number:04d}" if number < 9 else "+38344710001",
                language=language,
                heard_from=["social_media", "friends", "school", "event"][number % 4],
                at=clock.now() - timedelta(hours=7 * number + 3),
            )
        yield runtime, url


async def _sign_in(page: Page, url: str, email: str) -> None:
    await page.goto(url + "/")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Fjalëkalimi").fill(PASSWORD)
    await page.get_by_role("button", name="Hyr").click()
    await page.wait_for_url(url + "/")


async def test_a_coordinator_filters_opens_and_accepts_and_the_applicant_is_told_in_albanian(
    bot: tuple[Runtime, str], fake: FakeTelegram, tmp_path: Path
) -> None:
    runtime, url = bot
    await make_account(runtime, Role.COORDINATOR)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 1000})
            await _sign_in(page, url, "coordinator@example.org")
            await page.get_by_role("link", name="Applications").click()
            await page.wait_for_url(url + "/applications")
            await expect(page.get_by_text("10 applications match.")).to_be_visible()
            assert await page.get_by_text("Possible duplicate").count() == 2
            shot = _screenshot_path(tmp_path)
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes().startswith(b"\x89PNG")

            await page.get_by_label("Municipality").select_option(label="Prizren")
            await page.get_by_label("Programme").select_option("pro2y-software")
            await page.get_by_label("Status").select_option(label="Submitted")
            await page.get_by_label("Search: name, reference or phone").fill("hoxha")
            await page.get_by_role("button", name="Filter").click()
            await page.wait_for_url(
                url + "/applications?programme=pro2y-software&status=submitted&municipality=prizren&search=hoxha"
            )
            await expect(page.get_by_text("1 application matches.")).to_be_visible()

            await page.locator("table.applications tbody a").first.click()
            await page.get_by_role("heading", name=re.compile("Application YB-")).wait_for()
            await expect(page.get_by_text("Blerta Hoxha", exact=True)).to_be_visible()
            await page.get_by_label("Accept into a cohort").check()
            await page.get_by_label("Cohort (for an acceptance)").select_option(label="Web 2027 1")
            await page.get_by_label("Personal sentence for the applicant (optional)").fill("Mirë se vjen në grup!")
            await page.get_by_role("button", name="Preview the message").click()
            preview = page.locator("blockquote.message")
            assert "Lajm i mirë" in await preview.inner_text()
            await page.get_by_role("button", name="Confirm and send").click()
            await page.get_by_text("The decision is saved.").wait_for()
            await expect(page.get_by_text("Status: Accepted")).to_be_visible()
        finally:
            await browser.close()
    applicant = TelegramUser(fake, TgUser(id=8101, first_name="Blerta", language_code="sq"))
    (message,) = await applicant.expect("Lajm i mirë")
    assert "Web 2027 1" in (message.text or "") and (message.text or "").endswith("Mirë se vjen në grup!")


async def test_a_viewer_cannot_reach_an_application(bot: tuple[Runtime, str]) -> None:
    runtime, url = bot
    await make_account(runtime, Role.VIEWER)
    async with runtime.db.reading() as conn:
        found = await application_search.search(conn, ApplicationFilter(search="Hoxha"), page=1, today=date(2027, 3, 1))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            await _sign_in(page, url, "viewer@example.org")
            assert await page.get_by_role("link", name="Applications").count() == 0
            for path in ("/applications", f"/applications/{found.rows[0].id}", "/applications.csv"):
                response = await page.goto(url + path)
                assert response is not None and response.status == 403, path
                await expect(page.get_by_text("Your role does not allow this page.")).to_be_visible()
                assert "Hoxha" not in await page.content()
        finally:
            await browser.close()
