"""``youthbot openings import FILE.csv``: many openings at once, all or nothing.

The file has a header row with these columns, in any order:

    kind         job or internship
    title        the position
    employer     the company or organisation
    description  a few sentences
    municipality a municipality in any language or spelling, or "remote"
    tracks       one or more of the track keys or English names, separated by ";" or "|"
    deadline     the last day to apply: 31.12.2026 or 2026-12-31
    apply        how to apply: a link, an e-mail address or a phone number

Comma- or semicolon-separated, UTF-8 (with or without the BOM Excel writes).
Every row is checked first with the same rules as /newopening; if any row is
wrong, every problem is listed (line and column) and nothing is imported.
Otherwise all openings and their alerts are saved in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import use_language
from bot.parsing.openings import (
    LENGTHS,
    REMOTE_WORDS,
    has_contact,
    parse_deadline_text,
)
from bot.reference.municipalities import Municipalities
from bot.reference.tracks import TRACKS, match_track
from bot.services.alerts import queue_alerts
from bot.services.opening_days import local_today
from storage import Database, openings
from storage.openings import KINDS, NewOpening, Opening

COLUMNS = ("kind", "title", "employer", "description", "municipality", "tracks", "deadline", "apply")
_LENGTH_OF = {"title": "title", "employer": "employer", "description": "description", "apply": "apply_how"}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportRejected(ValueError):
    """The file has problems; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def _cells(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each non-empty row with the line it starts on."""
    first = text.split("\n", 1)[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().casefold() for h in next(reader, [])]
    rows = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        if any(cell.strip() for cell in row):
            rows.append((start, {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}))
    return header, rows


def _check_row(
    line: int, cells: dict[str, str], municipalities: Municipalities, today: date
) -> tuple[NewOpening | None, list[RowError]]:
    errors = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    kind = cells["kind"].casefold()
    if kind not in KINDS:
        bad("kind", f"{cells['kind']!r} must be job or internship")
    for column, length_key in _LENGTH_OF.items():
        low, high = LENGTHS[length_key]
        value = cells[column] if column in ("description", "apply") else " ".join(cells[column].split())
        if not low <= len(value) <= high:
            bad(column, f"must be {low} to {high} characters long (it is {len(value)})")
    if cells["apply"] and not has_contact(cells["apply"]):
        bad("apply", "needs a link (https://...), an e-mail address or a phone number")
    place = cells["municipality"]
    municipality = None
    if place.casefold() not in REMOTE_WORDS:
        found = municipalities.match(place)
        if found is None:
            hint = ", ".join(m.name("en") for m in municipalities.suggest(place))
            bad(
                "municipality",
                f"{place!r} is not a municipality of Kosovo"
                + (f" (did you mean {hint}?)" if hint else "")
                + ' nor "remote"',
            )
        else:
            municipality = found.key
    tracks = []
    for part in cells["tracks"].replace("|", ";").split(";"):
        if part.strip():
            key = match_track(part)
            if key is None:
                bad("tracks", f"{part.strip()!r} is not a track; use: {', '.join(TRACKS)}")
            else:
                tracks.append(key)
    if not tracks and not any(e.column == "tracks" for e in errors):
        bad("tracks", "name at least one track")
    deadline = parse_deadline_text(cells["deadline"], today)
    if isinstance(deadline, str):
        bad("deadline", deadline)
    if errors:
        return None, errors
    assert isinstance(deadline, date)
    return NewOpening(
        kind=kind,
        title=" ".join(cells["title"].split()),
        employer=" ".join(cells["employer"].split()),
        description=cells["description"],
        municipality=municipality,
        tracks=tuple(dict.fromkeys(tracks)),
        deadline=deadline,
        apply_how=cells["apply"],
    ), []


def parse_openings(text: str, municipalities: Municipalities, today: date) -> list[tuple[int, NewOpening]]:
    """Every row as an opening with its line; raises ImportRejected listing every problem."""
    header, rows = _cells(text)
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or not header:
        parts = [f"missing column(s): {', '.join(missing)}"] if missing else []
        parts += [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
        raise ImportRejected([RowError(1, None, "; ".join(parts) + f" (expected: {', '.join(COLUMNS)})")])
    if not rows:
        raise ImportRejected([RowError(1, None, "no openings below the header")])
    with use_language("en"):  # the shared checks speak through _(): the CLI speaks English
        checked = [(line, *_check_row(line, cells, municipalities, today)) for line, cells in rows]
    errors = [e for _line, _opening, row_errors in checked for e in row_errors]
    seen: dict[tuple[str, str, date], int] = {}
    for line, opening, _errors in checked:
        if opening is not None:
            key = (opening.title, opening.employer, opening.deadline)
            if key in seen:
                errors.append(RowError(line, None, f"the same opening as line {seen[key]}"))
            seen.setdefault(key, line)
    if errors:
        raise ImportRejected(errors)
    return [(line, opening) for line, opening, _errors in checked if opening is not None]


async def import_openings(db: Database, path: Path, settings: Settings, clock: Clock) -> tuple[list[Opening], int]:
    """Import the file in one transaction; return the openings and how many alerts were queued."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [RowError(1, None, f"the file is not UTF-8 ({exc.reason}); save it as CSV UTF-8")]
        ) from None
    now = clock.now()
    parsed = parse_openings(text, Municipalities.load(), local_today(settings, now))
    async with db.transaction() as tx:
        existing = [(line, await openings.find_same(tx, o.title, o.employer, o.deadline)) for line, o in parsed]
        clashes = [
            RowError(line, None, f"this opening is already open as #{found}") for line, found in existing if found
        ]
        if clashes:
            raise ImportRejected(clashes)
        created = [await openings.create(tx, o, None, now) for _line, o in parsed]
        alerted = sum([await queue_alerts(tx, o, settings, now) for o in created])
    return created, alerted
