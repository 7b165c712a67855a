"""The cohort pages in a real browser (Debian's Chromium through Playwright): a coordinator creates
a cohort, adds a session and ticks the register, which shows as the trainee's attendance rate.

Skipped with one line when /usr/bin/chromium is missing, unless YOUTHBOT_BROWSER_TESTS=required (CI).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from bot.runtime import Runtime
from bot.services.staff import Role
from storage import cohorts, register, sessions
from tests.support.browser import ARGS, CHROMIUM, serve_console
from tests.support.console import PASSWORD, make_account
from tests.support.training import enrol, make_applicant, utc

if not CHROMIUM.exists():
    if os.environ.get("YOUTHBOT_BROWSER_TESTS") == "required":
        raise RuntimeError("YOUTHBOT_BROWSER_TESTS=required but /usr/bin/chromium is missing")
    pytest.skip("browser tests need /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import async_playwright, expect


@pytest.fixture
async def console_url(runtime: Runtime) -> AsyncIterator[str]:
    async with serve_console(runtime) as url:
        yield url


async def test_a_coordinator_creates_a_cohort_adds_a_session_and_ticks_the_register(
    runtime: Runtime,
    console_url: str,
) -> None:
    await make_account(runtime, Role.COORDINATOR)
    arta = await make_applicant(runtime, "501", "Arta Krasniqi")
    blerim = await make_applicant(runtime, "502", "Blerim Gashi")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(console_url + "/signin")
            await page.get_by_label("E-mail").fill("coordinator@example.org")
            await page.get_by_label("Fjalëkalimi").fill(PASSWORD)
            await page.get_by_role("button", name="Hyr").click()
            await page.wait_for_url(console_url + "/")
            await page.get_by_role("link", name="Cohorts").click()
            await page.get_by_label("Code (letters, digits, - or _)").fill("web-2027-1")
            await page.get_by_label("Name", exact=True).fill("Web 2027/1")
            await page.get_by_label("Start", exact=True).fill("2027-03-01")
            await page.get_by_label("Planned end").fill("2027-06-30")
            await page.get_by_role("button", name="Create the cohort").click()
            await page.wait_for_url(console_url + "/cohorts/1")
            async with runtime.db.reading() as conn:
                cohort = await cohorts.by_code(conn, "web-2027-1")
            assert cohort is not None and cohort.name == "Web 2027/1"
            for reference in (arta, blerim):  # accepted on the applications page (another part of the console)
                await enrol(runtime, reference, cohort)

            await page.get_by_role("link", name="Sessions and attendance").click()
            await page.get_by_label("Start (date and time)").fill("2027-03-15T17:30")
            await page.get_by_label("End (time)").fill("19:00")
            await page.get_by_label("Place").fill("Room 3, ICK, Prishtina")
            await page.get_by_label("Topic").fill("Git basics")
            await page.get_by_role("button", name="Add the session").click()
            await page.wait_for_url(console_url + "/cohorts/1/sessions?week=2027-03-15")
            await page.get_by_role("link", name="17:30–19:00 Git basics").click()
            await expect(page.get_by_role("heading", name="No answer: 2")).to_be_visible()
            await page.get_by_label("Arta Krasniqi").check()
            await page.get_by_role("button", name="Save the register").click()
            await expect(page.get_by_role("status").filter(has_text="Register saved: 1 came.")).to_be_visible()

            await page.goto(console_url + "/cohorts/1")
            row = page.get_by_role("row").filter(has_text="Arta Krasniqi")
            await expect(row.get_by_text("100%")).to_be_visible()
        finally:
            await browser.close()
    async with runtime.db.reading() as conn:
        (session,) = await sessions.of_cohort(conn, cohort.id)
        rates = {t.full_name: t.attendance_rate for t in await register.trainees(conn, cohort.id)}
    assert session.starts_at == utc(2027, 3, 15, 16, 30)
    assert rates == {"Arta Krasniqi": 1.0, "Blerim Gashi": 0.0}
