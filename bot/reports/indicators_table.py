"""The indicators as one table (a row per breakdown and group) for the console's CSV and XLSX exports.

Aggregates only: no row names a person. The group labels are in the current
language; the column names stay English keys, so a spreadsheet built on them
keeps working whoever exported.
"""

from __future__ import annotations

import csv
import io

import xlsxwriter  # type: ignore[import-untyped]

from bot.i18n import _
from bot.reports.csvfile import safe_cell
from bot.reports.indicators import Counts, Report
from bot.reports.indicators_text import breakdowns

COLUMNS = (
    "breakdown",
    "group",
    "applicants",
    "accepted",
    "enrolled",
    "completed",
    "dropped_out",
    "asked",
    "answered",
    "response_rate",
    "placed",
    "placed_job",
    "placed_internship",
    "placed_ict",
    "placed_not_ict",
    "placed_ict_not_recorded",
    "confirmed_placements",
    "confirmed_job",
    "confirmed_internship",
    "confirmed_ict",
    "attendance_rate",
)


def _rate(rate: float | None) -> object:
    return round(rate, 4) if rate is not None else ""


def _figures(counts: Counts) -> list[object]:
    return [
        counts.applicants,
        counts.accepted,
        counts.enrolled,
        counts.completed,
        counts.dropped_out,
        counts.asked,
        counts.answered,
        _rate(counts.response_rate),
        counts.placed,
        counts.placed_job,
        counts.placed_internship,
        counts.placed_ict,
        counts.placed_not_ict,
        counts.placed_ict_unknown,
        counts.confirmed,
        counts.confirmed_job,
        counts.confirmed_internship,
        counts.confirmed_ict,
        _rate(counts.attendance_rate),
    ]


def table_rows(report: Report) -> list[list[object]]:
    """The total, then every breakdown's groups, in the order the page shows them."""
    rows: list[list[object]] = [[_("All programmes"), "", *_figures(report.total)]]
    for title, groups in breakdowns(report):
        rows += [[title.rstrip(":"), label, *_figures(counts)] for label, counts in groups]
    return rows


def table_csv(report: Report) -> tuple[bytes, int]:
    rows = table_rows(report)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig"), len(rows)


def table_xlsx(report: Report) -> tuple[bytes, int]:
    """Labels as string cells (never formulas), figures as numbers."""
    rows = table_rows(report)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("indicators")
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name)
    for number, row in enumerate(rows, start=1):
        for col, cell in enumerate(row):
            if isinstance(cell, (int, float)):
                sheet.write_number(number, col, cell)
            elif cell != "":
                sheet.write_string(number, col, str(cell))
    book.close()
    return buffer.getvalue(), len(rows)
