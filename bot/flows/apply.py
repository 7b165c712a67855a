"""/apply: the application form for the programme's trainings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.flows.form import (
    Accepted,
    Choices,
    FormFlow,
    Parsed,
    Question,
    Rejected,
    choice_display,
    choice_parser,
    expect_text,
    match_municipality,
    not_understood,
    show_text,
    yes_no,
)
from bot.flows.registry import FINISHED, Command, Context, Feature
from bot.flows.status import status_reply
from bot.i18n import N_, _, format_date, ngettext
from bot.messages import InputKind, Option, Reply, UserInput
from bot.parsing import validators
from bot.reference.texts import application_status, programme_button, programme_title
from bot.services import applications as application_service
from bot.services import funnel
from bot.services.notices import notify_staff
from storage import applications, programmes
from storage.conversations import ConversationState

NAME_MAX = 100

GENDERS = {
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "undisclosed": N_("Prefer not to say"),
}
EDUCATION = {
    "primary": N_("Primary school"),
    "secondary": N_("Secondary school"),
    "university_student": N_("University student"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's or higher"),
}
EMPLOYMENT = {
    "unemployed": N_("Looking for work"),
    "student": N_("Student, not working"),
    "employed": N_("Employed"),
    "part_time": N_("Part-time or casual work"),
    "self_employed": N_("Self-employed"),
}
HEARD_FROM = {
    "social_media": N_("Social media"),
    "friends": N_("Friends or family"),
    "school": N_("School or university"),
    "employment_office": N_("Employment office"),
    "event": N_("An event or fair"),
    "other": N_("Other"),
}


def _fixed(table: dict[str, str]) -> Choices:
    async def choices(ctx: Context) -> list[Option]:
        return [Option(key, _(label)) for key, label in table.items()]

    return choices


async def _programme_choices(ctx: Context) -> list[Option]:
    return [Option(p.code, programme_button(p)) for p in await programmes.list_all(ctx.tx, only_open=True)]


async def _municipality_choices(ctx: Context) -> list[Option]:
    return [Option(m.key, m.name(ctx.language)) for m in ctx.municipalities.sorted_for(ctx.language)]


async def _parse_programme(ctx: Context, inp: UserInput) -> Parsed:
    result = await choice_parser(_programme_choices)(ctx, inp)
    if isinstance(result, Rejected):
        return result
    programme = await programmes.by_code(ctx.tx, result.value)
    if programme is None or not programme.is_open:
        return Rejected(_("Applications for that programme are closed. Please choose another one."))
    earlier = await applications.find_for_programme(ctx.tx, ctx.user.id, programme.id)
    if earlier is not None:
        return Rejected(
            _(
                "You already applied to {programme} on {date} (reference {reference}). Status: {status}. You can choose another programme, or /cancel."
            ).format(
                programme=programme_title(programme),
                date=format_date(earlier.created_at.astimezone(ctx.settings.timezone).date()),
                reference=earlier.reference,
                status=application_status(earlier.status),
            )
        )
    return result


async def _parse_name(ctx: Context, inp: UserInput) -> Parsed:
    if (wrong := expect_text(inp, _("Please type your name."))) is not None:
        return wrong
    name = validators.parse_full_name(inp.text)
    if name is None:
        return Rejected(_("That doesn't look like a name. Please type your first and last name, using letters only."))
    if not validators.has_first_and_last_name(name):
        return Rejected(
            _("Thank you, {name}! Please write your first and your last name, for example: Arta Krasniqi.").format(
                name=name
            )
        )
    return Accepted(name)


async def _parse_birth_date(ctx: Context, inp: UserInput) -> Parsed:
    if (wrong := expect_text(inp, _("Please type your date of birth."))) is not None:
        return wrong
    born = validators.parse_birth_date(inp.text)
    today = ctx.now.astimezone(ctx.settings.timezone).date()
    if born is None or born > today:
        return Rejected(_("I couldn't read that date. Please write it as day.month.year, for example 15.03.2004."))
    age = validators.age_on(born, today)
    low, high = ctx.settings.min_age, ctx.settings.max_age
    if not low <= age <= high:
        return Rejected(
            ngettext(
                "Thank you for your interest! Our trainings are for young people aged {low} to {high}, and going by this date, you are {age} year old. If you typed the date wrong, please send it again; otherwise you can /cancel, and you are welcome to follow our news.",
                "Thank you for your interest! Our trainings are for young people aged {low} to {high}, and going by this date, you are {age} years old. If you typed the date wrong, please send it again; otherwise you can /cancel, and you are welcome to follow our news.",
                age,
            ).format(low=low, high=high, age=age)
        )
    return Accepted(born.isoformat())


async def _show_birth_date(ctx: Context, value: Any) -> str:
    return format_date(date.fromisoformat(value))


async def _parse_phone(ctx: Context, inp: UserInput) -> Parsed:
    if inp.kind == InputKind.CONTACT:
        if not inp.contact_is_own:
            return Rejected(_("That is someone else's contact. Please share your own number, or type it."))
        raw = inp.text
    elif inp.kind == InputKind.TEXT:
        raw = inp.text
    else:
        return Rejected(
            not_understood(inp) if inp.kind != InputKind.OPTION else _("Please share or type your phone number.")
        )
    phone = validators.normalise_phone(raw)
    if phone is None:
        return Rejected(_("That doesn't look like a phone number. Please type it like 044 123 456 or +383 44 123 456."))
    return Accepted(phone, note=_("Phone number saved: {phone}").format(phone=phone))


async def _parse_email(ctx: Context, inp: UserInput) -> Parsed:
    if (wrong := expect_text(inp, _("Please type your e-mail address, or press Skip."))) is not None:
        return wrong
    email = validators.parse_email(inp.text)
    if email is None:
        return Rejected(
            _("That doesn't look like an e-mail address (like name@example.com). Please type it again, or press Skip.")
        )
    return Accepted(email)


async def _parse_motivation(ctx: Context, inp: UserInput) -> Parsed:
    if (wrong := expect_text(inp, _("Please type a few sentences."))) is not None:
        return wrong
    text = inp.text.strip()
    limit = ctx.settings.motivation_max_chars
    if len(text) < 10:
        return Rejected(_("Please tell us a little more: at least a sentence."))
    if len(text) > limit:
        return Rejected(
            _("That is {length} characters long; up to {limit} characters are accepted. Please shorten it.").format(
                length=len(text), limit=limit
            )
        )
    return Accepted(text)


def guardian_needed(ctx: Context, answers: Mapping[str, Any]) -> bool:
    """An applicant younger than GUARDIAN_CONSENT_UNDER (0: never) on the birth date given so far."""
    under = ctx.settings.guardian_consent_under
    born = answers.get("birth_date")
    if not under or not isinstance(born, str):
        return False
    today = ctx.now.astimezone(ctx.settings.timezone).date()
    return validators.age_on(date.fromisoformat(born), today) < under


async def _parse_guardian_name(ctx: Context, inp: UserInput) -> Parsed:
    if (wrong := expect_text(inp, _("Please type the name of your parent or guardian."))) is not None:
        return wrong
    name = validators.parse_full_name(inp.text)
    if name is None or not validators.has_first_and_last_name(name):
        return Rejected(
            _(
                "Please write your parent's or guardian's first and last name, using letters only, for example: Drita Krasniqi."
            )
        )
    return Accepted(name)


async def _parse_guardian_phone(ctx: Context, inp: UserInput) -> Parsed:
    if inp.kind not in (InputKind.TEXT, InputKind.CONTACT):
        return Rejected(
            not_understood(inp)
            if inp.kind != InputKind.OPTION
            else _("Please type your parent's or guardian's phone number.")
        )
    phone = validators.normalise_phone(inp.text)
    if phone is None:
        return Rejected(_("That doesn't look like a phone number. Please type it like 044 123 456 or +383 44 123 456."))
    return Accepted(phone)


async def _guardian_choices(ctx: Context) -> list[Option]:
    return [Option("yes", _("Yes, they agree")), Option("no", _("Not yet"))]


async def _parse_guardian_agrees(ctx: Context, inp: UserInput) -> Parsed:
    answer = yes_no(inp)
    if answer is None and inp.kind == InputKind.TEXT and inp.text.strip().casefold() == _("Not yet").casefold():
        answer = False
    if answer is None:
        return Rejected(_("Please answer with the buttons below."))
    if not answer:
        return Rejected(
            _(
                "Then please talk to your parent or guardian first: /privacy explains what we store and why. Your answers so far are kept here; when they agree, press “Yes, they agree”. You can also /cancel and apply later."
            )
        )
    return Accepted(ctx.now.isoformat())


async def _show_guardian_agrees(ctx: Context, value: Any) -> str:
    return _("Yes, they agree")


GUARDIAN_QUESTIONS: tuple[Question, ...] = (
    Question(
        "guardian_name",
        lambda: _("Parent or guardian"),
        lambda ctx: _(
            "Because you are younger than {age}, a parent or guardian must agree to your application: the law protects the data of young people this way. What is the full name of your parent or guardian?"
        ).format(age=ctx.settings.guardian_consent_under),
        _parse_guardian_name,
        show_text,
        applies=guardian_needed,
    ),
    Question(
        "guardian_phone",
        lambda: _("Guardian's phone"),
        lambda ctx: _("What is your parent's or guardian's phone number? Our staff may call them to confirm."),
        _parse_guardian_phone,
        show_text,
        applies=guardian_needed,
    ),
    Question(
        "guardian_agrees",
        lambda: _("Guardian agrees"),
        lambda ctx: _(
            "Does your parent or guardian agree that you apply, and that the programme stores your answers as /privacy explains?"
        ),
        _parse_guardian_agrees,
        _show_guardian_agrees,
        choices=_guardian_choices,
        applies=guardian_needed,
    ),
)


def _fixed_question(qid: str, label: Any, prompt: Any, table: dict[str, str], **extra: Any) -> Question:
    choices = _fixed(table)
    return Question(qid, label, prompt, choice_parser(choices), choice_display(choices), choices=choices, **extra)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "programme",
        lambda: _("Programme"),
        lambda ctx: _("Which training would you like to apply for?"),
        _parse_programme,
        choice_display(_programme_choices),
        choices=_programme_choices,
    ),
    Question(
        "full_name",
        lambda: _("Full name"),
        lambda ctx: _("What is your full name (first and last name)?"),
        _parse_name,
        show_text,
    ),
    Question(
        "birth_date",
        lambda: _("Date of birth"),
        lambda ctx: _("What is your date of birth? Write it as day.month.year, for example 15.03.2004."),
        _parse_birth_date,
        _show_birth_date,
    ),
    *GUARDIAN_QUESTIONS,
    _fixed_question("gender", lambda: _("Gender"), lambda ctx: _("What is your gender?"), GENDERS),
    Question(
        "municipality",
        lambda: _("Municipality"),
        lambda ctx: _("Which municipality do you live in? Choose it below or type its name."),
        choice_parser(_municipality_choices, match_municipality),
        choice_display(_municipality_choices),
        choices=_municipality_choices,
    ),
    Question(
        "phone",
        lambda: _("Phone number"),
        lambda ctx: _("What is your phone number? Press the button to share it, or type it."),
        _parse_phone,
        show_text,
        ask_contact=True,
    ),
    Question(
        "email",
        lambda: _("E-mail"),
        lambda ctx: _("What is your e-mail address? If you don't have one, press Skip."),
        _parse_email,
        show_text,
        optional=True,
    ),
    _fixed_question(
        "education",
        lambda: _("Education level"),
        lambda ctx: _("What is the highest level of education you have completed or are in now?"),
        EDUCATION,
    ),
    _fixed_question(
        "employment",
        lambda: _("Employment status"),
        lambda ctx: _("What is your current employment status?"),
        EMPLOYMENT,
    ),
    Question(
        "motivation",
        lambda: _("Motivation"),
        lambda ctx: _("In a few sentences: why do you want to join this training? (up to {limit} characters)").format(
            limit=ctx.settings.motivation_max_chars
        ),
        _parse_motivation,
        show_text,
    ),
    _fixed_question(
        "heard_from",
        lambda: _("How you heard of us"),
        lambda ctx: _("How did you hear about the programme?"),
        HEARD_FROM,
        applies=lambda ctx, answers: ctx.user.source is None,
    ),
)


class ApplyFlow(FormFlow):
    name = "apply"

    def questions(self) -> tuple[Question, ...]:
        return QUESTIONS

    def consent_text(self, ctx: Context) -> str:
        return _(
            "Last step: consent. To process your application, the programme stores the answers you gave here and uses them only to select participants, contact you and report (anonymously) to the programme's donor. How long we keep them and your rights: /privacy. You can see your data with /mydata and delete it with /forget at any time.\n\nDo you agree to the processing of your personal data?"
        )

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        if not await programmes.list_all(ctx.tx, only_open=True):
            state.step = FINISHED
            return [Reply(_("There are no trainings open for applications right now. Please check again later."))]
        funnel.started(ctx.tx, state.data, ctx.now, ctx.settings.timezone)
        intro = Reply(
            _("Let's start your application. It takes about five minutes; you can stop with /cancel at any time.")
        )
        return [intro, *await super().start(ctx, state)]

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        replies = await super().prompt(ctx, state)  # settles the step on the answers, then asks it
        funnel.reached(ctx.tx, state.data, state.step)  # the funnel: how far starts of the form get
        return replies

    async def submit(self, ctx: Context, state: ConversationState) -> list[Reply]:
        answers = state.answers
        programme = await programmes.by_code(ctx.tx, answers["programme"])
        if programme is None or not programme.is_open:
            state.step = "programme"
            answers.pop("programme", None)
            state.data["editing"] = True
            return [
                Reply(_("Applications for that programme have just closed. Please choose another one.")),
                *await self.prompt(ctx, state),
            ]
        earlier = await applications.find_for_programme(ctx.tx, ctx.user.id, programme.id)
        if earlier is not None:
            state.step = FINISHED
            return [
                Reply(
                    _("You have already applied to this programme (reference {reference}).").format(
                        reference=earlier.reference
                    )
                )
            ]
        guardian = (
            applications.Guardian(
                answers["guardian_name"],
                answers["guardian_phone"],
                datetime.fromisoformat(answers["guardian_agrees"]),
            )
            if guardian_needed(ctx, answers)
            else None
        )
        app = await application_service.submit(
            ctx.tx,
            applications.NewApplication(
                user_id=ctx.user.id,
                programme_id=programme.id,
                full_name=answers["full_name"],
                birth_date=answers["birth_date"],
                gender=answers["gender"],
                municipality=answers["municipality"],
                phone=answers["phone"],
                email=answers.get("email"),
                education=answers["education"],
                employment=answers["employment"],
                motivation=answers["motivation"],
                heard_from=answers.get("heard_from") or ("link" if ctx.user.source else None),
                source=ctx.user.source,
                language=ctx.language,
                consent_at=ctx.now,
                guardian=guardian,
            ),
            ctx.now,
            ctx.settings.timezone,
        )
        funnel.submitted(ctx.tx, state.data)
        await _notify_staff(ctx, app.reference, programme, answers, guardian)
        state.step = FINISHED
        return [
            Reply(
                _(
                    "Thank you! Your application for {programme} has been submitted.\nYour reference number is {reference}.\nOur staff will contact you. You can check your applications at any time with /status."
                ).format(programme=programme_title(programme), reference=app.reference),
                [Option("status", _("My applications"))],
                menu=True,
            )
        ]


async def _notify_staff(
    ctx: Context,
    reference: str,
    programme: programmes.Programme,
    answers: dict[str, Any],
    guardian: applications.Guardian | None,
) -> None:
    """Tell every staff member, in their language, through the outbox (a minor's guardian too)."""

    def text() -> str:
        notice = _("New application {reference}: {name}, {programme}.").format(
            reference=reference, name=answers["full_name"], programme=programme_title(programme)
        )
        if guardian is None:
            return notice
        minor = _(
            "The applicant is younger than {age}: they confirmed that their guardian {guardian} ({phone}) agrees. Please confirm with the guardian."
        ).format(age=ctx.settings.guardian_consent_under, guardian=guardian.name, phone=guardian.phone)
        return f"{notice}\n{minor}"

    await notify_staff(ctx.tx, ctx.settings, ctx.now, text, dedup_key=f"application:{reference}")


FEATURE = Feature(
    "apply",
    commands=(
        Command("apply", lambda: _("Apply for a training"), flow="apply", shortcut=lambda: _("Apply for a training")),
        Command("status", lambda: _("My applications"), run=status_reply, shortcut=lambda: _("My applications")),
    ),
    flows=(ApplyFlow(),),
)
