"""A survey's responses as CSV for staff: one row per response, one column per question."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from typing import Any

import aiosqlite
import xlsxwriter  # type: ignore[import-untyped]

from bot.reports.csvfile import safe_cell
from bot.surveys.definition import Survey
from storage import surveys

COLUMNS = (
    "response",
    "wave",
    "status",
    "language",
    "invited_at",
    "completed_at",
    "reference",
    "full_name",
    "gender",
    "birth_year",
    "programme",
    "cohort",
    "graduated_on",
)


def _cell(value: Any) -> object:
    """A stored answer as a spreadsheet cell: option keys, lists joined with '; ', skipped empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _when(moment: datetime | None, timezone: tzinfo) -> str:
    return f"{moment.astimezone(timezone):%Y-%m-%d %H:%M}" if moment is not None else ""


async def _table(conn: aiosqlite.Connection, survey: Survey, timezone: tzinfo) -> list[list[object]]:
    """The header, then one row per response that has at least one answer."""
    rows = await surveys.responses(conn, survey.id)
    table: list[list[object]] = [[*COLUMNS, *(q.id for q in survey.questions)]]
    for row in rows:
        table.append(
            [
                row.invitation_id,
                row.wave,
                row.status,
                row.language or "",
                _when(row.due_at, timezone),
                _when(row.completed_at, timezone),
                row.reference,
                _cell(row.full_name),
                row.gender or "",
                row.birth_year or "",
                row.programme_code,
                row.cohort_code,
                row.graduates_on or "",
                *(_cell(row.answers.get(q.id)) for q in survey.questions),
            ]
        )
    return table


async def survey_csv(conn: aiosqlite.Connection, survey: Survey, timezone: tzinfo) -> tuple[bytes, int]:
    """UTF-8 with a BOM (so Excel shows ë, ç, ш and ђ right); rows that have at least one answer.
    Status says whether a row is a finished response, in progress, or closed half-answered."""
    table = await _table(conn, survey, timezone)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[safe_cell(cell) for cell in row] for row in table])
    return buffer.getvalue().encode("utf-8-sig"), len(table) - 1


async def survey_xlsx(conn: aiosqlite.Connection, survey: Survey, timezone: tzinfo) -> tuple[bytes, int]:
    """The same rows as :func:`survey_csv` in a workbook; every cell a string, never a formula."""
    table = await _table(conn, survey, timezone)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("responses")
    for number, row in enumerate(table):
        for col, cell in enumerate(row):
            text = str(cell)
            if text:
                sheet.write_string(number, col, text)
    book.close()
    return buffer.getvalue(), len(table) - 1
