"""Staff tools for surveys: /sendsurvey (a survey now, to a group) and /report (the indicators)."""

from __future__ import annotations

from bot.flows.registry import FINISHED, Command, Context, Flow, Step
from bot.flows.steps import StepTable
from bot.i18n import _, ngettext
from bot.messages import Document, InputKind, Option, Reply, UserInput
from bot.reference.age_groups import age_groups
from bot.reports.chart import placement_chart
from bot.reports.indicators import build_report
from bot.reports.indicators_text import report_text
from bot.services.campaigns import eligible, send_now
from bot.surveys.definition import Survey
from bot.surveys.loader import catalogue_for
from storage import cohorts, surveys
from storage.conversations import ConversationState
from storage.surveys import Recipient

ALL_GRADUATES = "all"
MAX_COHORT_BUTTONS = 20


async def _recipients(ctx: Context, segment: str) -> list[Recipient]:
    """``all``, or ``c<cohort id>`` (a cohort's trainees and graduates)."""
    if segment == ALL_GRADUATES:
        return await surveys.segment(ctx.tx, "graduates")
    return await surveys.segment(ctx.tx, "cohort", int(segment[1:]))


class SurveySendFlow(Flow):
    name = "survey_send"

    def _survey(self, ctx: Context, state: ConversationState) -> Survey | None:
        return catalogue_for(ctx.settings.survey_dir).get(str(state.answers.get("survey", "")))

    async def _segments(self, ctx: Context) -> list[Option]:
        options = [Option(ALL_GRADUATES, _("All graduates"))]
        for cohort in (await cohorts.list_all(ctx.tx))[:MAX_COHORT_BUTTONS]:
            options.append(Option(f"c{cohort.id}", f"{cohort.code} – {cohort.name}"[:60]))
        return options

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        if not catalogue_for(ctx.settings.survey_dir).surveys:
            state.step = FINISHED
            return [Reply(_("No survey is defined yet: add a survey file to the surveys folder."))]
        state.step = "survey"
        return await self.prompt(ctx, state)

    def __init__(self) -> None:
        self.steps = (
            Step("survey", self._ask_survey, self._answer_survey, ("segment",)),
            Step("segment", self._ask_segment, self._answer_segment, ("confirm", FINISHED)),
            Step("confirm", self._ask_confirm, self._answer_confirm, (FINISHED,)),
        )
        self._table = StepTable(self.steps, otherwise=self.steps[-1])

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self._table.prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self._table.handle(ctx, state, inp)

    async def _ask_survey(self, ctx: Context, state: ConversationState) -> list[Reply]:
        options = [Option(s.id, s.title.get()[:60]) for s in catalogue_for(ctx.settings.survey_dir).surveys.values()]
        return [Reply(_("Which survey do you want to send now?"), options)]

    async def _ask_segment(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [Reply(_("Who should get it? (A cohort means its trainees and graduates.)"), await self._segments(ctx))]

    async def _ask_confirm(self, ctx: Context, state: ConversationState) -> list[Reply]:
        survey = self._survey(ctx, state)
        assert survey is not None
        count = len(await self._reachable(ctx, state))
        days, expiry = ctx.settings.survey_reminder_days, ctx.settings.survey_expiry_days
        text = " ".join(
            [
                ngettext("Send “{title}” now to {n} person?", "Send “{title}” now to {n} people?", count).format(
                    title=survey.title.get(), n=count
                ),
                ngettext(
                    "Without an answer, they get one reminder after {days} day.",
                    "Without an answer, they get one reminder after {days} days.",
                    days,
                ).format(days=days),
                ngettext(
                    "The survey closes after {expiry} day.", "The survey closes after {expiry} days.", expiry
                ).format(expiry=expiry),
            ]
        )
        return [Reply(text, [Option("send", _("Send now")), Option("cancel", _("Cancel"))])]

    async def _again(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [Reply(_("Please answer with the buttons below.")), *await self.prompt(ctx, state)]

    async def _answer_survey(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        if choice is None or not self._survey_named(ctx, choice):
            return await self._again(ctx, state)
        state.answers["survey"] = choice
        state.step = "segment"
        return await self.prompt(ctx, state)

    async def _answer_segment(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        if choice is None or not any(o.key == choice for o in await self._segments(ctx)):
            return await self._again(ctx, state)
        state.answers["segment"] = choice
        state.step = "confirm"
        if not await self._reachable(ctx, state):
            state.step = FINISHED
            return [
                Reply(
                    _(
                        "Nobody in this group can get it now: the group is empty, or everyone in it already has this survey open."
                    )
                )
            ]
        return await self.prompt(ctx, state)

    async def _answer_confirm(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        if choice == "cancel":
            state.step = FINISHED
            return [Reply(_("Nothing was sent."))]
        if choice == "send":
            return await self._send(ctx, state)
        return await self._again(ctx, state)

    async def _reachable(self, ctx: Context, state: ConversationState) -> list[Recipient]:
        survey = self._survey(ctx, state)
        if survey is None:
            return []
        return await eligible(ctx.tx, survey, await _recipients(ctx, state.answers["segment"]), ctx.now)

    def _survey_named(self, ctx: Context, survey_id: str) -> bool:
        return catalogue_for(ctx.settings.survey_dir).get(survey_id) is not None

    async def _send(self, ctx: Context, state: ConversationState) -> list[Reply]:
        state.step = FINISHED
        survey = self._survey(ctx, state)
        if survey is None:
            return [Reply(_("This survey is no longer available."))]
        sent = await send_now(ctx.tx, survey, await _recipients(ctx, state.answers["segment"]), ctx.settings, ctx.now)
        return [
            Reply(
                ngettext(
                    "Done: the survey is on its way to {n} person.",
                    "Done: the survey is on its way to {n} people.",
                    sent,
                ).format(n=sent)
            )
        ]


async def report_reply(ctx: Context) -> list[Reply]:
    """/report: the indicators as text, and the placement chart as a picture."""
    catalogue = catalogue_for(ctx.settings.survey_dir)
    report = await build_report(
        ctx.tx, catalogue, ctx.now, None, age_groups(ctx.settings.min_age, ctx.settings.max_age)
    )
    chart = placement_chart(report)
    name = f"placement-{ctx.now.astimezone(ctx.settings.timezone):%Y-%m-%d}.png"
    caption = _("Placement rate by programme and sex")
    return [
        Reply(report_text(report, catalogue, ctx.settings.timezone)),
        Reply(caption, document=Document(name, chart, caption, picture=True)),
    ]


STAFF_COMMANDS = (
    Command("sendsurvey", lambda: _("Send a survey now (staff)"), flow="survey_send", staff_only=True),
    Command(
        "report", lambda: _("Programme indicators and chart (staff)"), run=report_reply, staff_only=True, role="viewer"
    ),
)
