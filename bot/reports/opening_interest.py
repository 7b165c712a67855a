"""Who said "I'm interested" in an opening, as CSV or XLSX for the coordinator who follows it up."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter  # type: ignore[import-untyped]

from bot.reports.csvfile import safe_cell
from storage.openings import InterestedPerson, Opening

COLUMNS = ("opening_id", "opening", "name", "phone", "email", "municipality", "channel", "language", "interested_at")


def _rows(opening: Opening, people: Sequence[InterestedPerson]) -> list[list[str]]:
    return [
        [
            str(opening.id),
            opening.title,
            p.full_name or p.display_name or "",
            p.phone or "",
            p.email or "",
            p.municipality or "",
            p.channel,
            p.language or "",
            p.since.isoformat(),
        ]
        for p in people
    ]


def csv_bytes(opening: Opening, people: Sequence[InterestedPerson]) -> bytes:
    """UTF-8 with a BOM (Excel shows ë and ш), formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _rows(opening, people):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(opening: Opening, people: Sequence[InterestedPerson]) -> bytes:
    """Every value a string cell, never a formula."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("interested")
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name)
    for line, row in enumerate(_rows(opening, people), start=1):
        for col, value in enumerate(row):
            sheet.write_string(line, col, value)
    book.close()
    return buffer.getvalue()
