"""The schedule as CSV: ``youthbot schedule import FILE.csv`` loads or updates sessions,
``youthbot schedule export`` writes them in the same format (with their ids).

Columns (header row, any order, comma or semicolon separated, UTF-8):
``cohort, start, end, place, online_url, topic`` and optionally ``id``.
Times are in the programme's zone: ``15.03.2027 17:30`` or ``2027-03-15 17:30``;
``end`` may be just ``19:00`` (same day). Each row needs a place or a link.

Identity on re-import: a row with an ``id`` updates that session (a new start
moves it: reminders re-planned, trainees told); a row without one matches
the cohort's session at the same start, so importing the same file again
changes nothing and an edited place or topic is updated. A row matching a
cancelled session leaves it cancelled.

Every problem is reported with its line and column, and then nothing at all
is imported: the whole file is applied in one transaction or not at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

from bot.config import Settings
from bot.i18n import N_, gettext
from bot.parsing.localtime import LocalTimeError, TimeProblem, end_on_day, parse_local
from bot.services import sessions as session_changes
from storage import Database, cohorts, sessions
from storage.sessions import SessionDetails

REQUIRED = ("cohort", "start", "end")
OPTIONAL = ("id", "place", "online_url", "topic")
EXPORT_COLUMNS = ("id", "cohort", "start", "end", "place", "online_url", "topic")
TEXT_MAX = 200
URL_MAX = 500
MAX_ROWS = 10_000
LONGEST = timedelta(hours=24)


@dataclass(frozen=True)
class RowProblem:
    """One problem of a line; ``template`` is a catalog msgid, so the console shows it translated."""

    line: int
    column: str
    template: str
    values: tuple[tuple[str, object], ...] = ()

    @property
    def message(self) -> str:
        """In English, for the command line."""
        return self.template.format(**dict(self.values))

    def translated(self) -> str:
        """In the current language (the console)."""
        return gettext(self.template).format(**dict(self.values))

    def __str__(self) -> str:
        if self.line == 0:  # the file as a whole
            return self.message
        return (
            f"line {self.line}, column {self.column}: {self.message}"
            if self.column
            else f"line {self.line}: {self.message}"
        )


class ScheduleError(ValueError):
    """The file has problems; nothing was imported."""

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.found = problems  # every problem, the file as a whole too (the console lists them)
        if len(problems) == 1 and problems[0].line == 0:  # the file as a whole: say it in one line
            super().__init__(f"{source}: {problems[0]}")
            self.problems: list[RowProblem] = []
            return
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{source}: {count}, nothing was imported")
        self.problems = problems


@dataclass(frozen=True)
class ScheduleRow:
    line: int
    session_id: int | None
    cohort_code: str
    details: SessionDetails
    ambiguous: bool  # a start in the repeated autumn hour, taken as the first one


@dataclass
class ImportSummary:
    created: int = 0
    moved: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_cancelled: int = 0
    reminders_planned: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.created} created, {self.moved} moved, {self.updated} updated, {self.unchanged} unchanged,"
            f" {self.kept_cancelled} left cancelled; {self.reminders_planned} reminders planned"
        )
        return "\n".join([text, *self.notes])


FORMULA_STARTS = ("=", "+", "-", "@")


def _guard(value: object) -> object:
    """Keep a spreadsheet from running a cell as a formula: a leading ``'``, undone by ``_unguard``.

    A value that already starts with ``'`` before such a character is guarded too, so the
    import can tell the two apart and the round trip gives back exactly what was exported.
    """
    if isinstance(value, str) and value.lstrip("'")[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _unguard(value: str) -> str:
    return value[1:] if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_STARTS else value


def _problem(line: int, column: str, template: str, **values: object) -> RowProblem:
    return RowProblem(line, column, template, tuple(values.items()))


def _not_utf8() -> RowProblem:
    return _problem(0, "", N_("is not {encoding} text (save it as '{format}')"), encoding="UTF-8", format="CSV UTF-8")


def _time_problem(line: int, column: str, exc: LocalTimeError) -> RowProblem:
    if exc.problem == TimeProblem.NONEXISTENT:
        return _problem(
            line,
            column,
            N_("{time} does not exist in the programme's time zone (clocks jump from 02:00 to 03:00 that night)"),
            time=exc.text,
        )
    return _problem(line, column, N_("{text!r} is not a date and time like 15.03.2027 17:30"), text=exc.text)


def _parse_row(line: int, cells: dict[str, str], tz: ZoneInfo, problems: list[RowProblem]) -> ScheduleRow | None:
    found = len(problems)
    for column in REQUIRED:
        if not cells.get(column):
            problems.append(_problem(line, column, N_("is empty")))
    session_id = None
    if cells.get("id"):
        if cells["id"].isdigit():
            session_id = int(cells["id"])
        else:
            problems.append(_problem(line, "id", N_("{text!r} is not a session number"), text=cells["id"]))
    place, url, topic = cells.get("place") or None, cells.get("online_url") or None, cells.get("topic") or None
    if place is None and url is None:
        problems.append(_problem(line, "place", N_("needs a place or an {link}"), link="online_url"))
    if url is not None and (not url.lower().startswith(("https://", "http://")) or " " in url or len(url) > URL_MAX):
        problems.append(
            _problem(
                line,
                "online_url",
                N_("{text!r} is not a link starting with {prefix}"),
                text=url[:60],
                prefix="https://",
            )
        )
    for column, value in (("place", place), ("topic", topic)):
        if value is not None and len(value) > TEXT_MAX:
            problems.append(_problem(line, column, N_("is longer than {n} characters"), n=TEXT_MAX))
    start = end = None
    ambiguous = False
    if cells.get("start"):
        try:
            moment = parse_local(cells["start"], tz)
            start, ambiguous = moment.utc, moment.ambiguous
        except LocalTimeError as exc:
            problems.append(_time_problem(line, "start", exc))
    if start is not None and cells.get("end"):
        try:
            end = end_on_day(cells["end"], start.astimezone(tz).date(), tz).utc
        except LocalTimeError as exc:
            problems.append(_time_problem(line, "end", exc))
        if end is not None and not start < end <= start + LONGEST:
            problems.append(_problem(line, "end", N_("must be after the start, at most 24 hours later")))
    if len(problems) > found or start is None or end is None:
        return None
    return ScheduleRow(line, session_id, cells["cohort"], SessionDetails(start, end, place, url, topic), ambiguous)


def check_session(
    start: str, end: str, place: str, online_url: str, topic: str, tz: ZoneInfo
) -> tuple[SessionDetails | None, list[RowProblem]]:
    """One session typed in a form, checked by the same rules as a line of the file."""
    problems: list[RowProblem] = []
    cells = {"cohort": "-", "start": start.strip(), "end": end.strip(), "place": place.strip()}
    cells |= {"online_url": online_url.strip(), "topic": topic.strip()}
    row = _parse_row(0, cells, tz, problems)
    return (row.details if row else None), problems


def read_schedule(text: str, tz: ZoneInfo, source: str = "schedule") -> list[ScheduleRow]:
    """Parse and check the file's text; raise ScheduleError listing every problem."""
    rows, problems = parse_schedule(text, tz, source)
    if problems:
        raise ScheduleError(source, problems)
    return rows


def parse_schedule(text: str, tz: ZoneInfo, source: str = "schedule") -> tuple[list[ScheduleRow], list[RowProblem]]:
    """The rows that parsed and the problems of the others (a bad header raises ScheduleError at once)."""
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    problems = [_problem(1, h, N_("unknown column")) for h in header if h not in REQUIRED + OPTIONAL]
    problems += [_problem(1, c, N_("column is missing")) for c in REQUIRED if c not in header]
    if problems:
        raise ScheduleError(source, problems)
    rows: list[ScheduleRow] = []
    seen: dict[tuple[object, ...], int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problems.append(
                _problem(
                    line, "", N_("has {cells} cells, the header has {columns}"), cells=len(record), columns=len(header)
                )
            )
            continue
        cells = {h: _unguard(c.strip()) for h, c in zip(header, record, strict=False)}
        row = _parse_row(line, cells, tz, problems)
        if row is None:
            continue
        key = ("id", row.session_id) if row.session_id else ("start", row.cohort_code, row.details.starts_at)
        if key in seen:
            problems.append(
                _problem(
                    line,
                    "id" if row.session_id else "start",
                    N_("the same session as line {earlier}"),
                    earlier=seen[key],
                )
            )
        seen[key] = line
        rows.append(row)
        if len(rows) > MAX_ROWS:
            problems.append(_problem(line, "", N_("more than {n} rows; split the file"), n=MAX_ROWS))
            break
    return rows, problems


async def apply_schedule(
    tx: aiosqlite.Connection,
    rows: list[ScheduleRow],
    settings: Settings,
    now: datetime,
    source: str = "schedule",
    earlier: list[RowProblem] | None = None,
) -> ImportSummary:
    """Create, move or update the sessions; raise ScheduleError (so the caller's transaction rolls back).

    ``earlier``: the problems found while parsing, reported together with the database's, by line.
    """
    summary, problems = ImportSummary(), list(earlier or [])
    cohort_ids: dict[str, int | None] = {}
    for row in rows:
        if row.cohort_code not in cohort_ids:
            cohort = await cohorts.by_code(tx, row.cohort_code)
            cohort_ids[row.cohort_code] = cohort.id if cohort else None
        cohort_id = cohort_ids[row.cohort_code]
        if cohort_id is None:
            problems.append(
                _problem(
                    row.line,
                    "cohort",
                    N_("there is no cohort {cohort!r} (create it with: {command})"),
                    cohort=row.cohort_code,
                    command="youthbot cohort create",
                )
            )
            continue
        new = row.details
        if row.session_id is not None:
            session = await sessions.get(tx, row.session_id)
            if session is None or session.cohort_id != cohort_id:
                problems.append(
                    _problem(
                        row.line,
                        "id",
                        N_("cohort {cohort!r} has no session {session}"),
                        cohort=row.cohort_code,
                        session=row.session_id,
                    )
                )
                continue
        else:
            session = await sessions.at_start(tx, cohort_id, new.starts_at)
        if row.ambiguous:
            summary.notes.append(
                f"line {row.line}: the start is in the hour that happens twice when clocks go back; the first one (summer time) was taken"
            )
        try:
            if session is None:
                _created, planned = await session_changes.add(tx, cohort_id, new, settings, now)
                summary.created += 1
                summary.reminders_planned += planned
            elif not session.scheduled:
                summary.kept_cancelled += 1
            elif session.starts_at != new.starts_at:
                moved, planned = await session_changes.move(tx, session, new.starts_at, new.ends_at, settings, now)
                await session_changes.update_details(tx, moved, new, now)
                summary.moved += 1
                summary.reminders_planned += planned
            elif session.details() != new:
                await session_changes.update_details(tx, session, new, now)
                summary.updated += 1
            else:
                summary.unchanged += 1
        except session_changes.SessionClash as clash:
            problems.append(
                _problem(
                    row.line,
                    "start",
                    N_("session {session} of this cohort already starts then"),
                    session=clash.other.id,
                )
            )
    if problems:
        raise ScheduleError(source, sorted(problems, key=lambda p: p.line))
    return summary


def decode(content: bytes, source: str) -> str:
    """The file's text; ScheduleError when it is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScheduleError(source, [_not_utf8()]) from None


async def import_for_cohort(
    tx: aiosqlite.Connection, content: bytes, cohort_code: str, settings: Settings, now: datetime, source: str
) -> ImportSummary:
    """A file uploaded on a cohort's page: every line must be of that cohort. Raises ScheduleError
    with every problem (the caller's transaction then rolls back: nothing is imported)."""
    rows, problems = parse_schedule(decode(content, source), settings.timezone, source)
    for row in rows:
        if row.cohort_code != cohort_code:
            problems.append(
                _problem(row.line, "cohort", N_("this page imports cohort {cohort!r} only"), cohort=cohort_code)
            )
    return await apply_schedule(tx, [r for r in rows if r.cohort_code == cohort_code], settings, now, source, problems)


async def import_schedule(db: Database, path: Path, settings: Settings, now: datetime) -> ImportSummary:
    """Read, check and apply a schedule file in one transaction."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ScheduleError(
            str(path), [_problem(0, "", N_("cannot read the file: {reason}"), reason=exc.strerror)]
        ) from None
    except UnicodeDecodeError:
        raise ScheduleError(str(path), [_not_utf8()]) from None
    rows, problems = parse_schedule(text, settings.timezone, path.name)
    async with db.transaction() as tx:  # the database checks run on every row that parsed, too
        return await apply_schedule(tx, rows, settings, now, path.name, problems)


async def export_schedule(conn: aiosqlite.Connection, tz: ZoneInfo, cohort_id: int | None = None) -> tuple[bytes, int]:
    """Scheduled sessions in the import format, ids included, so a file can be edited and imported back."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for cohort in await cohorts.list_all(conn):
        if cohort_id is not None and cohort.id != cohort_id:
            continue
        for session in await sessions.of_cohort(conn, cohort.id, only_scheduled=True):
            start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
            end_text = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%d.%m.%Y %H:%M")
            cells = (
                session.id,
                cohort.code,
                start.strftime("%d.%m.%Y %H:%M"),
                end_text,
                session.place or "",
                session.online_url or "",
                session.topic or "",
            )
            writer.writerow([_guard(c) for c in cells])
            count += 1
    return buffer.getvalue().encode("utf-8-sig"), count
