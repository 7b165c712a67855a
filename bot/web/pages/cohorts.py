"""Cohorts for coordinators: create and edit one, its trainees with their status and attendance
rate, marking them completed or dropped out (one or many, after a confirmation that says how
many), graduating the cohort (the same service as ``youthbot graduate``), and placements.

Viewers get 403: these pages name trainees.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import N_
from bot.services import cohorts as cohort_service
from bot.services import placements as placement_service
from bot.services.campaigns import GraduationError, graduate_cohort
from bot.services.cohorts import CohortError, CohortFields, CohortProblem, Outcome
from bot.services.staff import Role
from bot.surveys.loader import catalogue_for
from bot.web.console import Console, Context, Guarded, Public, secure
from bot.web.formatting import page_helpers
from storage import cohorts, placements, programmes, register
from storage.cohorts import Cohort
from storage.placements import KINDS


def problem_text(problem: CohortProblem) -> str:
    """The msgid that tells staff what is wrong with the cohort form."""
    match problem:
        case CohortProblem.CODE:
            return N_("The code must be 1 to 40 letters, digits, '-' or '_'.")
        case CohortProblem.CODE_TAKEN:
            return N_("A cohort with this code exists already.")
        case CohortProblem.NAME:
            return N_("The cohort needs a name (at most 120 characters).")
        case CohortProblem.END_BEFORE_START:
            return N_("The planned end is before the start.")
        case CohortProblem.GRADUATION_BEFORE_START:
            return N_("The graduation date is before the start.")
        case CohortProblem.PROGRAMME_FIXED:
            return N_("The programme cannot change: trainees were accepted into this cohort for it.")
        case CohortProblem.GRADUATION_FIXED:
            return N_("The graduation date cannot change: the cohort graduated and its surveys are planned.")


STATUSES = {"enrolled": N_("Enrolled"), "completed": N_("Completed"), "dropped": N_("Dropped out")}
KIND_LABELS = {"job": N_("Job"), "internship": N_("Internship")}
SOURCE_LABELS = {"staff": N_("Staff"), "survey": N_("From survey")}


def not_found() -> Response:
    return secure(Response("404 Not Found", status_code=404, media_type="text/plain"))


def day(text: str) -> date | None:
    """A date from an ``<input type=date>``; None when empty or unreadable."""
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def field(form: FormData, name: str) -> str:
    return str(form.get(name, "") or "")


def today(console: Console) -> date:
    return console.clock.now().astimezone(console.settings.timezone).date()


async def cohort_of(console: Console, request: Request) -> Cohort | None:
    async with console.db.reading() as conn:
        return await cohorts.get(conn, int(request.path_params["cohort_id"]))


async def _list_values(console: Console) -> dict[str, Any]:
    async with console.db.reading() as conn:
        found = await cohorts.list_all(conn)
        all_programmes = await programmes.list_all(conn)
    return {"cohorts": found, "programmes": {p.id: p for p in all_programmes}}


async def cohort_list(console: Console, request: Request, ctx: Context) -> Response:
    values = await _list_values(console)
    return console.page(request, ctx, "cohorts.html", **values, **page_helpers(console), form={}, problem=None)


def _fields(form: FormData, programme_ids: set[int]) -> CohortFields | None:
    programme = field(form, "programme")
    if not programme.isdigit() or int(programme) not in programme_ids:
        return None
    return CohortFields(
        int(programme),
        field(form, "name"),
        day(field(form, "starts")),
        day(field(form, "ends")),
        day(field(form, "graduates")),
    )


async def cohort_create(console: Console, request: Request, ctx: Context) -> Response:
    form = await request.form()
    values = await _list_values(console)
    fields = _fields(form, set(values["programmes"]))
    problem: str | None = N_("Choose a programme.")
    if fields is not None:
        try:
            async with console.db.transaction() as tx:
                cohort = await cohort_service.create(
                    tx, field(form, "code").strip(), fields, staff_id=ctx.me.id, now=console.clock.now()
                )
            return console.redirect(f"/cohorts/{cohort.id}")
        except CohortError as exc:
            problem = problem_text(exc.problem)
    return console.page(
        request, ctx, "cohorts.html", 400, **values, **page_helpers(console), form=dict(form), problem=problem
    )


async def _detail(
    console: Console, request: Request, ctx: Context, cohort: Cohort, status: int = 200, **extra: object
) -> Response:
    async with console.db.reading() as conn:
        trainees = await register.trainees(conn, cohort.id)
        found = await placements.of_cohort(conn, cohort.id)
        all_programmes = await programmes.list_all(conn)
    notice = {k: request.query_params[k] for k in ("graduated", "planned", "marked") if k in request.query_params}
    return console.page(
        request,
        ctx,
        "cohort.html",
        status,
        cohort=cohort,
        trainees=trainees,
        placements=found,
        programmes=all_programmes,
        statuses=STATUSES,
        kinds=KIND_LABELS,
        sources=SOURCE_LABELS,
        today=today(console).isoformat(),
        notice=notice,
        **page_helpers(console),
        **extra,
    )


async def cohort_page(console: Console, request: Request, ctx: Context) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    return await _detail(console, request, ctx, cohort, problem=None)


async def cohort_edit(console: Console, request: Request, ctx: Context) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    form = await request.form()
    async with console.db.reading() as conn:
        ids = {p.id for p in await programmes.list_all(conn)}
    fields = _fields(form, ids)
    if fields is None:
        return await _detail(console, request, ctx, cohort, 400, problem=N_("Choose a programme."))
    try:
        async with console.db.transaction() as tx:
            await cohort_service.edit(tx, cohort, fields, staff_id=ctx.me.id, now=console.clock.now())
    except CohortError as exc:
        return await _detail(console, request, ctx, cohort, 400, problem=problem_text(exc.problem))
    return console.redirect(f"/cohorts/{cohort.id}")


async def trainees_mark(console: Console, request: Request, ctx: Context) -> Response:
    """First post: the selection and the outcome, answered with a confirmation that says how many;
    the second (``confirm``) marks them."""
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    form = await request.form()
    single = next((k for k in ("one_completed", "one_dropped") if form.get(k)), None)
    if single is not None:
        chosen, outcome_text = [field(form, single)], single.removeprefix("one_")
    else:
        chosen, outcome_text = [str(v) for v in form.getlist("enrolment")], field(form, "outcome")
    ids = {int(v) for v in chosen if v.isdigit()}
    if outcome_text not in (o.value for o in Outcome):
        return not_found()
    outcome = Outcome(outcome_text)
    async with console.db.reading() as conn:
        eligible = [t for t in await register.trainees(conn, cohort.id) if t.enrolment_id in ids]
    eligible = [t for t in eligible if t.status == "enrolled"]
    if not eligible:
        return await _detail(console, request, ctx, cohort, 400, problem=N_("Choose trainees who are still enrolled."))
    if field(form, "confirm") != "yes":
        return console.page(
            request,
            ctx,
            "trainees_confirm.html",
            cohort=cohort,
            chosen=eligible,
            outcome=outcome.value,
            today=today(console).isoformat(),
        )
    async with console.db.transaction() as tx:
        changed = await cohort_service.mark(
            tx,
            cohort,
            [t.enrolment_id for t in eligible],
            outcome,
            on=day(field(form, "on")) or today(console),
            reason=field(form, "reason"),
            staff_id=ctx.me.id,
            now=console.clock.now(),
        )
    return console.redirect(f"/cohorts/{cohort.id}?marked={changed}")


async def cohort_graduate(console: Console, request: Request, ctx: Context) -> Response:
    """The same service as ``youthbot graduate``: graduation date, graduates, surveys planned."""
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    on = day(field(await request.form(), "on"))
    if on is None:
        return await _detail(console, request, ctx, cohort, 400, problem=N_("Give the graduation date."))
    catalogue = catalogue_for(console.settings.survey_dir)
    try:
        async with console.db.transaction() as tx:
            graduated, planned = await graduate_cohort(
                tx, cohort, on, catalogue, console.settings, console.clock.now(), staff_id=ctx.me.id
            )
    except GraduationError:
        problem = N_(
            "This cohort cannot graduate on that date: it is in the future, or the cohort graduated on another day."
        )
        return await _detail(console, request, ctx, cohort, 400, problem=problem)
    return console.redirect(f"/cohorts/{cohort.id}?graduated={graduated}&planned={planned}")


async def placement_record(console: Console, request: Request, ctx: Context) -> Response:
    cohort = await cohort_of(console, request)
    if cohort is None:
        return not_found()
    form = await request.form()
    enrolment_id, kind = field(form, "enrolment"), field(form, "kind")
    async with console.db.reading() as conn:
        found = await cohorts.get_enrolment(conn, int(enrolment_id)) if enrolment_id.isdigit() else None
    if found is None or found.cohort_id != cohort.id or kind not in KINDS:
        return not_found()
    async with console.db.transaction() as tx:
        await placement_service.record(
            tx,
            found.id,
            kind,
            field(form, "employer"),
            day(field(form, "starts")),
            field(form, "ict") == "yes",
            staff_id=ctx.me.id,
            now=console.clock.now(),
        )
    return console.redirect(f"/cohorts/{cohort.id}#placements")


async def placements_page(console: Console, request: Request, ctx: Context) -> Response:
    async with console.db.reading() as conn:
        waiting = await placements.waiting(conn)
        names = {c.id: c.name for c in await cohorts.list_all(conn)}
    return console.page(
        request, ctx, "placements.html", waiting=waiting, cohort_names=names, kinds=KIND_LABELS, **page_helpers(console)
    )


async def placement_confirm(console: Console, request: Request, ctx: Context) -> Response:
    async with console.db.transaction() as tx:
        done = await placement_service.confirm(
            tx, int(request.path_params["placement_id"]), staff_id=ctx.me.id, now=console.clock.now()
        )
    return console.redirect("/placements") if done else not_found()


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/cohorts", Role.COORDINATOR, cohort_list),
    Guarded("POST", "/cohorts", Role.COORDINATOR, cohort_create),
    Guarded("GET", "/cohorts/{cohort_id:int}", Role.COORDINATOR, cohort_page),
    Guarded("POST", "/cohorts/{cohort_id:int}", Role.COORDINATOR, cohort_edit),
    Guarded("POST", "/cohorts/{cohort_id:int}/trainees", Role.COORDINATOR, trainees_mark),
    Guarded("POST", "/cohorts/{cohort_id:int}/graduate", Role.COORDINATOR, cohort_graduate),
    Guarded("POST", "/cohorts/{cohort_id:int}/placements", Role.COORDINATOR, placement_record),
    Guarded("GET", "/placements", Role.COORDINATOR, placements_page),
    Guarded("POST", "/placements/{placement_id:int}/confirm", Role.COORDINATOR, placement_confirm),
]
