"""/web: a staff member with a linked console account gets a one-time sign-in link (10 minutes)."""

from __future__ import annotations

from bot.flows.registry import Command, Context, Feature
from bot.i18n import _
from bot.messages import Reply
from bot.services import staff


async def web_command(ctx: Context) -> list[Reply]:
    base = ctx.settings.web_base_url
    if base is None:
        return [Reply(_("The staff console is not set up on this bot."))]
    if ctx.staff_id is None:
        return [Reply(_("No staff console account is linked to this chat. Ask an administrator to link it."))]
    token = await staff.issue_sign_in_link(ctx.tx, ctx.staff_id, now=ctx.now)
    return [
        Reply(
            _("Open this link within 10 minutes to sign in to the staff console (it works once): {link}").format(
                link=f"{base}/link/{token}"
            )
        )
    ]


FEATURE = Feature(
    "web",
    commands=(
        Command(
            "web",
            lambda: _("A sign-in link for the staff console (staff)"),
            run=web_command,
            staff_only=True,
            role="viewer",
        ),
    ),
)
