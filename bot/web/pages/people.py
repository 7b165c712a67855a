"""People for coordinators: everyone who wrote to the bot, one person's records, and erasure by an admin.

Erasure is the same as the person's own ``/forget`` (``bot.services.people.erase``),
after a confirmation page, and audited with the person's id only. An erased
person has no account row any more; their page then says when they were erased.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import LANGUAGES, N_, gettext
from bot.reference.texts import application_status, programme_title
from bot.services import audit, people
from bot.services.staff import Role
from bot.surveys.definition import QuestionType, Survey
from bot.surveys.loader import catalogue_for
from bot.web.console import Console, Context, Guarded, Public, secure
from storage import audit as audit_store
from storage import people as people_store
from storage import programmes
from storage.people import PersonFilter, SurveyAnswer

ERASE_ACTION = "person.erase"

ENROLMENT_STATUSES = {"enrolled": N_("enrolled"), "completed": N_("completed"), "dropped": N_("dropped out")}
RSVP_ANSWERS = {"yes": N_("will come"), "no": N_("cannot come")}
SURVEY_STATUSES = {
    "planned": N_("invited"),
    "started": N_("started"),
    "completed": N_("answered"),
    "expired": N_("not answered"),
}
OPENING_KINDS = {"job": N_("job"), "internship": N_("internship")}
CHANNELS = {"telegram": N_("Telegram"), "viber": N_("Viber"), "console": N_("terminal")}


def person_filter(request: Request) -> tuple[PersonFilter, int]:
    """The list's filter and page from the query string; unknown values are ignored."""
    q = request.query_params
    reachable = {"yes": True, "no": False}.get(q.get("reachable", ""))
    language = q.get("language", "")
    f = PersonFilter(
        search=q.get("q", "").strip() or None,
        channel=q.get("channel", "").strip() or None,
        language=language if language in LANGUAGES or language == "none" else None,
        reachable=reachable,
    )
    page = q.get("page", "")
    return f, int(page) if page.isdigit() and 0 < len(page) <= 6 and int(page) > 0 else 1


def filter_query(f: PersonFilter, **extra: str | int) -> str:
    pairs: list[tuple[str, str]] = []
    if f.search:
        pairs.append(("q", f.search))
    if f.channel:
        pairs.append(("channel", f.channel))
    if f.language:
        pairs.append(("language", f.language))
    if f.reachable is not None:
        pairs.append(("reachable", "yes" if f.reachable else "no"))
    pairs += [(k, str(v)) for k, v in extra.items()]
    return urlencode(pairs)


async def people_page(console: Console, request: Request, ctx: Context) -> Response:
    f, page = person_filter(request)
    async with console.db.reading() as conn:
        found = await people_store.search(conn, f, page=page)
        channels = await people_store.channels(conn)
    return console.page(
        request,
        ctx,
        "people.html",
        found=found,
        f=f,
        channels=[(c, CHANNELS.get(c, c)) for c in channels],
        language_choices=[(code, lang.native_name) for code, lang in LANGUAGES.items()],
        language_names={code: lang.native_name for code, lang in LANGUAGES.items()},
        channel_names=CHANNELS,
        previous=filter_query(f, page=page - 1) if page > 1 else None,
        next=filter_query(f, page=page + 1) if page < found.pages else None,
    )


def _question_texts(survey: Survey | None) -> dict[str, str]:
    """Question id → its short label in the current language (rendering runs inside the staff member's language)."""
    if survey is None:
        return {}
    return {q.id: q.label.get() for q in survey.questions}


def _answer_text(survey: Survey | None, question_id: str, value: object) -> str:
    """A stored answer as staff read it: choice keys become their texts, anything else is shown as stored."""
    if value is None:
        return "—"
    question = survey.question(question_id) if survey is not None else None
    if question is not None and question.type == QuestionType.YES_NO:
        return gettext("Yes") if value == "yes" else gettext("No")
    values = value if isinstance(value, list) else [value]
    texts = []
    for v in values:
        choice = next((c for c in question.choices if c.key == str(v)), None) if question is not None else None
        texts.append(choice.text.get() if choice is not None else str(v))
    return ", ".join(texts)


def _in_order(survey: Survey | None, answers: list[SurveyAnswer]) -> list[SurveyAnswer]:
    """Answers in the order the survey asks its questions (unknown questions last)."""
    order = {q.id: i for i, q in enumerate(survey.questions)} if survey is not None else {}
    return sorted(answers, key=lambda a: (order.get(a.question_id, len(order)), a.question_id))


async def person_page(console: Console, request: Request, ctx: Context) -> Response:
    person_id: int = request.path_params["person_id"]
    async with console.db.reading() as conn:
        person = await people_store.get(conn, person_id, console.clock.now())
        erased = await audit_store.latest_on(conn, ERASE_ACTION, "person", str(person_id)) if person is None else None
        all_programmes = {p.code: p for p in await programmes.list_all(conn)}
    if person is None and erased is None:
        return secure(Response(status_code=404))
    catalogue = catalogue_for(console.settings.survey_dir)

    def programme_name(code: str) -> str:
        found = all_programmes.get(code)
        return programme_title(found) if found is not None else code

    return console.page(
        request,
        ctx,
        "person.html",
        person_id=person_id,
        person=person,
        erased=erased,
        can_erase=ctx.me.role.allows(Role.ADMIN),
        language_names={code: lang.native_name for code, lang in LANGUAGES.items()},
        channel_names=CHANNELS,
        programme_name=programme_name,
        application_status=application_status,
        enrolment_statuses=ENROLMENT_STATUSES,
        rsvp_answers=RSVP_ANSWERS,
        survey_statuses=SURVEY_STATUSES,
        opening_kinds=OPENING_KINDS,
        survey_title=lambda sid: s.title.get() if (s := catalogue.get(sid)) is not None else sid,
        question_texts=lambda sid: _question_texts(catalogue.get(sid)),
        answer_text=lambda sid, qid, value: _answer_text(catalogue.get(sid), qid, value),
        in_order=lambda sid, answers: _in_order(catalogue.get(sid), answers),
    )


async def erase_confirm(console: Console, request: Request, ctx: Context) -> Response:
    person_id: int = request.path_params["person_id"]
    async with console.db.reading() as conn:
        person = await people_store.get(conn, person_id, console.clock.now())
    if person is None:
        return console.redirect(f"/people/{person_id}")
    return console.page(request, ctx, "person_erase.html", person=person, channel_names=CHANNELS)


async def erase(console: Console, request: Request, ctx: Context) -> Response:
    """Erase on the person's request: the same code as ``/forget``, and one audit entry with the id only."""
    person_id: int = request.path_params["person_id"]
    now = console.clock.now()
    async with console.db.transaction() as tx:
        if await people_store.exists(tx, person_id):
            await people.erase(tx, person_id, now)
            await audit.record(
                tx, staff_id=ctx.me.id, action=ERASE_ACTION, target_kind="person", target_id=str(person_id), now=now
            )
    return console.redirect(f"/people/{person_id}")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/people", Role.COORDINATOR, people_page),
    Guarded("GET", "/people/{person_id:int}", Role.COORDINATOR, person_page),
    Guarded("GET", "/people/{person_id:int}/erase", Role.ADMIN, erase_confirm),
    Guarded("POST", "/people/{person_id:int}/erase", Role.ADMIN, erase),
]
