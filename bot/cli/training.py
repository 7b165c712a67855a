"""Staff commands on the server for cohorts, enrolment, schedules and attendance.

``youthbot cohort create|list``, ``youthbot accept``, ``youthbot schedule import|export``
and ``youthbot export attendance``. Output is plain English for staff; a
mistake raises :class:`AdminError` with one clear line (the CLI exits with 2).
Messages these commands queue (the applicant's notice, reminders) are sent
by the running bot, which looks at the outbox at least once a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

import aiosqlite

from bot.cli.files import write_private
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.errors import YouthbotError
from bot.reports.attendance import attendance_csv
from bot.services import cohorts as cohort_service
from bot.services import decisions
from bot.services.cohorts import CODE_MAX, CohortError, CohortFields, CohortProblem
from bot.services.enrolment import Refusal, refusal
from bot.services.schedule_csv import ScheduleError, export_schedule, import_schedule
from storage import Database, StorageError, cohorts, programmes, trainees

COMMANDS = ("cohort", "accept", "schedule")
EXIT_ERROR = 2


class AdminError(YouthbotError, ValueError):
    """A staff command cannot be done; the message says why in one line."""


def _database(settings: Settings) -> Database:
    if not settings.database_path.exists():
        raise StorageError(f"no database at {settings.database_path} (DATABASE_PATH); start the bot once first")
    return Database(settings.database_path)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminError(f"{option} {text!r} is not a date like 2027-03-15") from None


async def cohort_create(
    settings: Settings,
    code: str,
    programme_code: str,
    name: str,
    starts: str | None,
    graduates: str | None,
    clock: Clock | None = None,
) -> str:
    """The same service as the console's "new cohort" (bot.services.cohorts.create)."""
    problems = {
        CohortProblem.CODE: f"cohort code {code!r} must be 1-{CODE_MAX} letters, digits, '-' or '_'",
        CohortProblem.CODE_TAKEN: f"a cohort {code!r} already exists",
        CohortProblem.NAME: "the cohort needs a name",
        CohortProblem.END_BEFORE_START: "the planned end is before --starts",
        CohortProblem.GRADUATION_BEFORE_START: "--graduates is before --starts",
        CohortProblem.PROGRAMME_FIXED: "the programme cannot change",
        CohortProblem.GRADUATION_FIXED: "the graduation date cannot change",
    }
    starts_on, graduates_on = _date(starts, "--starts"), _date(graduates, "--graduates")
    now = (clock or SystemClock()).now()
    async with _database(settings) as db, db.transaction() as tx:
        programme = await programmes.by_code(tx, programme_code)
        if programme is None:
            known = ", ".join(p.code for p in await programmes.list_all(tx))
            raise AdminError(f"there is no programme {programme_code!r}; known: {known}")
        try:
            await cohort_service.create(
                tx,
                code,
                CohortFields(programme.id, name, starts_on, None, graduates_on),
                staff_id=None,  # the server's operator
                now=now,
            )
        except CohortError as exc:
            raise AdminError(problems[exc.problem]) from None
    return f"cohort {code} created for {programme_code}"


async def cohort_list(settings: Settings) -> str:
    async with _database(settings) as db, db.reading() as conn:
        found = await cohorts.list_all(conn)
        lines = []
        for cohort in found:
            programme = await programmes.by_id(conn, cohort.programme_id)
            lines.append(
                f"{cohort.code}\t{programme.code if programme else '-'}\t{cohort.name}\t{cohort.starts_on or ''}"
            )
    return "\n".join(lines) if lines else "no cohorts yet (create one with: youthbot cohort create)"


async def accept_application(settings: Settings, reference: str, cohort_code: str, clock: Clock | None = None) -> str:
    now = (clock or SystemClock()).now()
    async with _database(settings) as db, db.transaction() as tx:
        applicant = await trainees.applicant(tx, reference)
        if applicant is None:
            raise AdminError(f"no application has the reference {reference!r}")
        cohort = await cohorts.by_code(tx, cohort_code)
        if cohort is None:
            raise AdminError(f"there is no cohort {cohort_code!r} (see: youthbot cohort list)")
        problem = await refusal(tx, applicant, cohort)
        if problem is not None:
            reason, other = problem
            if reason == Refusal.ALREADY_ENROLLED:
                other_cohort = await cohorts.get(tx, other) if other else None
                raise AdminError(
                    f"{applicant.reference} is already in cohort {other_cohort.code if other_cohort else '?'}"
                )
            if reason == Refusal.OTHER_PROGRAMME:
                raise AdminError(f"{applicant.reference} applied to another programme than cohort {cohort.code}")
            raise AdminError(f"{applicant.reference} was withdrawn or its personal data deleted")
        try:
            done = await decisions.decide(
                tx,
                applicant.reference,
                decisions.Decision.ACCEPTED,
                staff_id=None,  # the server's operator
                settings=settings,
                now=now,
                cohort_id=cohort.id,
            )
        except decisions.DecisionError as error:
            raise AdminError(f"{applicant.reference}: {error}") from error
    return f"{applicant.reference} accepted into {cohort.code}; the applicant will be told; {done.reminders_planned} reminders planned"


async def schedule_import(settings: Settings, path: Path, clock: Clock | None = None) -> str:
    """Returns the summary; a bad file raises ScheduleError whose problems the CLI prints."""
    now = (clock or SystemClock()).now()
    async with _database(settings) as db:
        summary = await import_schedule(db, path, settings, now)
    return f"{path.name}: {summary}"


async def schedule_export(settings: Settings, cohort_code: str | None, out: Path | None) -> None:
    async with _database(settings) as db, db.reading() as conn:
        cohort_id = await _cohort_id(conn, cohort_code)
        content, count = await export_schedule(conn, settings.timezone, cohort_id)
    _write(content, out, f"{count} sessions")


async def export_attendance(settings: Settings, cohort_code: str | None, out: Path | None) -> None:
    async with _database(settings) as db, db.reading() as conn:
        cohort_id = await _cohort_id(conn, cohort_code)
        content, count = await attendance_csv(conn, settings.timezone, cohort_id)
    _write(content, out, f"{count} attendance rows")


async def _cohort_id(conn: aiosqlite.Connection, cohort_code: str | None) -> int | None:
    if cohort_code is None:
        return None
    cohort = await cohorts.by_code(conn, cohort_code)
    if cohort is None:
        raise AdminError(f"there is no cohort {cohort_code!r} (see: youthbot cohort list)")
    return cohort.id


def _write(content: bytes, out: Path | None, what: str) -> None:
    """CSV (UTF-8 with a BOM) to a file, or as text to standard output."""
    if out is None:
        sys.stdout.write(content.decode("utf-8-sig"))
    else:
        write_private(out, content)
        print(f"{what} written to {out}", file=sys.stderr)


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommands above (``export attendance`` rides on the CLI's ``export``)."""
    cohort = sub.add_parser("cohort", help="create or list cohorts").add_subparsers(dest="action", required=True)
    create = cohort.add_parser("create", help="create a cohort of a programme")
    create.add_argument("code", help="short code staff type, e.g. web-2027-1")
    create.add_argument("programme_code", help="the programme's code in programmes.toml")
    create.add_argument("name", help="the name trainees see, e.g. 'Web 2027/1'")
    create.add_argument("--starts", help="first day, e.g. 2027-03-15")
    create.add_argument("--graduates", help="graduation day, e.g. 2027-06-30")
    cohort.add_parser("list", help="list cohorts")
    accept_cmd = sub.add_parser("accept", help="accept an application into a cohort (the applicant is told)")
    accept_cmd.add_argument("reference", help="the application's reference, e.g. YB-27-K7MX4")
    accept_cmd.add_argument("cohort", help="the cohort's code")
    schedule = sub.add_parser("schedule", help="sessions as CSV").add_subparsers(dest="action", required=True)
    schedule.add_parser("import", help="import or update sessions from a CSV file").add_argument("file", type=Path)
    export = schedule.add_parser("export", help="the scheduled sessions, in the import format with ids")
    export.add_argument("--cohort", help="only this cohort (its code)")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")


async def _dispatch(settings: Settings, args: argparse.Namespace) -> str | None:
    if args.command == "cohort" and args.action == "create":
        return await cohort_create(settings, args.code, args.programme_code, args.name, args.starts, args.graduates)
    if args.command == "cohort":
        return await cohort_list(settings)
    if args.command == "accept":
        return await accept_application(settings, args.reference, args.cohort)
    if args.command == "schedule" and args.action == "import":
        return await schedule_import(settings, args.file)
    if args.command == "schedule":
        await schedule_export(settings, args.cohort, args.out)
        return None
    await export_attendance(settings, args.cohort, args.out)
    return None


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run one subcommand; a mistake prints one line (a bad schedule: one line per problem) and returns 2."""
    try:
        result = asyncio.run(_dispatch(settings, args))
    except ScheduleError as exc:
        print(f"youthbot: {exc}", *exc.problems, sep="\n", file=sys.stderr)
        return EXIT_ERROR
    except AdminError as exc:
        print(f"youthbot: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if result:
        print(result)
    return 0
