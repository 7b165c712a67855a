"""Attendance as CSV for staff (CLI and Telegram): one row per session and trainee."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from bot.reports.csvfile import safe_cell
from storage import attendance

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
)
ANSWER_WORDS = {"yes": "confirmed", "no": "declined", None: "no answer"}


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def attendance_csv(conn: aiosqlite.Connection, tz: ZoneInfo, cohort_id: int | None = None) -> tuple[bytes, int]:
    """UTF-8 with a BOM (so Excel shows ë, ç, ш, ђ right); times in the programme's zone."""
    rows = await attendance.export_rows(conn, cohort_id)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        session, person = row.session, row.attendee
        values = {
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
        }
        writer.writerow({k: safe_cell(v) for k, v in values.items()})
    return buffer.getvalue().encode("utf-8-sig"), len(rows)
