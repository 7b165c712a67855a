"""Attendance for staff (CLI, Telegram, the console): one row per session and trainee, as CSV or XLSX,
with their answer to "will you attend?" and, once staff took the register, whether they came."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite
import xlsxwriter  # type: ignore[import-untyped]

from bot.reports.csvfile import safe_cell
from storage import attendance
from storage.attendance import ExportRow

COLUMNS = (
    "cohort",
    "session_id",
    "session_start",
    "session_end",
    "session_status",
    "topic",
    "reference",
    "full_name",
    "answer",
    "answered_at",
    "attended",
)
ANSWER_WORDS = {"yes": "confirmed", "no": "declined", None: "no answer"}
ATTENDED_WORDS = {True: "yes", False: "no", None: ""}  # empty: no register taken for them


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _values(row: ExportRow, tz: ZoneInfo) -> dict[str, object]:
    session, person = row.session, row.attendee
    return {
        "cohort": row.cohort_code,
        "session_id": session.id,
        "session_start": _local(session.starts_at, tz),
        "session_end": _local(session.ends_at, tz),
        "session_status": session.status,
        "topic": session.topic or "",
        "reference": person.reference,
        "full_name": person.full_name or "",
        "answer": ANSWER_WORDS[person.answer],
        "answered_at": _local(person.answered_at, tz),
        "attended": ATTENDED_WORDS[person.present],
    }


async def attendance_csv(conn: aiosqlite.Connection, tz: ZoneInfo, cohort_id: int | None = None) -> tuple[bytes, int]:
    """UTF-8 with a BOM (so Excel shows ë, ç, ш, ђ right); times in the programme's zone."""
    rows = await attendance.export_rows(conn, cohort_id)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in _values(row, tz).items()})
    return buffer.getvalue().encode("utf-8-sig"), len(rows)


async def attendance_xlsx(conn: aiosqlite.Connection, tz: ZoneInfo, cohort_id: int | None = None) -> tuple[bytes, int]:
    """The same rows as a workbook; every value a string cell, so nothing typed becomes a formula."""
    rows = await attendance.export_rows(conn, cohort_id)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("attendance")
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name)
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(_values(row, tz).values()):
            sheet.write_string(line, col, str(value))
    book.close()
    return buffer.getvalue(), len(rows)
