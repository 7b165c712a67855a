"""Answering a follow-up survey: the invitation's button, one question at a time, a summary.

Each answer is stored the moment it is given (``survey_answers``), so a person
can stop at any time, even for days or across a restart, and continue at the
first question that applies and has no answer yet: with the invitation's
button, the reminder's, or /survey. The conversation state holds only which
invitation is being answered and where; the answers never depend on it.
A submitted response is final: a second attempt is told it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.flows.engine import stash_of
from bot.flows.form import FormFlow, Sheet
from bot.flows.form import Question as FormQuestion
from bot.flows.registry import FINISHED, Action, Command, Context, Delivery, Feature, MessageKind
from bot.flows.surveys import answering
from bot.flows.surveys.staff import STAFF_COMMANDS, SurveySendFlow
from bot.i18n import _, format_date, ngettext
from bot.messages import Option, Reply
from bot.services import surveys as survey_service
from bot.services.campaigns import INVITATION_KIND, REMINDER_KIND, plan_reminder
from bot.surveys.definition import QuestionType, Survey
from bot.surveys.loader import catalogue_for
from storage import surveys
from storage.conversations import ConversationState
from storage.surveys import Invitation

FLOW = "survey"
ACTION = "survey"


def _survey_of(ctx: Context, invitation: Invitation) -> Survey | None:
    return catalogue_for(ctx.settings.survey_dir).get(invitation.survey_id)


def _has_expired(ctx: Context, invitation: Invitation | None) -> bool:
    """The invitation is this person's, due and unanswered, but past its end."""
    return (
        invitation is not None
        and invitation.user_id == ctx.user.id
        and invitation.due_at <= ctx.now
        and invitation.status != "completed"
        and (invitation.status == "expired" or invitation.expires_at <= ctx.now)
    )


async def _unavailable(ctx: Context, invitation: Invitation | None) -> list[Reply] | None:
    """Why this invitation cannot be answered now (as a reply), or None when it can. Writes nothing:
    the callers close expired invitations."""
    if invitation is None or invitation.user_id != ctx.user.id or invitation.due_at > ctx.now:
        return [Reply(_("This survey is no longer available."))]
    if invitation.status == "completed":
        return [Reply(_("You have already answered this survey. Thank you!"))]
    if invitation.status == "expired" or invitation.expires_at <= ctx.now:
        closed = format_date(invitation.expires_at.astimezone(ctx.settings.timezone).date())
        return [
            Reply(_("This survey is closed (it was open until {date}). Thank you all the same!").format(date=closed))
        ]
    if _survey_of(ctx, invitation) is None:
        return [Reply(_("This survey is no longer available."))]
    return None


async def begin(ctx: Context, invitation: Invitation | None) -> list[Reply]:
    """Open an invitation for answering (from a button or /survey); the engine then asks
    the current question. A form in progress (an application) is kept and resumes afterwards."""
    problem = await _unavailable(ctx, invitation)
    if _has_expired(ctx, invitation):
        await survey_service.close_expired(ctx.tx, ctx.now)
    if problem is not None or invitation is None:
        return problem or []
    current = ctx.state
    if current is not None and current.flow == FLOW and current.data.get("invitation") == invitation.id:
        return []
    state = ConversationState(flow=FLOW, step="")
    state.data["invitation"] = invitation.id
    if current is not None and current.flow == FLOW:
        if current.data.get("stash"):  # another survey was open: what waited behind it keeps waiting
            state.data["stash"] = current.data["stash"]
    elif current is not None and current.flow not in ctx.registry.interrupting_flows():
        state.data["stash"] = stash_of(current)  # the engine's rule: interrupting flows are not resumed
    ctx.state = state
    if await surveys.answers(ctx.tx, invitation.id):
        return [Reply(_("Welcome back! Let's continue where you left off."))]
    return [Reply(_("Thank you for taking part! You can stop at any time and continue later with /survey."))]


@dataclass(frozen=True)
class SurveySheet(Sheet):
    """A survey opened for answering: the form's questions and answers, and where they come from."""

    invitation: Invitation
    survey: Survey


_QUESTIONS: dict[int, tuple[Survey, tuple[FormQuestion, ...]]] = {}


def _form_questions(survey: Survey) -> tuple[FormQuestion, ...]:
    """The survey's questions as the form engine's (made once per loaded survey)."""
    made = _QUESTIONS.get(id(survey))
    if made is None or made[0] is not survey:
        made = (survey, tuple(answering.form_question(q) for q in survey.questions))
        _QUESTIONS[id(survey)] = made
    return made[1]


class SurveyFlow(FormFlow):
    """A survey on the form engine: its questions come from the survey's file, each answer is
    stored the moment it is given, and submitting marks the response final."""

    name = FLOW
    asks_consent = False
    can_cancel = False
    runtime_questions = True

    def expired_notice(self, days: int) -> str | None:
        """Said when the survey sat idle past the conversation timeout: its answers are kept."""
        return ngettext(
            "Your survey was paused for more than {n} day. Your answers so far are saved; send /survey to continue.",
            "Your survey was paused for more than {n} days. Your answers so far are saved; send /survey to continue.",
            days,
        ).format(n=days)

    async def open(self, ctx: Context, state: ConversationState) -> Sheet | list[Reply]:
        """The invitation, its survey and the answers so far; or why the survey is over."""
        invitation = await surveys.get(ctx.tx, int(state.data.get("invitation", 0)))
        problem = await _unavailable(ctx, invitation)
        if _has_expired(ctx, invitation):
            await survey_service.close_expired(ctx.tx, ctx.now)
        if problem is not None or invitation is None:
            return problem or []
        survey = _survey_of(ctx, invitation)
        assert survey is not None
        answers = await surveys.answers(ctx.tx, invitation.id)
        return SurveySheet(_form_questions(survey), answers, invitation, survey)

    async def keep(
        self, ctx: Context, state: ConversationState, sheet: Sheet, question: FormQuestion, value: Any
    ) -> None:
        """Stored at once, so that the person may stop at any time and go on later."""
        assert isinstance(sheet, SurveySheet)
        asked = sheet.survey.question(question.id)
        await survey_service.save_answer(
            ctx.tx,
            sheet.invitation.id,
            question.id,
            value,
            free_text=asked is not None and asked.type == QuestionType.TEXT,
            language=ctx.language,
            now=ctx.now,
        )

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        opened = await surveys.open_for_user(ctx.tx, ctx.user.id, ctx.now)
        if not opened:
            state.step = FINISHED
            return [Reply(_("You have no survey to answer right now."))]
        state.data["invitation"] = opened[0].id
        return await super().start(ctx, state)

    async def submit(self, ctx: Context, state: ConversationState) -> list[Reply]:
        sheet = await self.open(ctx, state)
        state.step = FINISHED
        if not isinstance(sheet, SurveySheet):
            return sheet if isinstance(sheet, list) else []
        if not await survey_service.submit(ctx.tx, sheet.invitation, sheet.survey, ctx.language, ctx.now):
            return [Reply(_("You have already answered this survey. Thank you!"))]
        return [Reply(_("Thank you! Your answers have been saved. They help us make the programme better."))]


async def _start_button(ctx: Context, args: list[str]) -> list[Reply] | None:
    """The invitation's and the reminder's button: ``survey.<invitation id>``."""
    if len(args) != 1 or not args[0].isdigit():
        return None
    invitation = await surveys.get(ctx.tx, int(args[0]))
    if invitation is None or invitation.user_id != ctx.user.id:
        return None
    return await begin(ctx, invitation)


async def survey_command(ctx: Context) -> list[Reply]:
    """/survey: continue the survey in progress, or open the oldest one waiting."""
    if ctx.state is not None and ctx.state.flow == FLOW:
        return []
    opened = await surveys.open_for_user(ctx.tx, ctx.user.id, ctx.now)
    if not opened:
        return [Reply(_("You have no survey to answer right now."))]
    opened.sort(key=lambda invitation: invitation.status != "started")
    return await begin(ctx, opened[0])


async def _deliverable(delivery: Delivery) -> tuple[Invitation, Survey] | None:
    invitation = await surveys.get(delivery.conn, int(delivery.item.payload["invitation"]))
    if invitation is None or not invitation.is_open(delivery.now):
        return None
    survey = catalogue_for(delivery.settings.survey_dir).get(invitation.survey_id)
    return None if survey is None else (invitation, survey)


def _closes(delivery: Delivery, invitation: Invitation) -> str:
    return format_date(invitation.expires_at.astimezone(delivery.settings.timezone).date())


async def render_invitation(delivery: Delivery) -> Reply | None:
    """The survey's invitation, in the recipient's language; plans its one reminder."""
    found = await _deliverable(delivery)
    if found is None:
        return None
    invitation, survey = found
    await plan_reminder(
        delivery.conn, invitation, delivery.item.channel, delivery.item.chat_id, delivery.settings, delivery.now
    )
    note = _("You can stop at any time and continue later where you left off.\nOpen until: {date}")
    text = f"{survey.title.get()}\n\n{survey.intro.get()}\n\n{note.format(date=_closes(delivery, invitation))}"
    return Reply(text, [Option(f"{ACTION}.{invitation.id}", _("Start the survey"))], menu=True)


async def render_reminder(delivery: Delivery) -> Reply | None:
    """The one reminder; not sent once the survey is answered or closed."""
    found = await _deliverable(delivery)
    if found is None:
        return None
    invitation, survey = found
    text = _("A reminder: we would be glad to have your answers to the survey “{title}”.\nOpen until: {date}").format(
        title=survey.title.get(), date=_closes(delivery, invitation)
    )
    label = _("Continue the survey") if invitation.status == "started" else _("Start the survey")
    return Reply(text, [Option(f"{ACTION}.{invitation.id}", label)], menu=True)


FEATURE = Feature(
    "surveys",
    commands=(Command("survey", lambda: _("Answer a follow-up survey"), run=survey_command), *STAFF_COMMANDS),
    flows=(SurveyFlow(), SurveySendFlow()),
    actions=(Action(ACTION, _start_button),),
    message_kinds=(MessageKind(INVITATION_KIND, render_invitation), MessageKind(REMINDER_KIND, render_reminder)),
)
