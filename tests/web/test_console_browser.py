"""The console in a real browser (Debian's Chromium through Playwright): sign-in and the role check.

Skipped with one line when /usr/bin/chromium is missing, unless YOUTHBOT_BROWSER_TESTS=required (CI).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from bot.runtime import Runtime
from bot.services.staff import Role
from bot.web.app import create_app
from tests.support.console import PASSWORD, make_account

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("YOUTHBOT_BROWSER_TESTS") == "required":
        raise RuntimeError("YOUTHBOT_BROWSER_TESTS=required but /usr/bin/chromium is missing")
    pytest.skip("browser tests need /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import async_playwright  # noqa: E402


@pytest.fixture
async def console_url(runtime: Runtime) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(runtime.db, runtime.settings, runtime.clock)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


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
            assert await page.get_by_role("heading", name="Applications").is_visible()
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
