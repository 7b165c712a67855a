"""A cohort's sessions for coordinators: a list and a week calendar in the programme's time zone;
add, move and cancel through the same service as ``/sessions`` (reminders re-planned, trainees told
through the outbox); a schedule CSV import that shows every line's problem and imports nothing then;
per session the RSVPs and the register; the attendance export as CSV or XLSX.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import N_
from bot.parsing.localtime import LocalTimeError, end_on_day, parse_local
from bot.reports.attendance import attendance_csv, attendance_xlsx
from bot.services import audit
from bot.services import register as register_service
from bot.services import sessions as session_changes
from bot.services.schedule_csv import RowProblem, ScheduleError, check_session, import_for_cohort
from bot.services.staff import Role
from bot.web.console import Console, Context, Guarded, Public, download
from bot.web.formatting import page_helpers
from bot.web.pages.cohorts import cohort_of, day, field, not_found, today
from storage import attendance, cohorts, register, sessions
from storage.cohorts import Cohort
from storage.sessions import Session

IMPORT_MAX_BYTES = 2_000_000


def week_of(console: Console, request: Request) -> date:
    """The Monday of the week asked for (``?week=2027-03-29``), or of this week."""
    asked = day(request.query_params.get("week", "")) or today(console)
    return asked - timedelta(days=asked.weekday())


def calendar(console: Console, found: list[Session], monday: date) -> list[tuple[date, list[Session]]]:
    """Seven local days from ``monday`` with the sessions that start on each (programme zone)."""
    tz = console.settings.timezone
    days: list[tuple[date, list[Session]]] = [(monday + timedelta(days=i), []) for i in range(7)]
    for session in found:
        index = (session.starts_at.astimezone(tz).date() - monday).days
        if 0 <= index < 7:
            days[index][1].append(session)
    return days


async def _sessions_page(
    console: Console,
    request: Request,
    ctx: Context,
    cohort: Cohort,
    status: int = 200,
    problems: list[RowProblem] | None = None,
    **extra: object,
) -> Response:
    async with console.db.reading() as conn:
        found = await sessions.of_cohort(conn, cohort.id)
    monday = week_of(console, request)
    return console.page(
        request,
        ctx,
        "sessions.html",
        status,
        cohort=cohort,
        sessions=found,
        week=calendar(console, found, monday),
        monday=monday,
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        problems=problems or [],
        form=extra.pop("form", {}),
        summary=extra.pop("summary", None),
        **page_helpers(console),
        **extra,
    )


async def sessions_page(console: Console, request: Request, ctx: Context) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    return await _sessions_page(console, request, ctx, cohort)


async def session_add(console: Console, request: Request, ctx: Context) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    form = await request.form()
    values = {k: field(form, k) for k in ("start", "end", "place", "online_url", "topic")}
    details, problems = check_session(**values, tz=console.settings.timezone)
    if details is None:
        return await _sessions_page(console, request, ctx, cohort, 400, problems, form=values)
    now = console.clock.now()
    try:
        async with console.db.transaction() as tx:
            session, planned = await session_changes.add(tx, cohort.id, details, console.settings, now)
            await audit.record(
                tx,
                staff_id=ctx.me.id,
                action="session.add",
                target_kind="session",
                target_id=str(session.id),
                detail={"cohort": cohort.id, "reminders": planned},
                now=now,
            )
    except session_changes.SessionClash:
        clash = RowProblem(0, "start", N_("Another session of this cohort starts at that time."))
        return await _sessions_page(console, request, ctx, cohort, 400, [clash], form=values)
    console.wake_outbox()  # a reminder may be due already, or trainees told: the worker re-arms
    return console.redirect(f"/cohorts/{cohort.id}/sessions?week={week_start(console, session)}")


def week_start(console: Console, session: Session) -> str:
    local = session.starts_at.astimezone(console.settings.timezone).date()
    return (local - timedelta(days=local.weekday())).isoformat()


async def schedule_import(console: Console, request: Request, ctx: Context) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    form = await request.form()
    upload = form.get("file")
    try:
        content = await upload.read(IMPORT_MAX_BYTES + 1) if upload is not None and not isinstance(upload, str) else b""
    finally:
        await form.close()  # the upload's temporary file
    if not content or len(content) > IMPORT_MAX_BYTES:
        problem = RowProblem(0, "", N_("Choose a {format} file of at most 2 MB."), (("format", "CSV"),))
        return await _sessions_page(console, request, ctx, cohort, 400, [problem])
    now = console.clock.now()
    try:
        async with console.db.transaction() as tx:
            summary = await import_for_cohort(tx, content, cohort.code, console.settings, now, "schedule")
            await audit.record(
                tx,
                staff_id=ctx.me.id,
                action="session.import",
                target_kind="cohort",
                target_id=str(cohort.id),
                detail={"created": summary.created, "moved": summary.moved, "updated": summary.updated},
                now=now,
            )
    except ScheduleError as exc:
        return await _sessions_page(console, request, ctx, cohort, 400, exc.found)
    console.wake_outbox()
    return await _sessions_page(console, request, ctx, cohort, summary=summary)


async def _session_of(console: Console, request: Request) -> tuple[Cohort, Session] | None:
    """The cohort and the session of the path; None when either is unknown or the session is of another cohort."""
    async with console.db.reading() as conn:
        cohort = await cohorts.get(conn, int(request.path_params["cohort_id"]))
        session = await sessions.get(conn, int(request.path_params["session_id"]))
    if cohort is None or session is None or session.cohort_id != cohort.id:
        return None
    return cohort, session


async def session_page(console: Console, request: Request, ctx: Context) -> Response:
    found = await _session_of(console, request)
    if found is None:
        return not_found()
    return await _session_detail(console, request, ctx, *found)


async def _session_detail(
    console: Console,
    request: Request,
    ctx: Context,
    cohort: Cohort,
    session: Session,
    status: int = 200,
    problem: str | None = None,
) -> Response:
    async with console.db.reading() as conn:
        answers = await attendance.for_session(conn, session)
        marks = await register.marks(conn, session.id)
        trainees = [
            t for t in await register.trainees(conn, cohort.id) if t.status != "dropped" or t.enrolment_id in marks
        ]
    local_start = session.starts_at.astimezone(console.settings.timezone)
    return console.page(
        request,
        ctx,
        "session.html",
        status,
        cohort=cohort,
        session=session,
        coming=[a for a in answers if a.answer == "yes"],
        not_coming=[a for a in answers if a.answer == "no"],
        silent=[a for a in answers if a.answer is None],
        trainees=trainees,
        marks=marks,
        start_value=local_start.strftime("%Y-%m-%dT%H:%M"),
        end_value=session.ends_at.astimezone(console.settings.timezone).strftime("%H:%M"),
        problem=problem,
        saved=request.query_params.get("saved"),
        **page_helpers(console),
    )


def _moved_times(console: Console, start: str, end: str) -> tuple[datetime, datetime] | None:
    tz = console.settings.timezone
    try:
        starts = parse_local(start, tz).utc
        ends = end_on_day(end, starts.astimezone(tz).date(), tz).utc if end.strip() else None
    except LocalTimeError:
        return None
    return (starts, ends) if ends is not None and starts < ends <= starts + timedelta(hours=24) else None


async def session_move(console: Console, request: Request, ctx: Context) -> Response:
    found = await _session_of(console, request)
    if found is None:
        return not_found()
    cohort, session = found
    form = await request.form()
    times = _moved_times(console, field(form, "start"), field(form, "end"))
    if not session.scheduled:
        return await _session_detail(console, request, ctx, cohort, session, 409, N_("This session was cancelled."))
    if times is None:
        problem = N_("Give a start that exists in the programme's time zone and an end after it, on the same day.")
        return await _session_detail(console, request, ctx, cohort, session, 400, problem)
    now = console.clock.now()
    try:
        async with console.db.transaction() as tx:
            current = await sessions.get(tx, session.id)
            assert current is not None
            moved, planned = await session_changes.move(tx, current, *times, console.settings, now)
            await audit.record(
                tx,
                staff_id=ctx.me.id,
                action="session.move",
                target_kind="session",
                target_id=str(session.id),
                detail={"reminders": planned},
                now=now,
            )
    except session_changes.SessionClash:
        problem = N_("Another session of this cohort starts at that time.")
        return await _session_detail(console, request, ctx, cohort, session, 400, problem)
    console.wake_outbox()
    return console.redirect(f"/cohorts/{cohort.id}/sessions?week={week_start(console, moved)}")


async def session_cancel(console: Console, request: Request, ctx: Context) -> Response:
    found = await _session_of(console, request)
    if found is None:
        return not_found()
    cohort, session = found
    now = console.clock.now()
    async with console.db.transaction() as tx:
        told = await session_changes.cancel(tx, session, now)
        if told is not None:
            await audit.record(
                tx,
                staff_id=ctx.me.id,
                action="session.cancel",
                target_kind="session",
                target_id=str(session.id),
                detail={"told": told},
                now=now,
            )
    console.wake_outbox()  # a reminder may be due already, or trainees told: the worker re-arms
    return console.redirect(f"/cohorts/{cohort.id}/sessions?week={week_start(console, session)}")


async def register_save(console: Console, request: Request, ctx: Context) -> Response:
    found = await _session_of(console, request)
    if found is None:
        return not_found()
    cohort, session = found
    present = {int(str(v)) for v in (await request.form()).getlist("present") if str(v).isdigit()}
    try:
        async with console.db.transaction() as tx:
            came = await register_service.take(tx, session, present, staff_id=ctx.me.id, now=console.clock.now())
    except register_service.RegisterError:
        return await _session_detail(console, request, ctx, cohort, session, 409, N_("This session was cancelled."))
    return console.redirect(f"/cohorts/{cohort.id}/sessions/{session.id}?saved={came}")


async def _export(console: Console, request: Request, ctx: Context, kind: str) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    now = console.clock.now()
    async with console.db.transaction() as tx:
        if kind == "csv":
            content, count = await attendance_csv(tx, console.settings.timezone, cohort.id)
        else:
            content, count = await attendance_xlsx(tx, console.settings.timezone, cohort.id)
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action=f"attendance.export_{kind}",
            target_kind="cohort",
            target_id=str(cohort.id),
            detail={"rows": count},
            now=now,
        )
    return download(content, f"attendance-{cohort.code}-{now.astimezone(console.settings.timezone):%Y-%m-%d}.{kind}")


async def export_csv(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "csv")


async def export_xlsx(console: Console, request: Request, ctx: Context) -> Response:
    return await _export(console, request, ctx, "xlsx")


SESSION = "/cohorts/{cohort_id:int}/sessions/{session_id:int}"
ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/cohorts/{cohort_id:int}/sessions", Role.COORDINATOR, sessions_page),
    Guarded("POST", "/cohorts/{cohort_id:int}/sessions", Role.COORDINATOR, session_add),
    Guarded("POST", "/cohorts/{cohort_id:int}/sessions/import", Role.COORDINATOR, schedule_import),
    Guarded("GET", SESSION, Role.COORDINATOR, session_page),
    Guarded("POST", SESSION + "/move", Role.COORDINATOR, session_move),
    Guarded("POST", SESSION + "/cancel", Role.COORDINATOR, session_cancel),
    Guarded("POST", SESSION + "/register", Role.COORDINATOR, register_save),
    Guarded("GET", "/cohorts/{cohort_id:int}/attendance.csv", Role.COORDINATOR, export_csv),
    Guarded("GET", "/cohorts/{cohort_id:int}/attendance.xlsx", Role.COORDINATOR, export_xlsx),
]
