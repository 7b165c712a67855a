"""The indicators page: the same figures as ``youthbot report`` for the same data and period, period
boundaries in the programme's time zone, charts as inline SVG, no names, audited exports, every language."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import httpx
import openpyxl
import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import LANGUAGES, gettext, use_language
from bot.runtime import Runtime, open_runtime
from bot.services import placements, staff
from bot.services.staff import Role
from storage import audit as audit_store
from storage.audit import AuditFilter
from tests.reports.test_survey_report import build_fixture
from tests.support.chat import Chat
from tests.support.console import client, csrf_of, make_account, sign_in
from tests.support.forms import choose_language, submit_application
from tests.support.surveys import applicant

PERIOD = "from=2026-11-27&to=2026-11-30"
# Belgrade is UTC+1 in November: the local day of each moment decides.
EDGES = {
    "3001": (datetime(2026, 11, 26, 22, 59, tzinfo=UTC), False),  # 23:59 on the 26th
    "3002": (datetime(2026, 11, 26, 23, 0, tzinfo=UTC), True),  # 00:00 on the 27th
    "3003": (datetime(2026, 11, 30, 22, 59, tzinfo=UTC), True),  # 23:59 on the 30th
    "3004": (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), False),  # 00:00 on 1 December
}
CLI_LINE = re.compile(
    r"^(?:• )?(?P<label>.+): applicants (\d+) · accepted (\d+) · enrolled (\d+) · completed (\d+) · "
    r"dropped out (\d+) · answered a survey (\d+) of (\d+) asked \([^)]*\) · placed (\d+) \([^)]*\): "
    r"(\d+) in a job, (\d+) in an internship; in ICT (\d+), not in ICT (\d+), not recorded (\d+)$"
)


async def prepare(runtime: Runtime) -> None:
    await build_fixture(runtime)
    async with runtime.db.transaction() as tx:
        for platform_id, (moment, _inside) in EDGES.items():
            await applicant(tx, platform_id, moment, "pro2y-networks", "male", "2004-01-01")
        staff_id = await staff_of(tx)
        async with tx.execute("SELECT id FROM enrolments ORDER BY id LIMIT 2") as cur:
            first, second = [row["id"] for row in await cur.fetchall()]
        now = runtime.clock.now()
        await placements.record(tx, first, "job", "Firm", None, True, staff_id=staff_id, now=now)
        await placements.record(tx, first, "internship", "Firm", None, False, staff_id=staff_id, now=now)
        await placements.record(tx, second, "internship", "Lab", None, False, staff_id=staff_id, now=now)
    gives_up = Chat(runtime, "4001")
    await choose_language(gives_up)
    await gives_up.send("/apply")
    await gives_up.press("pro2y-software")
    submits = Chat(runtime, "4002")
    await choose_language(submits)
    await submit_application(submits)


async def staff_of(tx: aiosqlite.Connection) -> int:
    member, _token = await staff.add(
        tx, email="placements@example.org", name="P", role=Role.COORDINATOR, language="en", now=datetime.now(UTC)
    )
    return member.id


def page_rows(page: str) -> list[tuple[str, tuple[int, ...]]]:
    """The figure rows of the page's tables: label and the twelve figures (answered/asked as two)."""
    found = []
    for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', page):
        values = re.findall(r"<td>(.*?)</td>", cells)[:12]  # then confirmed placements and attendance
        numbers = [int(n) for value in values for n in value.split("/")]
        found.append((html.unescape(label), tuple(numbers)))
    return found


def cli_rows(out: str) -> list[tuple[str, tuple[int, ...]]]:
    found = []
    for line in out.splitlines():
        match = CLI_LINE.match(line)
        if match:
            found.append((match.group("label"), tuple(int(g) for g in match.groups()[1:])))
    return found


def funnel_of_page(page: str) -> list[tuple[str, int]]:
    table = page.split('id="funnel"', 1)[1].split("</table>", 1)[0]
    return [(html.unescape(s), int(n)) for s, n in re.findall(r"<tr><td>(.*?)</td><td>(\d+) \(", table)]


def funnel_of_cli(out: str) -> list[tuple[str, int]]:
    tail = out.split("Application funnel (each start of /apply):", 1)[1]
    return [(s, int(n)) for s, n in re.findall(r"^• (.+): (\d+)$", tail, flags=re.M)]


def test_the_page_shows_the_figures_of_youthbot_report_for_the_same_period(
    settings: Settings,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def page() -> str:
        async with open_runtime(settings, clock=clock) as runtime:
            await prepare(runtime)
            await make_account(runtime, Role.VIEWER)
            async with client(runtime) as http:
                await sign_in(http, "viewer@example.org")
                response = await http.get(f"/indicators?{PERIOD}")
                assert response.status_code == 200
                return response.text

    shown = asyncio.run(page())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    assert main(["report", "--from", "2026-11-27", "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    on_page, in_report = page_rows(shown), cli_rows(out)
    assert len(on_page) == len(in_report) == 10  # total, 2 programmes, 3 sexes, 3 ages, 1 municipality
    assert [figures for _label, figures in on_page] == [figures for _label, figures in in_report]
    assert [label for label, _f in on_page[1:]] == [label for label, _f in in_report[1:]]
    # 9 of the fixture, the two edges inside the period, and the one submitted through the form
    assert on_page[0][1][0] == 9 + sum(inside for _m, inside in EDGES.values()) + 1 == 12
    confirmed = re.search(r"Placements confirmed by staff: (\d+) \(jobs (\d+), internships (\d+); in ICT (\d+)\)", out)
    assert confirmed is not None
    total_cells = re.findall(r"<td>(.*?)</td>", re.findall(r'<tr><th scope="row">.*?</th>(.*?)</tr>', shown)[0])
    assert tuple(int(c) for c in total_cells[12:16]) == tuple(int(g) for g in confirmed.groups()) == (2, 0, 2, 0)
    assert funnel_of_page(shown) == funnel_of_cli(out)
    assert dict(funnel_of_page(shown))["Started"] == 2 and dict(funnel_of_page(shown))["Submitted"] == 1
    assert "Applications made from 27 November 2026 to 30 November 2026" in shown


async def signed_in(runtime: Runtime, http: httpx.AsyncClient, role: Role) -> None:
    await make_account(runtime, role)
    assert (await sign_in(http, f"{role.value}@example.org")).status_code == 303


async def test_period_boundaries_and_a_wrong_period(runtime: Runtime) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.VIEWER)

        async def applicants(query: str) -> int:
            return page_rows((await http.get(f"/indicators?{query}")).text)[0][1][0]

        assert await applicants("") == 9 + len(EDGES) + 1
        assert await applicants("from=2026-11-27&to=2026-11-27") == 9 + 1 + 1  # 3002 at local midnight
        assert await applicants("to=2026-11-26") == 1  # 3001
        assert await applicants("from=2026-12-01") == 1  # 3004
        assert await applicants("from=2026-11-28&to=2026-11-30") == 1  # 3003
        wrong = await http.get("/indicators?from=2026-11-30&to=2026-11-27")
        assert wrong.status_code == 200 and "The last day is before the first day." in wrong.text
        assert page_rows(wrong.text)[0][1][0] == 9 + len(EDGES) + 1  # everything, with the error said
        assert "The first day is not a date" in (await http.get("/indicators?from=27.11.2026")).text
        assert (await http.get("/indicators.csv?to=nope")).status_code == 400


async def test_charts_are_inline_svg_and_a_viewer_sees_no_names(runtime: Runtime) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.VIEWER)
        response = await http.get("/indicators")
    page = response.text
    assert page.count("<svg") == 6  # programme, sex, age, municipality, response rates, funnel
    assert "style=" not in page and "<style" not in page and "<script>" not in page
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert 'aria-label="By programme"' in page and "<title>Application funnel</title>" in page
    for private in ("Person 2001", "Jane Doe", "+38344123456", "jane@example.com"):
        assert private not in page


async def test_exports_are_the_table_and_audited_with_the_row_count(runtime: Runtime, tmp_path: Path) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.VIEWER)
        page = (await http.get(f"/indicators?{PERIOD}")).text
        assert f'href="/indicators.csv?{PERIOD}"' in page.replace("&amp;", "&")
        as_csv = await http.get(f"/indicators.csv?{PERIOD}")
        as_xlsx = await http.get(f"/indicators.xlsx?{PERIOD}")
    assert as_csv.headers["content-disposition"] == 'attachment; filename="indicators.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) == len(page_rows(page))
    assert rows[0]["breakdown"] == "All programmes" and rows[0]["applicants"] == "12"
    assert {r["breakdown"] for r in rows} == {
        "All programmes",
        "By programme",
        "By sex",
        "By age at application",
        "By municipality",
    }
    target = tmp_path / "indicators.xlsx"
    target.write_bytes(as_xlsx.content)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][:3] == ("breakdown", "group", "applicants") and cells[1][2] == 12 and len(cells) == len(rows) + 1
    async with runtime.db.reading() as conn:
        entries = await audit_store.search(conn, AuditFilter(action="indicators.export"))
    assert sorted((e.detail["format"], e.detail["rows"], e.detail["from"], e.detail["to"]) for e in entries) == [
        ("csv", len(rows), "2026-11-27", "2026-11-30"),
        ("xlsx", len(rows), "2026-11-27", "2026-11-30"),
    ]


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_each_language_renders(runtime: Runtime, language: str) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.COORDINATOR)
        csrf = csrf_of((await http.get("/")).text)
        await http.post("/language", data={"csrf": csrf, "language": language})
        indicators = await http.get("/indicators")
        surveys = await http.get("/surveys/employment-followup")
    assert indicators.status_code == surveys.status_code == 200
    with use_language(language):
        for text in ("Indicators", "Application funnel", "By municipality:", "Survey response rates", "Dropped out"):
            assert html.escape(gettext(text).rstrip(":"), quote=False) in indicators.text, (language, text)
        assert (
            html.escape(gettext("Answered: {answered} · skipped: {skipped}").split("{")[0].strip(), quote=False)
            in surveys.text
        )
    if language != "en":
        assert "Application funnel" not in indicators.text
