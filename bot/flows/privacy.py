"""/privacy: who keeps the person's data, what for, how long, and how to see or erase it.

The periods come from the settings (RETENTION_MONTHS, GUARDIAN_CONSENT_UNDER), so the
notice says what the bot really does; the application's consent step points here.
"""

from __future__ import annotations

from bot.flows.registry import Command, Context, Feature
from bot.i18n import _, ngettext
from bot.messages import Reply


async def privacy_reply(ctx: Context) -> list[Reply]:
    settings = ctx.settings
    months = settings.retention_months
    parts = [
        _("How we protect your data"),
        _(
            "Who: the ICT training programme for young people in Kosovo keeps your data and is responsible for it, under Kosovo's Law on the Protection of Personal Data (No. 06/L-082)."
        ),
        _(
            "What for: to select participants, to contact you about your application and your training, to send the reminders, alerts and surveys you agreed to, and to report to the programme's donor in anonymous numbers only (never with names)."
        ),
        ngettext(
            "How long: an application that was not accepted, and our conversations and messages, are anonymised {months} month after they were made; for trainees and graduates, {months} month after the last follow-up survey. Only anonymous counts remain (programme, sex, year of birth, municipality, status, dates).",
            "How long: an application that was not accepted, and our conversations and messages, are anonymised {months} months after they were made; for trainees and graduates, {months} months after the last follow-up survey. Only anonymous counts remain (programme, sex, year of birth, municipality, status, dates).",
            months,
        ).format(months=months),
    ]
    if settings.guardian_consent_under:
        parts.append(
            _(
                "Young people under {age}: a parent or guardian must agree to the application; we ask for their name and phone number, and our staff may call them to confirm."
            ).format(age=settings.guardian_consent_under)
        )
    parts.append(
        _(
            "Your rights: /mydata shows everything we store about you and sends it as a file; /forget deletes it. You may also ask us to correct your data."
        )
    )
    if settings.privacy_contact:
        parts.append(_("Questions about your data: {contact}").format(contact=settings.privacy_contact))
    return [Reply("\n\n".join(parts))]


FEATURE = Feature(
    "privacy",
    commands=(Command("privacy", lambda: _("How we protect your data"), run=privacy_reply),),
)
