"""Export of exactly the rows of the console's filtered list, as CSV or XLSX.

Both are written 0600: they hold applicants' personal data.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import aiosqlite
import xlsxwriter  # type: ignore[import-untyped]

from bot.reports.csvfile import safe_cell
from storage import applications
from storage.application_search import ApplicationFilter, matching

COLUMNS = applications.COLUMNS


async def csv_bytes(tx: aiosqlite.Connection, f: ApplicationFilter) -> tuple[bytes, int]:
    """The matching applications as CSV in UTF-8 with a BOM, formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    count = 0
    async for row in matching(tx, f):
        writer.writerow({k: safe_cell(row.get(k)) for k in COLUMNS})
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


async def xlsx_bytes(tx: aiosqlite.Connection, f: ApplicationFilter) -> tuple[bytes, int]:
    """The matching applications as an XLSX workbook; every value is a string cell, never a formula."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("applications")
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name)
    count = 0
    async for row in matching(tx, f):
        count += 1
        for col, name in enumerate(COLUMNS):
            value = row.get(name)
            if value is not None:
                sheet.write_string(count, col, str(value))
    book.close()
    return buffer.getvalue(), count


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)
