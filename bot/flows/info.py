"""Answers that need no conversation: welcome, help, staff /export (/status is in status.py, /mydata in mydata.py)."""

from __future__ import annotations

from bot.flows.registry import Command, Context, Feature
from bot.i18n import _, ngettext
from bot.messages import Document, Option, Reply
from bot.reports.exports import applications_csv


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
        Command("start", lambda: _("Start and choose the language"), run=welcome),
        Command("help", lambda: _("What this bot can do"), run=help_command),
        Command("cancel", lambda: _("Stop the current form"), run=nothing_to_cancel),
        Command(
            "export",
            lambda: _("Applications as CSV (staff)"),
            run=export_reply,
            staff_only=True,
            shortcut=lambda: _("Export applications"),
        ),
    ),
)
