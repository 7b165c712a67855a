"""CSV exports for staff, shared by the CLI and the /export command."""

from __future__ import annotations

import csv
import io

import aiosqlite

from bot.reports.csvfile import safe_cell
from storage import applications


async def applications_csv(conn: aiosqlite.Connection) -> tuple[bytes, int]:
    """All applications as CSV in UTF-8 with a BOM (so Excel shows ë, ç, ш, ђ right)."""
    rows = await applications.export_rows(conn)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(applications.COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig"), len(rows)
