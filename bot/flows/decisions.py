"""The applicant's side of decisions: the message that tells them the outcome
(rendered in their language when it is sent) and withdrawing from /status."""

from __future__ import annotations

from bot.flows.registry import Action, Context, Delivery, Feature, MessageKind
from bot.i18n import _, pgettext
from bot.messages import Option, Reply
from bot.services import decisions
from bot.services.decisions import DecisionError
from storage import application_lifecycle, applications, trainees


async def render_decision(d: Delivery) -> Reply | None:
    """None when the application changed since (withdrawn, erased, decided otherwise)."""
    payload = d.item.payload
    decision = str(payload.get("decision", ""))
    found = await application_lifecycle.standing(d.conn, int(payload["application_id"]))
    if found is None or found.user_id is None or found.status != decision:
        return None
    text = await decisions.message_text(
        d.conn,
        application_id=int(payload["application_id"]),
        decision=decision,
        personal_note=payload.get("note"),
        cohort_id=payload.get("cohort_id"),
        settings=d.settings,
        now=d.now,
    )
    if text is None:
        return None
    if decision == decisions.Decision.ACCEPTED:
        return Reply(text, [Option("schedule", _("My sessions"))], menu=True)
    return Reply(text, [Option("status", _("My applications"))])


async def withdraw_action(ctx: Context, args: list[str]) -> list[Reply] | None:
    """``withdraw.ask.<id>`` asks to confirm, ``withdraw.yes.<id>`` withdraws; None for a forged button."""
    if len(args) != 2 or args[0] not in ("ask", "yes") or not args[1].isdigit():
        return None
    mine = {app.id: app for app in await applications.for_user(ctx.tx, ctx.user.id)}
    app = mine.get(int(args[1]))
    if app is None:
        return None
    if app.status not in decisions.WITHDRAWABLE:
        return [Reply(_("Application {reference} can no longer be withdrawn.").format(reference=app.reference))]
    if args[0] == "ask":
        return [
            Reply(
                _("Withdraw your application {reference}? Staff will no longer consider it.").format(
                    reference=app.reference
                ),
                [
                    Option(f"withdraw.yes.{app.id}", _("Yes, withdraw")),
                    Option("status", pgettext("withdraw an application", "No, keep it")),
                ],
            )
        ]
    found = await trainees.applicant(ctx.tx, app.reference)
    if found is None:
        return None
    try:
        await decisions.withdraw(ctx.tx, app.reference, user_id=ctx.user.id, now=ctx.now)
    except DecisionError:
        return [Reply(_("Application {reference} can no longer be withdrawn.").format(reference=app.reference))]
    return [
        Reply(
            _("Your application {reference} has been withdrawn. You can apply again with /apply.").format(
                reference=app.reference
            ),
            [Option("status", _("My applications"))],
        )
    ]


FEATURE = Feature(
    "decisions",
    actions=(Action("withdraw", withdraw_action),),
    message_kinds=(MessageKind(decisions.DECISION_MESSAGE, render_decision),),
)
