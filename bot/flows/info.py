"""Answers that need no conversation: welcome, help, staff /export (/status is in status.py, /mydata in mydata.py)."""

from __future__ import annotations

import re

from bot.flows.registry import Command, Context, Feature
from bot.i18n import _, ngettext
from bot.messages import Document, Option, Reply
from bot.reports.exports import applications_csv
from bot.services import people
from storage import users

_SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def menu_options(ctx: Context) -> list[Option]:
    """Shortcut buttons under the welcome and help messages; their keys are command names."""
    return [
        Option(command.name, command.shortcut())
        for command in ctx.registry.visible_commands(ctx.is_staff, ctx.staff_role)
        if command.shortcut is not None
    ]


async def welcome(ctx: Context) -> list[Reply]:
    return [
        Reply(
            _(
                "Welcome! I am the assistant of the ICT training programme for young people in Kosovo. Here you can apply for our free trainings in software development, systems engineering, networks, entrepreneurship and industry certifications (e.g. Cisco), and follow your application."
            ),
            menu_options(ctx),
            menu=True,
        )
    ]


async def record_source(ctx: Context) -> None:
    """/start with a link's code (``t.me/<bot>?start=fb_campaign``): where a person first came from.
    Runs before the language is chosen, so that a newcomer's first link counts."""
    if ctx.user.source is None and _SOURCE_RE.match(ctx.args):
        await people.set_source(ctx.tx, ctx.user.id, ctx.args, ctx.now)
        ctx.user = await users.get(ctx.tx, ctx.user.id) or ctx.user


def help_reply(ctx: Context) -> Reply:
    lines = [_("Here is what I can do:")]
    lines += [f"/{c.name} – {c.describe()}" for c in ctx.registry.visible_commands(ctx.is_staff, ctx.staff_role)]
    return Reply("\n".join(lines), menu_options(ctx), menu=True)


async def help_command(ctx: Context) -> list[Reply]:
    return [help_reply(ctx)]


async def nothing_to_cancel(ctx: Context) -> list[Reply]:
    return [Reply(_("There is nothing to cancel.")), help_reply(ctx)]


async def export_reply(ctx: Context) -> list[Reply]:
    content, count = await applications_csv(ctx.tx)
    name = f"applications-{ctx.now.astimezone(ctx.settings.timezone):%Y-%m-%d}.csv"
    caption = ngettext("{n} application", "{n} applications", count).format(n=count)
    return [Reply(caption, document=Document(name, content, caption))]


FEATURE = Feature(
    "basics",
    commands=(
        # "welcome": the name older versions stored for "the welcome after choosing the language".
        Command(
            "start",
            lambda: _("Start and choose the language"),
            run=welcome,
            aliases=("welcome",),
            on_arrival=record_source,
        ),
        Command("help", lambda: _("What this bot can do"), run=help_command),
        Command("cancel", lambda: _("Stop the current form"), run=nothing_to_cancel, cancels=True),
        Command(
            "export",
            lambda: _("Applications as CSV (staff)"),
            run=export_reply,
            staff_only=True,
            shortcut=lambda: _("Export applications"),
        ),
    ),
    home=help_reply,
)
