"""``youthbot staff add|list|disable|role|reset|link``: staff accounts of the web console, on the server.

Plain English output; a set-password link is printed once and is valid 24 hours.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.clock import SystemClock
from bot.config import Settings
from bot.services import staff
from bot.services.staff import Role, StaffError
from storage import Database

ROLES = [r.value for r in Role]


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser("staff", help="staff accounts of the web console")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account and print its one-time set-password link")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--language", default=None, help="sq, sr, sr_Latn or en (default: DEFAULT_LANGUAGE)")
    actions.add_parser("list", help="list the accounts")
    disable = actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("email")
    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)
    reset = actions.add_parser("reset", help="clear the password and print a new set-password link")
    reset.add_argument("email")
    link = actions.add_parser("link", help="link the account to a Telegram and/or Viber user id (chat staff commands)")
    link.add_argument("email")
    link.add_argument("--telegram", type=int, default=None, help="Telegram user id")
    link.add_argument("--viber", default=None, help="Viber user id")


def set_password_link(settings: Settings, token: str) -> str:
    return f"{settings.web_base_url or f'http://{settings.web_host}:{settings.web_port}'}/password/{token}"


async def run(settings: Settings, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    async with Database(settings.database_path) as db, db.transaction() as tx:
        try:
            if args.action == "add":
                member, token = await staff.add(
                    tx,
                    email=args.email,
                    name=args.name,
                    role=Role(args.role),
                    language=args.language or settings.default_language,
                    now=now,
                )
                print(f"Account {member.email} ({member.role}) created. Set the password within 24 hours at:")
                print(set_password_link(settings, token))
                return 0
            if args.action == "list":
                for m in await staff.list_all(tx):
                    state = "disabled" if m.disabled else "active"
                    print(f"{m.email}\t{m.name}\t{m.role}\t{state}")
                return 0
            found = await staff.by_email(tx, args.email)
            if found is None:
                print(f"youthbot: no staff account {args.email}", file=sys.stderr)
                return 2
            if args.action == "disable":
                ended = await staff.set_disabled(tx, found.id, True, now=now)
                print(f"{found.email} disabled; {ended} session(s) ended.")
            elif args.action == "role":
                await staff.set_role(tx, found.id, Role(args.role), now=now)
                print(f"{found.email} is now {args.role}.")
            elif args.action == "reset":
                token = await staff.reset(tx, found.id, now=now)
                print(f"Password of {found.email} cleared. Set a new one within 24 hours at:")
                print(set_password_link(settings, token))
            elif args.action == "link":
                await staff.link_chat(tx, found.id, telegram_id=args.telegram, viber_id=args.viber, now=now)
                print(f"{found.email} linked; chat staff commands follow the role {found.role}.")
        except StaffError as exc:
            print(f"youthbot: {exc}", file=sys.stderr)
            return 2
    return 0
