"""The ``youthbot`` command: run the bot, chat in the console, export, build catalogs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli import staff as staff_admin
from bot.cli import training as training_admin
from bot.cli.files import write_private
from bot.config import Settings, load_settings
from bot.errors import YouthbotError
from storage import StorageError

EXIT_CONFIG = 2

NO_TOKEN = """TELEGRAM_BOT_TOKEN is not set.
To run the bot on Telegram: open Telegram, talk to @BotFather, send /newbot,
follow the steps, and put the token it gives you in .env as
TELEGRAM_BOT_TOKEN=123456:ABC...
To try the bot without a token, chat with it here: youthbot chat"""

NO_CHANNEL = """WEBHOOK_BASE_URL is set but neither TELEGRAM_BOT_TOKEN nor VIBER_AUTH_TOKEN is.
Set at least one of them (see docs/viber.md), or remove WEBHOOK_BASE_URL to use
Telegram long polling."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="youthbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run",
        help="run the bot: Telegram long polling, or webhooks for Telegram and Viber when WEBHOOK_BASE_URL is set",
    )
    chat = sub.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument("--user", default="console", help="who you are in the console (default: console)")
    chat.add_argument("--staff", action="store_true", help="act as staff (allows /export)")
    export = sub.add_parser("export", help="export data as CSV")
    export.add_argument("what", choices=["applications", "survey", "attendance"])
    export.add_argument("survey_id", nargs="?", help="with 'survey': the survey's id, e.g. employment-followup")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--cohort", help="attendance: only this cohort (its code)")
    training_admin.add_parsers(sub)
    graduate = sub.add_parser("graduate", help="mark a cohort's trainees as graduates and plan their follow-up surveys")
    graduate.add_argument("cohort", help="the cohort's code")
    graduate.add_argument("--on", required=True, help="the graduation date, e.g. 2026-06-30")
    report = sub.add_parser("report", help="print the programme's indicators (applicants to placements)")
    report.add_argument("--chart", type=Path, help="also write the placement chart to this PNG file")
    report.add_argument("--from", dest="start", help="only applications made on or after this day, e.g. 2026-01-01")
    report.add_argument("--to", dest="end", help="only applications made on or before this day, e.g. 2026-06-30")
    survey = sub.add_parser("survey", help="follow-up surveys: check the survey files, or send one now")
    survey.add_argument("action", choices=["check", "send"])
    survey.add_argument("survey_id", nargs="?", help="with 'send': the survey's id")
    survey.add_argument("--to", help="with 'send': graduates, cohort:CODE or programme:CODE")
    catalogs = sub.add_parser("catalogs", help="build translation catalogs")
    catalogs.add_argument("action", choices=["compile", "update"])
    openings = sub.add_parser("openings", help="job and internship openings")
    openings.add_argument("action", choices=["import"])
    openings.add_argument("file", type=Path, help="a CSV file (see docs: kind,title,employer,...)")
    sub.add_parser("broadcasts", help="list past broadcasts with their delivery counts")
    staff_admin.add_parsers(sub)
    sub.add_parser("web", help="serve the staff web console alone (WEB_HOST, WEB_PORT)")
    keep = sub.add_parser("retention", help="anonymise what is older than RETENTION_MONTHS (the bot does it daily)")
    keep.add_argument("--dry-run", action="store_true", help="only say what would be anonymised")
    return parser


def configure_logging(settings: Settings) -> None:
    from bot.logs import setup_logging

    setup_logging(settings)


async def _export(settings: Settings, out: Path | None) -> None:
    from bot.reports.exports import applications_csv
    from storage import Database

    if not settings.database_path.exists():
        raise StorageError(f"no database at {settings.database_path} (DATABASE_PATH)")
    async with Database(settings.database_path) as db, db.reading() as conn:
        content, count = await applications_csv(conn)
    if out is None:
        sys.stdout.write(content.decode("utf-8-sig"))
    else:
        write_private(out, content)
        print(f"{count} applications written to {out}", file=sys.stderr)


async def _chat(settings: Settings, user: str, staff: bool) -> None:
    from bot.handlers.console import run_console
    from bot.runtime import open_runtime

    async with open_runtime(settings, console_staff=staff) as runtime:
        await run_console(runtime, user)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "catalogs":
        from bot.i18n.catalogs import compile_catalogs, update_catalogs

        if args.action == "update":
            update_catalogs()
        for path in compile_catalogs():  # only what changed: make chat and make test run this each time
            print(f"compiled {path.relative_to(path.parents[3])}")
        return 0
    try:
        settings = load_settings()
        configure_logging(settings)
        if args.command == "run" and settings.webhook_base_url is not None:
            if settings.telegram_token is None and settings.viber_auth_token is None:
                print(NO_CHANNEL, file=sys.stderr)
                return EXIT_CONFIG
            from bot.handlers.webserver import run_webhooks

            run_webhooks(settings)
        elif args.command == "run":
            if settings.telegram_token is None:
                print(NO_TOKEN, file=sys.stderr)
                return EXIT_CONFIG
            from bot.handlers.telegram.channel import run_polling

            run_polling(settings)
        elif args.command == "staff":
            return asyncio.run(staff_admin.run(settings, args))
        elif args.command == "web":
            from bot.web.serve import run_web

            run_web(settings)
        elif args.command == "retention":
            from bot.cli.privacy import retention_command

            return asyncio.run(retention_command(settings, dry_run=args.dry_run))
        elif args.command == "chat":
            asyncio.run(_chat(settings, args.user, args.staff))
        elif args.command in training_admin.COMMANDS or (args.command, getattr(args, "what", None)) == (
            "export",
            "attendance",
        ):
            return training_admin.run(settings, args)
        elif args.command in ("graduate", "report", "survey") or (args.command == "export" and args.what == "survey"):
            from bot.cli import surveys as commands

            commands.run(settings, args)
        elif args.command == "export":
            asyncio.run(_export(settings, args.out))
        elif args.command in ("openings", "broadcasts"):
            from bot.cli.openings import broadcasts_command, import_command

            if args.command == "openings":
                return asyncio.run(import_command(settings, args.file))
            return asyncio.run(broadcasts_command(settings))
    except (YouthbotError, StorageError) as exc:
        print(f"youthbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
