"""The survey subcommands of ``youthbot``: graduate, survey check/send, export survey, report.

Output is plain English for staff; a mistake is one line (exit status 2) through
:class:`CommandError`, which the CLI reports like a configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.cli.files import write_private
from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from bot.i18n import use_language
from bot.services.campaigns import (
    GraduationError,
    SegmentError,
    graduate_cohort,
    resolve_segment,
    send_now,
)
from bot.surveys.definition import Catalogue, Survey
from bot.surveys.loader import load_directory
from storage import Database, StorageError, cohorts


class CommandError(ConfigError):
    """A staff command names something that does not exist, or asks the impossible."""


def _database(settings: Settings) -> Database:
    if not settings.database_path.exists():
        raise StorageError(f"no database at {settings.database_path} (DATABASE_PATH)")
    return Database(settings.database_path)


def _survey(catalogue: Catalogue, survey_id: str | None) -> Survey:
    if not survey_id:
        raise CommandError("name the survey, e.g. employment-followup")
    survey = catalogue.get(survey_id)
    if survey is None:
        known = ", ".join(catalogue.surveys) or "none"
        raise CommandError(f"there is no survey {survey_id!r} (surveys: {known})")
    return survey


async def graduate(settings: Settings, code: str, on: str) -> str:
    try:
        graduates_on = date.fromisoformat(on)
    except ValueError:
        raise CommandError(f"--on {on!r} is not a date like 2026-06-30") from None
    catalogue = load_directory(settings.survey_dir)
    now = SystemClock().now()
    async with _database(settings) as db, db.transaction() as tx:
        cohort = await cohorts.by_code(tx, code)
        if cohort is None:
            raise CommandError(f"there is no cohort {code!r}")
        try:
            graduated, planned = await graduate_cohort(tx, cohort, graduates_on, catalogue, settings, now)
        except GraduationError as exc:
            raise CommandError(str(exc)) from None
    return f"cohort {code}: {graduated} trainee(s) marked as graduates on {graduates_on.isoformat()}; {planned} survey invitation(s) planned"


async def send(settings: Settings, survey_id: str | None, segment: str | None) -> str:
    survey = _survey(load_directory(settings.survey_dir), survey_id)
    if not segment:
        raise CommandError("say who gets it with --to graduates, --to cohort:CODE or --to programme:CODE")
    now = SystemClock().now()
    async with _database(settings) as db, db.transaction() as tx:
        try:
            recipients = await resolve_segment(tx, segment)
        except SegmentError as exc:
            raise CommandError(str(exc)) from None
        sent = await send_now(tx, survey, recipients, settings, now)
    skipped = len(recipients) - sent
    return f"survey {survey.id} queued for {sent} person(s) in {segment}; {skipped} skipped (their invitation is still open). The running bot sends it within a minute."


def check(settings: Settings) -> str:
    catalogue = load_directory(settings.survey_dir)
    lines = []
    for survey in catalogue.surveys.values():
        waves = ", ".join(str(m) for m in survey.campaign_months) or "none (sent by staff only)"
        lines.append(f"{survey.source}: {survey.id}, {len(survey.questions)} questions, waves at months: {waves}")
    return "\n".join(lines) or f"no survey files in {settings.survey_dir}"


async def export(settings: Settings, survey_id: str | None, out: Path | None) -> str:
    from bot.reports.survey_export import survey_csv

    survey = _survey(load_directory(settings.survey_dir), survey_id)
    async with _database(settings) as db, db.reading() as conn:
        content, count = await survey_csv(conn, survey, settings.timezone)
    if out is None:
        sys.stdout.write(content.decode("utf-8-sig"))
        return ""
    write_private(out, content)
    return f"{count} response(s) to {survey.id} written to {out}"


async def report(settings: Settings, chart: Path | None, start: str | None = None, end: str | None = None) -> str:
    from bot.reference.age_groups import age_groups
    from bot.reports.chart import placement_chart
    from bot.reports.indicators import PeriodError, build_report, parse_period
    from bot.reports.indicators_text import report_text
    from bot.runtime import prepare_catalogs

    try:
        period = parse_period(start, end)
    except PeriodError as exc:
        if exc.field == "order":
            raise CommandError(f"--to {end} is before --from {start}") from None
        typed = start if exc.field == "from" else end
        raise CommandError(f"--{exc.field} {typed!r} is not a date like 2026-06-30") from None
    prepare_catalogs()
    catalogue = load_directory(settings.survey_dir)
    async with _database(settings) as db, db.reading() as conn:
        built = await build_report(
            conn,
            catalogue,
            SystemClock().now(),
            period,
            age_groups(settings.min_age, settings.max_age),
        )
    with use_language("en"):
        text = report_text(built, catalogue, settings.timezone)
        if chart is not None:
            write_private(chart, placement_chart(built))
            text += f"\n\nChart written to {chart}"
    return text


def run(settings: Settings, args: argparse.Namespace) -> None:
    """Run one survey subcommand and print its result."""
    if args.command == "graduate":
        result = asyncio.run(graduate(settings, args.cohort, args.on))
    elif args.command == "report":
        result = asyncio.run(report(settings, args.chart, args.start, args.end))
    elif args.command == "export":
        result = asyncio.run(export(settings, args.survey_id, args.out))
    elif args.action == "check":
        result = check(settings)
    else:
        result = asyncio.run(send(settings, args.survey_id, args.to))
    if result:
        print(result, file=sys.stderr if args.command == "export" else sys.stdout)
