"""The trainee's side: reminders with "will you attend?" buttons, /schedule, /reminders.

Reminders and session notices are outbox rows (planned in
``bot.services.reminders``); the renderers below make their text when a row is
sent, in the trainee's language of that moment and from the session as it is
then. A renderer returns None when the row is no longer relevant (session
moved or cancelled, trainee no longer enrolled, reminders turned off, or a
later reminder is due as well after a downtime), and the worker drops it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.flows.registry import Action, Command, Context, Delivery, MessageKind
from bot.flows.training.session_texts import detail_lines, offsets_text, start_text
from bot.i18n import _
from bot.messages import Option, Reply
from bot.reference.texts import programme_title
from bot.services import reminders as reminder_plan
from storage import Connection, attendance, cohorts, programmes, sessions, trainees
from storage import reminders as reminder_facts
from storage.sessions import Session

SCHEDULE_LIMIT = 10


def rsvp_options(session_id: int) -> list[Option]:
    return [
        Option(f"rsvp.y.{session_id}", _("✅ I will attend")),
        Option(f"rsvp.n.{session_id}", _("❌ I can't attend")),
    ]


def answer_line(answer: str | None) -> str | None:
    if answer == "yes":
        return _("Your answer: you will attend.")
    if answer == "no":
        return _("Your answer: you can't attend.")
    return None


async def _cohort_name(conn: Connection, cohort_id: int) -> str:
    cohort = await cohorts.get(conn, cohort_id)
    return cohort.name if cohort else "–"


async def _current_session(d: Delivery) -> Session | None:
    """The row's session if it is still scheduled at the time the row was planned for,
    and the person is still enrolled in its cohort."""
    session = await sessions.get(d.conn, int(d.item.payload["session_id"]))
    if session is None or not session.scheduled:
        return None
    if session.revision != d.item.payload.get("revision"):
        return None
    if d.user is None or not await trainees.is_enrolled(d.conn, session.cohort_id, d.user.id):
        return None
    return session


async def render_reminder(d: Delivery) -> Reply | None:
    if d.user is None:
        return None
    found = await reminder_facts.facts(d.conn, int(d.item.payload["session_id"]), d.user.id)
    if found is None or not (found.enrolled and found.wants_reminders):
        return None
    session = found.session
    if not session.scheduled or session.revision != d.item.payload.get("revision"):
        return None
    later = [session.starts_at - timedelta(minutes=int(m)) for m in d.item.payload.get("later", [])]
    if any(due <= d.now for due in later):  # after a downtime: the closer reminder says it all
        return None
    lines = [_("⏰ Reminder: training session of {cohort}.").format(cohort=found.cohort_name), ""]
    lines += detail_lines(session, d.settings.timezone)
    lines += ["", answer_line(found.answer) or _("Will you attend?")]
    return Reply("\n".join(lines), rsvp_options(session.id), menu=True)


async def render_moved(d: Delivery) -> Reply | None:
    session = await _current_session(d)
    if session is None:
        return None
    old = datetime.fromisoformat(str(d.item.payload["old_start"]))
    tz = d.settings.timezone
    lines = [
        _("📅 Change of schedule: the training session of {cohort} planned for {old} has been moved.").format(
            cohort=await _cohort_name(d.conn, session.cohort_id), old=start_text(old, tz)
        ),
        "",
        *detail_lines(session, tz),
        "",
        _("Will you attend at the new time?"),
    ]
    return Reply("\n".join(lines), rsvp_options(session.id), menu=True)


async def render_cancelled(d: Delivery) -> Reply | None:
    session = await sessions.get(d.conn, int(d.item.payload["session_id"]))
    if session is None or session.scheduled or d.user is None:
        return None
    if not await trainees.is_enrolled(d.conn, session.cohort_id, d.user.id):
        return None
    text = _(
        "❗ Cancelled: the training session of {cohort} on {when} will not take place. See your next sessions with /schedule."
    ).format(
        cohort=await _cohort_name(d.conn, session.cohort_id), when=start_text(session.starts_at, d.settings.timezone)
    )
    return Reply(text)


async def render_enrolled(d: Delivery) -> Reply | None:
    cohort = await cohorts.get(d.conn, int(d.item.payload["cohort_id"]))
    if cohort is None or d.user is None or not await trainees.is_enrolled(d.conn, cohort.id, d.user.id):
        return None
    programme = await programmes.by_id(d.conn, cohort.programme_id)
    lines = [
        _("🎉 Good news! You have been accepted into {programme}, group {cohort}.").format(
            programme=programme_title(programme) if programme else "–", cohort=cohort.name
        ),
        _(
            "Before each training session I will send you a reminder. See your sessions with /schedule; turn reminders off or on with /reminders."
        ),
    ]
    return Reply("\n".join(lines), [Option("schedule", _("My sessions"))], menu=True)


async def rsvp(ctx: Context, args: list[str]) -> list[Reply] | None:
    """``rsvp.y.<session>`` / ``rsvp.n.<session>``: None for a forged or outdated button."""
    if len(args) != 2 or args[0] not in ("y", "n") or not args[1].isdigit():
        return None
    session = await sessions.get(ctx.tx, int(args[1]))
    if session is None or not session.scheduled or session.starts_at <= ctx.now:
        return None
    if not await trainees.is_enrolled(ctx.tx, session.cohort_id, ctx.user.id):
        return None
    answer = "yes" if args[0] == "y" else "no"
    earlier = await reminder_plan.set_answer(ctx.tx, session.id, ctx.user.id, answer, ctx.now)
    when = start_text(session.starts_at, ctx.settings.timezone)
    if earlier == answer:
        text = _("Already noted: you will attend.") if answer == "yes" else _("Already noted: you can't attend.")
    elif answer == "yes":
        text = _("Thank you! Noted: you will attend the session on {when}.").format(when=when)
    else:
        text = _(
            "Thank you for telling us. Noted: you can't attend the session on {when}. If that changes, press the other button."
        ).format(when=when)
    return [Reply(text)]


def reminders_status(ctx: Context, on: bool) -> Reply:
    if on:
        return Reply(
            _("Reminders are on: I write to you {offsets} before each of your training sessions.").format(
                offsets=offsets_text(ctx.settings.reminder_offsets)
            ),
            [Option("remind.off", _("Turn reminders off"))],
            menu=True,
        )
    return Reply(
        _("Reminders are off. If a session is moved or cancelled, I still tell you."),
        [Option("remind.on", _("Turn reminders on"))],
        menu=True,
    )


async def reminders_command(ctx: Context) -> list[Reply]:
    return [reminders_status(ctx, await trainees.reminders_on(ctx.tx, ctx.user.id))]


async def remind(ctx: Context, args: list[str]) -> list[Reply] | None:
    """``remind.on`` / ``remind.off``; turning them on plans the upcoming sessions' reminders again."""
    if args not in (["on"], ["off"]):
        return None
    wanted = args[0] == "on"
    if await trainees.reminders_on(ctx.tx, ctx.user.id) == wanted:
        note = _("Reminders were already on.") if wanted else _("Reminders were already off.")
        return [Reply(note), reminders_status(ctx, wanted)]
    await reminder_plan.set_reminders(ctx.tx, ctx.user.id, wanted, ctx.now)
    if wanted:
        for cohort_id in await trainees.enrolled_cohort_ids(ctx.tx, ctx.user.id):
            await reminder_plan.plan_for_trainee(ctx.tx, cohort_id, ctx.user.id, ctx.settings.reminder_offsets, ctx.now)
    return [reminders_status(ctx, wanted)]


async def schedule_command(ctx: Context) -> list[Reply]:
    """The trainee's upcoming sessions with place, link and their answer."""
    upcoming = await sessions.upcoming_for_user(ctx.tx, ctx.user.id, ctx.now, SCHEDULE_LIMIT)
    if not upcoming:
        if await trainees.enrolled_cohort_ids(ctx.tx, ctx.user.id):
            return [Reply(_("You have no upcoming training sessions."))]
        return [
            Reply(
                _(
                    "You are not in a training group yet. When our staff accept your application, your sessions will appear here."
                )
            )
        ]
    lines = [_("Your upcoming training sessions:")]
    for session in upcoming:
        lines += ["", *detail_lines(session, ctx.settings.timezone)]
        answer = answer_line(await attendance.answer_of(ctx.tx, session.id, ctx.user.id))
        if answer:
            lines.append(answer)
    return [Reply("\n".join(lines))]


COMMANDS = (
    Command("schedule", lambda: _("My training sessions"), run=schedule_command),
    Command("reminders", lambda: _("Turn session reminders off or on"), run=reminders_command),
)
ACTIONS = (Action("rsvp", rsvp), Action("remind", remind))
MESSAGE_KINDS = (
    MessageKind(reminder_plan.REMINDER, render_reminder),
    MessageKind(reminder_plan.MOVED, render_moved),
    MessageKind(reminder_plan.CANCELLED, render_cancelled),
    MessageKind(reminder_plan.ENROLLED, render_enrolled),
)
