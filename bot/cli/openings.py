"""Staff commands on the server: ``youthbot openings import FILE.csv`` and
``youthbot broadcasts``. Plain English output; problems go to standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import prepare_catalogs
from bot.services.openings_import import ImportRejected, import_openings
from storage import Database, StorageError, broadcasts, openings
from storage.broadcasts import Broadcast


async def import_command(settings: Settings, path: Path) -> int:
    """Import openings; 0 when imported, 2 when the file was refused (nothing imported)."""
    if not path.is_file():
        print(f"youthbot: {path} is not a file", file=sys.stderr)
        return 2
    prepare_catalogs()  # the checks shared with /newopening speak through the catalogs
    async with Database(settings.database_path) as db:
        try:
            created, alerted = await import_openings(db, path, settings, SystemClock())
        except ImportRejected as exc:
            for error in exc.errors:
                print(f"{path.name}: {error}", file=sys.stderr)
            print(f"youthbot: nothing was imported ({len(exc.errors)} problem(s) in {path.name})", file=sys.stderr)
            return 2
    ids = ", ".join(f"#{o.id}" for o in created)
    print(f"{len(created)} opening(s) imported ({ids}); {alerted} alert(s) queued for people whose alerts fit.")
    return 0


def _what(broadcast: Broadcast, title: str | None) -> str:
    if broadcast.opening_id is not None:
        return f"opening #{broadcast.opening_id} {title or ''}".strip()
    text = " ".join((broadcast.text or "").split())
    return f"text: {text[:40]}{'…' if len(text) > 40 else ''}"


async def broadcasts_command(settings: Settings) -> int:
    """Print every broadcast, newest first, with its delivery counts."""
    if not settings.database_path.exists():
        raise StorageError(f"no database at {settings.database_path} (DATABASE_PATH)")
    async with Database(settings.database_path) as db, db.reading() as conn:
        rows = []
        for b in await broadcasts.list_all(conn):
            counts = await broadcasts.delivery_counts(conn, b.id)
            opening = await openings.get(conn, b.opening_id) if b.opening_id else None
            segment = b.segment.kind + (f" {b.segment.arg}" if b.segment.arg else "")
            created = b.created_at.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M")
            rows.append(
                (
                    f"#{b.id}",
                    created,
                    b.status,
                    str(b.recipients),
                    str(counts.sent),
                    str(counts.failed + counts.unreachable),
                    str(counts.unreachable),
                    str(counts.skipped),
                    str(counts.interrupted),
                    str(counts.remaining),
                    segment,
                    _what(b, opening.title if opening else None),
                )
            )
    if not rows:
        print("No broadcasts yet.")
        return 0
    header = (
        "id",
        "created",
        "status",
        "recipients",
        "sent",
        "not delivered",
        "blocked",
        "skipped",
        "interrupted",
        "remaining",
        "to",
        "what",
    )
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0
