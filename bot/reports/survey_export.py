"""A survey's responses as CSV for staff: one row per response, one column per question."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from typing import Any

import aiosqlite

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
    return safe_cell(value)


def _when(moment: datetime | None, timezone: tzinfo) -> str:
    return f"{moment.astimezone(timezone):%Y-%m-%d %H:%M}" if moment is not None else ""


async def survey_csv(conn: aiosqlite.Connection, survey: Survey, timezone: tzinfo) -> tuple[bytes, int]:
    """UTF-8 with a BOM (so Excel shows ë, ç, ш and ђ right); rows that have at least one answer.
    Status says whether a row is a finished response, in progress, or closed half-answered."""
    rows = await surveys.responses(conn, survey.id)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*COLUMNS, *(q.id for q in survey.questions)])
    for row in rows:
        writer.writerow(
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
    return buffer.getvalue().encode("utf-8-sig"), len(rows)
