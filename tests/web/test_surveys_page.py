"""Survey results in the console: per wave invited, answered and the rate; answers as charts; typed
answers for coordinators only; the responses' exports audited with their row count."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import openpyxl

from bot.runtime import Runtime
from bot.services.staff import Role
from storage import audit as audit_store
from storage import surveys
from storage.audit import AuditFilter
from tests.reports.test_survey_report import build_fixture
from tests.support.console import client, make_account, sign_in

SECRET = "Ndërmarrja Sekrete SH.P.K."


async def prepare(runtime: Runtime) -> None:
    await build_fixture(runtime)
    async with runtime.db.transaction() as tx:
        async with tx.execute("SELECT id FROM survey_invitations WHERE status = 'completed' ORDER BY id") as cur:
            first = (await cur.fetchone())["id"]
        await surveys.save_answer(tx, first, "employer", SECRET, free_text=True, language="en", now=runtime.clock.now())


async def signed_in(runtime: Runtime, http: httpx.AsyncClient, role: Role) -> None:
    await make_account(runtime, role)
    assert (await sign_in(http, f"{role.value}@example.org")).status_code == 303


async def test_waves_with_invited_answered_and_the_rate(runtime: Runtime) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.VIEWER)
        page = (await http.get("/surveys")).text
    assert "Employment follow-up survey" in page and 'href="/surveys/employment-followup"' in page
    assert (
        '<a href="/surveys/employment-followup?wave=m3">3 months after graduation</a></td>'
        "<td>5</td><td>3</td><td>60%</td><td>1</td><td>1</td>"
    ) in page


async def test_a_viewer_sees_charts_and_counts_but_no_typed_answer(runtime: Runtime) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.VIEWER)
        page = (await http.get("/surveys/employment-followup")).text
        assert (await http.get("/surveys/employment-followup/export.csv")).status_code == 403
        assert (await http.get("/surveys/nope")).status_code == 404
    assert "3 completed responses" in page
    assert page.count("<svg") >= 1 and "style=" not in page
    assert "<title>Employment status</title>" in page
    assert "<tr><td>Employed full-time</td><td>1</td></tr>" in page
    assert "<tr><td>In an internship</td><td>1</td></tr>" in page
    assert "<tr><td>Studying, not working</td><td>0</td></tr>" in page
    assert SECRET not in page and "Person 2001" not in page
    assert "Typed answers are shown to coordinators only." in page
    assert "export.csv" not in page


async def test_a_coordinator_reads_typed_answers_and_filters_by_wave(runtime: Runtime) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.COORDINATOR)
        page = (await http.get("/surveys/employment-followup")).text
        m3 = (await http.get("/surveys/employment-followup?wave=m3")).text
        m6 = (await http.get("/surveys/employment-followup?wave=m6")).text
    assert f"<li>{SECRET}</li>" in page and "Person 2001" not in page
    assert "Answered: 1 · skipped: 0" in page
    assert "3 completed responses" in m3 and "<h2>3 months after graduation</h2>" in m3
    assert "0 completed responses" in m6 and SECRET not in m6
    assert 'href="/surveys/employment-followup/export.xlsx"' in page


async def test_exports_reuse_the_survey_export_and_are_audited(runtime: Runtime, tmp_path: Path) -> None:
    await prepare(runtime)
    async with client(runtime) as http:
        await signed_in(runtime, http, Role.COORDINATOR)
        as_csv = await http.get("/surveys/employment-followup/export.csv")
        as_xlsx = await http.get("/surveys/employment-followup/export.xlsx")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [r["employment_status"] for r in rows] == ["employed_full_time", "looking", "internship"]
    assert rows[0]["employer"] == SECRET
    target = tmp_path / "responses.xlsx"
    target.write_bytes(as_xlsx.content)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert len(cells) == 4 and cells[0][0] == "response" and SECRET in cells[1]
    async with runtime.db.reading() as conn:
        entries = await audit_store.search(conn, AuditFilter(action="survey.export"))
    assert sorted((e.target_id, e.detail["format"], e.detail["rows"]) for e in entries) == [
        ("employment-followup", "csv", 3),
        ("employment-followup", "xlsx", 3),
    ]
