"""/status: the person's applications and where each stands. Apart from info.py, which
reads the application form's questions for /mydata, so that the form can offer it."""

from __future__ import annotations

from bot.flows.registry import Context
from bot.i18n import _, format_date, ngettext
from bot.messages import Option, Reply
from bot.reference.texts import application_status, programme_title
from storage import applications, programmes


async def status_reply(ctx: Context) -> list[Reply]:
    apps = await applications.for_user(ctx.tx, ctx.user.id)
    if not apps:
        return [
            Reply(
                _("You have not applied yet. Would you like to apply now?"),
                [Option("apply", _("Apply for a training"))],
                menu=True,
            )
        ]
    lines = [ngettext("You have {n} application:", "You have {n} applications:", len(apps)).format(n=len(apps))]
    for app in apps:
        programme = await programmes.by_id(ctx.tx, app.programme_id)
        title = programme_title(programme) if programme else app.programme_code
        lines.append(
            _("• {programme}\n  reference {reference}, sent {date}, status: {status}").format(
                programme=title,
                reference=app.reference,
                date=format_date(app.created_at.astimezone(ctx.settings.timezone).date()),
                status=application_status(app.status),
            )
        )
    return [Reply("\n".join(lines))]
