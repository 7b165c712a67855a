"""CSV exports for staff, shared by the CLI and the /export command."""

from __future__ import annotations

import csv
import io

import aiosqlite

from storage import applications


async def applications_csv(conn: aiosqlite.Connection) -> tuple[bytes, int]:
    """All applications as CSV in UTF-8 with a BOM (so Excel shows ë, ç, ш, ђ right)."""
    rows = await applications.export_rows(conn)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(applications.COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe_cell(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig"), len(rows)


def _safe_cell(value: object) -> object:
    """Keep a spreadsheet from running text typed by applicants as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value[:1] == "+" and value[1:].isdigit():  # an E.164 phone number is data, not a formula
            return value
        return "'" + value
    return value
