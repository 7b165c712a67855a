"""Exports of exactly the filtered rows, read back: CSV with a BOM and XLSX with string cells."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import openpyxl

from bot.reports import application_export
from bot.runtime import Runtime
from storage.application_search import ApplicationFilter
from tests.support.applicants import add_application

FORMULA = '=HYPERLINK("http://evil.example","click")'


async def _prepare(runtime: Runtime) -> tuple[str, str]:
    kept = await add_application(runtime, "1", name="Ëndrit Çeku", motivation=FORMULA, municipality="prizren")
    await add_application(runtime, "2", name="Other", phone="+38344000002", municipality="peje")
    newest = await add_application(runtime, "3", name="Ђорђе Шаркић", phone="+38344000003", municipality="prizren")
    return kept, newest


async def test_csv_has_only_the_filtered_rows_and_no_formulas(runtime: Runtime) -> None:
    kept, newest = await _prepare(runtime)
    async with runtime.db.reading() as conn:
        data, count = await application_export.csv_bytes(conn, ApplicationFilter(municipality="prizren"))
    assert count == 2 and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [newest, kept]
    assert rows[1]["full_name"] == "Ëndrit Çeku" and rows[1]["motivation"] == "'" + FORMULA
    assert rows[0]["full_name"] == "Ђорђе Шаркић" and rows[0]["phone"] == "+38344000003"


async def test_xlsx_writes_strings_as_strings_and_the_file_is_private(runtime: Runtime, tmp_path: Path) -> None:
    kept, _newest = await _prepare(runtime)
    async with runtime.db.reading() as conn:
        data, count = await application_export.xlsx_bytes(conn, ApplicationFilter(search="Ëndrit"))
    assert count == 1
    path = tmp_path / "applications.xlsx"
    application_export.write_private(path, data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    record = dict(zip(header, row, strict=True))
    assert record["reference"] == kept and record["full_name"] == "Ëndrit Çeku"
    assert record["motivation"] == FORMULA  # text, not a formula
    cell = sheet.cell(row=2, column=header.index("motivation") + 1)
    assert cell.data_type == "s"
