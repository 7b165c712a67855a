"""One application for coordinators: every answer under the form's own label, the status history,
internal notes, and the decision: choose, preview the applicant's message, then confirm.

Decisions go through ``bot.services.decisions`` (the code /accept and ``youthbot accept`` use).
Every decision form carries the status the staff member saw: a decision made on a page that
is out of date, with a cohort that does not fit or on an id that does not exist is refused
whole, with the reason, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import LANGUAGES, N_, format_datetime, language_for, use_language
from bot.services import decisions, notes, staff
from bot.services.decisions import TRANSITIONS, Decision, DecisionError
from bot.services.notes import NoteError
from bot.services.staff import Role
from bot.web import labels
from bot.web.console import Console, Context, Guarded, Public
from storage import application_lifecycle, application_search, cohorts, programmes, users
from storage.application_search import ApplicationRow

NOT_FOUND = N_("There is no such application.")


@dataclass(frozen=True)
class Choice:
    """What a decision form asked for, read from its fields (anything unreadable is None)."""

    decision: Decision | None
    cohort_id: int | None
    note: str
    notify: bool
    seen: str


def _choice(form: FormData) -> Choice:
    raw = str(form.get("decision", ""))
    cohort = str(form.get("cohort", "")).strip()
    decision = Decision(raw) if raw in {d.value for d in Decision} else None
    return Choice(
        decision=decision,
        cohort_id=int(cohort) if cohort.isdigit() and decision == Decision.ACCEPTED else None,
        note=str(form.get("note", "")),
        notify=bool(form.get("notify")),
        seen=str(form.get("seen", "")),
    )


def _when(console: Console, value: Any) -> str:
    return format_datetime(value, console.settings.timezone, "short")


async def _row(console: Console, application_id: int) -> ApplicationRow | None:
    async with console.db.reading() as conn:
        return await application_search.by_id(conn, application_id)


async def _detail(
    console: Console,
    request: Request,
    ctx: Context,
    application_id: int,
    *,
    status: int = 200,
    error: str | None = None,
    note_error: str | None = None,
    choice: Choice | None = None,
) -> Response:
    async with console.db.reading() as conn:
        row = await application_search.by_id(conn, application_id)
        if row is None:
            return console.message(request, ctx, NOT_FOUND, 404)
        answers = await application_search.answers(conn, application_id)
        programme = await programmes.by_code(conn, row.programme_code)
        history = await application_lifecycle.history(conn, application_id)
        kept = await application_lifecycle.notes(conn, application_id)
        twins = await application_search.duplicates(conn, application_id)
        offered = [c for c in await cohorts.list_all(conn) if programme and c.programme_id == programme.id]
        names = {m.id: m.name for m in await staff.list_all(conn)}
        person = await users.get(conn, row.user_id) if row.user_id is not None else None
    with use_language(ctx.me.language):
        fields = [
            ("programme", labels.programme(programme)),
            ("full_name", row.full_name or "—"),
            ("birth_date", labels.birth_date(row.birth_date)),
            ("gender", labels.choice("gender", row.gender)),
            ("municipality", labels.municipality(row.municipality)),
            ("phone", row.phone or "—"),
            ("email", row.email or "—"),
            ("education", labels.choice("education", answers.education if answers else None)),
            ("employment", labels.choice("employment", answers.employment if answers else None)),
            ("motivation", (answers.motivation if answers else None) or "—"),
            ("heard_from", labels.source(row.heard_from, row.source)),
        ]
        if answers and answers.guardian_name:
            fields += [("guardian_name", answers.guardian_name), ("guardian_phone", answers.guardian_phone or "—")]
        values: dict[str, Any] = {
            "app": row,
            "status_label": labels.status(row.status),
            "applied": _when(console, row.created_at),
            "consent": _when(console, answers.consent_at) if answers and answers.consent_at else "—",
            "guardian_confirmed": (
                _when(console, answers.guardian_confirmed_at) if answers and answers.guardian_confirmed_at else None
            ),
            "answers": [(labels.question(qid), value) for qid, value in fields],
            "applicant_language": LANGUAGES[row.language].native_name if row.language in LANGUAGES else "—",
            "reachable": person is not None,
            "duplicates": [(d.id, d.reference, labels.status(d.status)) for d in twins],
            "history": [
                {
                    "at": _when(console, c.at),
                    "from": labels.status(c.from_status),
                    "to": labels.status(c.to_status),
                    "by": names.get(c.staff_id, "—") if c.staff_id is not None else None,
                    "by_applicant": c.by_applicant,
                    "note": c.personal_note,
                }
                for c in history
            ],
            "notes": [(_when(console, n.at), names.get(n.staff_id or 0, "—"), n.text) for n in kept],
            "decisions": [
                (d.value, labels.decision(d)) for d in Decision if d.value in TRANSITIONS.get(row.status, frozenset())
            ],
            "cohorts": [(c.id, c.name) for c in offered],
            "saved": labels.saved(request.query_params.get("saved", "")),
        }
    return console.page(
        request,
        ctx,
        "application.html",
        status,
        error=error,
        note_error=note_error,
        choice=choice or Choice(None, None, "", True, row.status),
        max_note=decisions.NOTE_MAX,
        max_internal=notes.NOTE_MAX,
        **values,
    )


async def application_page(console: Console, request: Request, ctx: Context) -> Response:
    return await _detail(console, request, ctx, request.path_params["application_id"])


async def add_note(console: Console, request: Request, ctx: Context) -> Response:
    application_id = request.path_params["application_id"]
    row = await _row(console, application_id)
    if row is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    form = await request.form()
    try:
        async with console.db.transaction() as tx:
            await notes.add(tx, row.reference, str(form.get("text", "")), staff_id=ctx.me.id, now=console.clock.now())
    except NoteError:
        with use_language(ctx.me.language):
            message = labels.translate(N_("A note needs some text, at most {limit} characters.")).format(
                limit=notes.NOTE_MAX
            )
        return await _detail(console, request, ctx, application_id, status=400, note_error=message)
    return console.redirect(f"/applications/{application_id}?saved=note#notes")


async def _refused(
    console: Console, request: Request, ctx: Context, application_id: int, error: DecisionError, choice: Choice
) -> Response:
    with use_language(ctx.me.language):
        message = labels.refusal(error)
    status = 409 if error.code == "changed" else 400
    return await _detail(console, request, ctx, application_id, status=status, error=message, choice=choice)


async def preview(console: Console, request: Request, ctx: Context) -> Response:
    """The applicant's message exactly as it will go (in their language), before anything is written."""
    application_id = request.path_params["application_id"]
    row = await _row(console, application_id)
    if row is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    choice = _choice(await request.form())
    if choice.decision is None:
        return await _refused(console, request, ctx, application_id, DecisionError("illegal_transition", ""), choice)
    try:
        async with console.db.reading() as conn:
            _applicant, cohort = await decisions.check(
                conn,
                row.reference,
                choice.decision,
                cohort_id=choice.cohort_id,
                personal_note=choice.note,
                expected_status=choice.seen,
            )
            told = choice.notify or choice.decision != Decision.SHORTLISTED
            text = None
            if told:
                text = await decisions.preview(
                    conn,
                    row.reference,
                    choice.decision,
                    personal_note=choice.note,
                    cohort_id=choice.cohort_id,
                    settings=console.settings,
                    now=console.clock.now(),
                )
            person = await users.get(conn, row.user_id) if row.user_id is not None else None
    except DecisionError as error:
        return await _refused(console, request, ctx, application_id, error, choice)
    language = language_for(person.language, console.settings.default_language) if person else None
    with use_language(ctx.me.language):
        decision_label = labels.decision(choice.decision)
        status_label = labels.status(row.status)
    return console.page(
        request,
        ctx,
        "application_preview.html",
        app=row,
        status_label=status_label,
        choice=choice,
        decision_label=decision_label,
        cohort=cohort,
        message=text,
        told=told,
        message_language=language.native_name if language else None,
        message_lang=language.babel_locale.replace("_", "-") if language else None,
    )


async def decide(console: Console, request: Request, ctx: Context) -> Response:
    application_id = request.path_params["application_id"]
    row = await _row(console, application_id)
    if row is None:
        return console.message(request, ctx, NOT_FOUND, 404)
    choice = _choice(await request.form())
    if choice.decision is None:
        return await _refused(console, request, ctx, application_id, DecisionError("illegal_transition", ""), choice)
    try:
        async with console.db.transaction() as tx:
            done = await decisions.decide(
                tx,
                row.reference,
                choice.decision,
                staff_id=ctx.me.id,
                settings=console.settings,
                now=console.clock.now(),
                cohort_id=choice.cohort_id,
                personal_note=choice.note,
                notify=choice.notify,
                expected_status=choice.seen,
            )
    except DecisionError as error:
        return await _refused(console, request, ctx, application_id, error, choice)
    if done.message_queued:
        console.wake_outbox()
    return console.redirect(f"/applications/{application_id}?saved=decision")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/applications/{application_id:int}", Role.COORDINATOR, application_page),
    Guarded("POST", "/applications/{application_id:int}/notes", Role.COORDINATOR, add_note),
    Guarded("POST", "/applications/{application_id:int}/preview", Role.COORDINATOR, preview),
    Guarded("POST", "/applications/{application_id:int}/decide", Role.COORDINATOR, decide),
]
