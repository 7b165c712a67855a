"""Answers that need no conversation: welcome, help, /mydata, staff /export (/status is in status.py)."""

from __future__ import annotations

import re
from datetime import datetime

from bot.flows.link import channel_name
from bot.flows.registry import Command, Context, Feature
from bot.i18n import LANGUAGES, N_, _, format_date, ngettext
from bot.messages import Document, Option, Reply
from bot.reference.texts import application_status, programme_title
from bot.reports.exports import applications_csv
from bot.services import people
from storage import applications, conversations, programmes, users

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


async def mydata_reply(ctx: Context) -> list[Reply]:
    """Everything stored about the user, in plain words (the right of access)."""
    user = ctx.user
    lines = [
        _("This is what we store about you:"),
        _("Account: {channel} {platform_id}").format(channel=channel_name(user.channel), platform_id=user.platform_id),
        _("Name on the account: {name}").format(name=user.display_name or "–"),
        _("Language: {language}").format(language=LANGUAGES[ctx.language].native_name),
        _("First contact: {date}").format(date=format_date(user.created_at.astimezone(ctx.settings.timezone).date())),
    ]
    if user.source:
        lines.append(_("Came through the link: {source}").format(source=user.source))
    state = await conversations.load(ctx.tx, user.id)
    if state is not None and state.answers:
        lines.append(
            ngettext(
                "A form in progress with {n} answer.", "A form in progress with {n} answers.", len(state.answers)
            ).format(n=len(state.answers))
        )
    for row in await applications.personal_rows(ctx.tx, user.id):
        lines.append("")
        lines.append(_("Application {reference}:").format(reference=row["reference"]))
        for column, value in row.items():
            if column != "reference" and value not in (None, ""):
                label, shown = await _stored_field(ctx, column, str(value))
                lines.append(f"  {label}: {shown}")
    lines.append("")
    lines.append(_("To delete your data, send /forget."))
    return [Reply("\n".join(lines))]


FIELD_LABELS = {
    "status": N_("Status"),
    "created_at": N_("Sent on"),
    "programme_code": N_("Programme"),
    "source": N_("Came through the link"),
    "language": N_("Language"),
    "consent_at": N_("Consent given on"),
}


async def _stored_field(ctx: Context, column: str, value: str) -> tuple[str, str]:
    """One stored field of an application in the reader's words: the form's label and display."""
    from bot.flows.apply import QUESTIONS  # the form imports this module for /status

    question = next((q for q in QUESTIONS if q.id == column), None)
    if question is not None:
        return question.label(), await question.show(ctx, value)
    label = _(FIELD_LABELS[column]) if column in FIELD_LABELS else column
    if column == "status":
        return label, application_status(value)
    if column in ("created_at", "consent_at"):
        moment = datetime.fromisoformat(value)
        return label, format_date(moment.astimezone(ctx.settings.timezone).date())
    if column == "programme_code":
        programme = await programmes.by_code(ctx.tx, value)
        return label, programme_title(programme) if programme else value
    if column == "language" and value in LANGUAGES:
        return label, LANGUAGES[value].native_name
    return label, value


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
        Command("mydata", lambda: _("What we store about you"), run=mydata_reply),
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
