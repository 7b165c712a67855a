"""Exports of the list: exactly the filtered rows, as CSV (UTF-8 with a BOM, formulas neutralised)
and XLSX (string cells only), each in the audit trail with its filter and row count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from bot.runtime import Runtime
from storage import audit as audit_store
from storage.audit import AuditFilter
from tests.support.applicants import add_application
from tests.support.console import Signed


async def _applicants(runtime: Runtime) -> dict[str, str]:
    now = runtime.clock.now()
    return {
        "arta": await add_application(runtime, "1", name="Arta Krasniqi", phone="+38344100001", at=now),
        "formula": await add_application(
            runtime,
            "2",
            name="Đorđe Šćepanović",
            phone="+38344100002",
            motivation='=HYPERLINK("http://evil.example","click")',
            at=now - timedelta(days=1),
        ),
        "male": await add_application(
            runtime, "3", name="Besnik Gashi", gender="male", phone="+38344100003", at=now - timedelta(days=2)
        ),
        "other": await add_application(
            runtime, "4", name="Ëlira Ramë", programme_code="pro2y-networks", phone="+38344100004"
        ),
    }


async def _exports(runtime: Runtime) -> list[dict[str, object]]:
    async with runtime.db.reading() as conn:
        return [e.detail for e in await audit_store.search(conn, AuditFilter(action="application.export"))]


async def test_csv_has_exactly_the_filtered_rows_with_a_bom_and_no_formulas(
    runtime: Runtime, coordinator: Signed
) -> None:
    made = await _applicants(runtime)
    response = await coordinator.http.get("/applications.csv?gender=female&programme=pro2y-software")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="applications.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [made["arta"], made["formula"]]  # newest first, like the list
    assert rows[1]["full_name"] == "Đorđe Šćepanović"
    assert rows[1]["motivation"] == '\'=HYPERLINK("http://evil.example","click")'
    assert await _exports(runtime) == [
        {"format": "csv", "filter": {"programme": "pro2y-software", "gender": "female"}, "rows": 2}
    ]


async def test_xlsx_has_the_same_rows_as_string_cells(runtime: Runtime, coordinator: Signed) -> None:
    made = await _applicants(runtime)
    response = await coordinator.http.get("/applications.xlsx?search=a&date_from=2026-11-25")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, *rows = values
    assert header[:2] == ["reference", "status"]
    assert sorted(r[0] for r in rows) == sorted([made["arta"], made["formula"], made["male"], made["other"]])
    formula = next(r for r in rows if r[0] == made["formula"])
    motivation = formula[header.index("motivation")]
    assert motivation == '=HYPERLINK("http://evil.example","click")'  # kept as text: a string cell
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None)
    assert await _exports(runtime) == [
        {"format": "xlsx", "filter": {"date_from": "2026-11-25", "search": "a"}, "rows": 4}
    ]


async def test_an_export_of_nothing_is_a_header_and_still_audited(runtime: Runtime, coordinator: Signed) -> None:
    await _applicants(runtime)
    response = await coordinator.http.get("/applications.csv?status=accepted")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("reference,status,created_at")
    assert (await _exports(runtime))[0]["rows"] == 0
