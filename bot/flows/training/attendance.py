"""/attendance for staff: choose a cohort, then a session, and see who answered what.

Built from buttons that carry what they show (``att.c.<cohort>``,
``att.s.<session>``), so they keep working from older messages and need no
conversation state. Staff only.
"""

from __future__ import annotations

from bot.flows.form import PAGE_SIZE
from bot.flows.registry import Context
from bot.flows.training.session_texts import COHORT_CREATE, detail_lines, short_label
from bot.i18n import _, ngettext
from bot.messages import Document, Option, Reply
from bot.reports.attendance import attendance_csv
from storage import attendance, cohorts, sessions
from storage.attendance import Attendee


def _page_of(items: list[Option], page: int, nav_key: str) -> list[Option]:
    """One page of options with ◀/▶ buttons whose keys are ``nav_key`` + page number."""
    pages = max(1, (len(items) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    shown = items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if page > 0:
        shown.append(Option(f"{nav_key}{page - 1}", _("◀ Previous")))
    if page < pages - 1:
        shown.append(Option(f"{nav_key}{page + 1}", _("Next ▶")))
    return shown


async def cohort_list(ctx: Context, page: int = 0) -> list[Reply]:
    found = await cohorts.list_all(ctx.tx)
    if not found:
        return [
            Reply(_("There are no cohorts yet. Create one on the server with: {command}").format(command=COHORT_CREATE))
        ]
    options = [Option(f"att.c.{c.id}", c.name[:60]) for c in found]
    return [Reply(_("Attendance: choose a cohort."), _page_of(options, page, "att.l."), menu=True)]


async def session_list(ctx: Context, cohort_id: int, page: int | None = None) -> list[Reply] | None:
    cohort = await cohorts.get(ctx.tx, cohort_id)
    if cohort is None:
        return None
    found = await sessions.of_cohort(ctx.tx, cohort_id)
    if not found:
        return [Reply(_("{cohort} has no sessions yet.").format(cohort=cohort.name))]
    tz = ctx.settings.timezone
    options = [
        Option(f"att.s.{s.id}", (short_label(s, tz) if s.scheduled else "✖ " + short_label(s, tz))[:64]) for s in found
    ]
    if page is None:  # open at the page of the next session (or the last one)
        upcoming = next((i for i, s in enumerate(found) if s.ends_at > ctx.now), len(found) - 1)
        page = upcoming // PAGE_SIZE
    shown = _page_of(options, page, f"att.c.{cohort_id}.")
    shown.append(Option(f"att.x.{cohort_id}", _("CSV of this cohort")))
    return [Reply(_("{cohort}: choose a session.").format(cohort=cohort.name), shown, menu=True)]


def _names(people: list[Attendee]) -> list[str]:
    deleted = _("(data deleted)")
    return [f"  {p.full_name or deleted} ({p.reference})" for p in people]


async def session_attendance(ctx: Context, session_id: int) -> list[Reply] | None:
    session = await sessions.get(ctx.tx, session_id)
    if session is None:
        return None
    cohort = await cohorts.get(ctx.tx, session.cohort_id)
    people = await attendance.for_session(ctx.tx, session)
    yes = [p for p in people if p.answer == "yes"]
    no = [p for p in people if p.answer == "no"]
    silent = [p for p in people if p.answer is None]
    lines = [
        _("Attendance: {cohort}").format(cohort=cohort.name if cohort else "–"),
        *detail_lines(session, ctx.settings.timezone),
    ]
    if not session.scheduled:
        lines.append(_("This session was cancelled."))
    lines += ["", _("✅ Will attend: {n}").format(n=len(yes)), *_names(yes)]
    lines += [_("❌ Can't attend: {n}").format(n=len(no)), *_names(no)]
    lines += [_("❔ No answer: {n}").format(n=len(silent)), *_names(silent)]
    back = [Option(f"att.c.{session.cohort_id}", _("◀ Sessions"))]
    return [Reply("\n".join(lines), back, menu=True)]


async def cohort_csv(ctx: Context, cohort_id: int) -> list[Reply] | None:
    cohort = await cohorts.get(ctx.tx, cohort_id)
    if cohort is None:
        return None
    content, count = await attendance_csv(ctx.tx, ctx.settings.timezone, cohort_id)
    name = f"attendance-{cohort.code}-{ctx.now.astimezone(ctx.settings.timezone):%Y-%m-%d}.csv"
    caption = ngettext("Attendance of {cohort}: {n} row", "Attendance of {cohort}: {n} rows", count).format(
        cohort=cohort.name, n=count
    )
    return [Reply(caption, document=Document(name, content, caption))]


async def attendance_action(ctx: Context, args: list[str]) -> list[Reply] | None:
    """``att.l.<page>``, ``att.c.<cohort>[.<page>]``, ``att.s.<session>``, ``att.x.<cohort>``."""
    if not args or not all(a.isdigit() for a in args[1:]) or len(args) < 2:
        return None
    what, numbers = args[0], [int(a) for a in args[1:]]
    if what == "l" and len(numbers) == 1:
        return await cohort_list(ctx, numbers[0])
    if what == "c" and len(numbers) in (1, 2):
        return await session_list(ctx, numbers[0], numbers[1] if len(numbers) == 2 else None)
    if what == "s" and len(numbers) == 1:
        return await session_attendance(ctx, numbers[0])
    if what == "x" and len(numbers) == 1:
        return await cohort_csv(ctx, numbers[0])
    return None


async def attendance_command(ctx: Context) -> list[Reply]:
    return await cohort_list(ctx)
