"""The one form engine: questions asked one at a time, then consent, a summary, and submit.

The flow is data (RapidPro's habit): a form is a list of questions
(``questions.py``), each saying what to ask, which options to offer and how to
read the answer. The :class:`FormFlow` engine below walks them, re-asks on a
wrong answer, skips questions that do not apply, pages long lists of buttons,
ticks multiple choices, and lets the user correct any single answer from the
summary. The application form, the staff forms (``staff_form.py``) and the
follow-up surveys (``surveys/flow.py``, questions made from the survey files)
all run on it; what differs between them are the hooks of :class:`FormFlow`:
where the questions and answers come from (:meth:`FormFlow.open`), where an
answer is kept (:meth:`FormFlow.keep`), consent, the summary's text and submit.
A form's module imports what it needs from here: the question vocabulary is
re-exported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.flows.questions import (
    PAGE_SIZE,
    TICKS,
    Accepted,
    Answer,
    Choices,
    Parsed,
    Question,
    Rejected,
    Sheet,
    Toggled,
    choice_display,
    choice_parser,
    current_ticks,
    expect_text,
    match_municipality,
    not_understood,
    paged,
    question_options,
    read_ticks,
    show_text,
    tick_options,
    toggle,
    turn_page,
    yes_no,
)
from bot.flows.registry import FINISHED, Context, Flow, Step
from bot.flows.steps import EDIT_PICK, QUESTIONS, SKIP, SUMMARY
from bot.i18n import _
from bot.messages import InputKind, Option, Reply, UserInput
from storage.conversations import ConversationState

__all__ = [
    "CONSENT",
    "PAGE_SIZE",
    "TICKS",
    "Accepted",
    "Answer",
    "Choices",
    "FormFlow",
    "Parsed",
    "Question",
    "Rejected",
    "Sheet",
    "Toggled",
    "choice_display",
    "choice_parser",
    "current_ticks",
    "edit_pick_reply",
    "expect_text",
    "match_municipality",
    "not_understood",
    "paged",
    "picked_answer",
    "question_options",
    "read_ticks",
    "show_text",
    "summary_reply",
    "tick_options",
    "toggle",
    "turn_page",
    "yes_no",
]

CONSENT = "consent"

# -- summary and edit: the one implementation, for forms and surveys ----------------


def summary_reply(lines: Sequence[str], options: list[Option]) -> Reply:
    """The answers given, one ``label: answer`` line each, with what can be done next."""
    return Reply("\n".join([_("Please check your answers:"), "", *lines]), options)


def edit_pick_reply(answered: Sequence[tuple[str, str]]) -> Reply:
    """Which answer to change: one button per answered (id, label), and Back to the summary."""
    options = [Option(qid, label) for qid, label in answered]
    options.append(Option(SUMMARY, _("◀ Back")))
    return Reply(_("Which answer would you like to change?"), options)


def picked_answer(inp: UserInput, answered: Sequence[str]) -> str | None:
    """The question id chosen to change, SUMMARY for Back, None for anything else."""
    if inp.kind == InputKind.OPTION and (inp.text == SUMMARY or inp.text in answered):
        return inp.text
    return None


class FormFlow(Flow):
    """Walks a form's questions; subclasses give the questions, consent and submit (the hooks)."""

    name: str = ""
    asks_consent = True  # a consent step before the summary
    can_cancel = True  # the summary offers Cancel (which discards the answers)
    # The questions are known only when the form opens (a survey's file, checked when it
    # loads): one QUESTIONS step stands for them among the declared steps.
    runtime_questions = False

    def __init__(self) -> None:
        # The questions, consent, summary and edit as declared steps (ids are the question ids).
        tail = [CONSENT, SUMMARY] if self.asks_consent else [SUMMARY]
        if self.runtime_questions:
            ids = [QUESTIONS]
            steps = [Step(QUESTIONS, self.prompt, self.handle, (QUESTIONS, *tail, FINISHED))]
        else:
            ids = [q.id for q in self.questions()]
            steps = [Step(qid, self.prompt, self.handle, (*ids[i + 1 :], *tail)) for i, qid in enumerate(ids)]
        if self.asks_consent:
            steps.append(Step(CONSENT, self.prompt, self.handle, (*ids, SUMMARY, FINISHED)))
        steps.append(Step(SUMMARY, self.prompt, self.handle, (EDIT_PICK, FINISHED, *ids)))
        steps.append(Step(EDIT_PICK, self.prompt, self.handle, (SUMMARY, *ids, FINISHED)))
        self.steps: tuple[Step, ...] = tuple(steps)

    # -- hooks ---------------------------------------------------------------

    def questions(self) -> Sequence[Question]:
        """The questions, when they are known without opening the form."""
        return ()

    async def open(self, ctx: Context, state: ConversationState) -> Sheet | list[Reply]:
        """The questions and the answers so far; or, when the form cannot go on, what to say
        (the form then ends)."""
        return Sheet(self.questions(), state.answers)

    async def keep(self, ctx: Context, state: ConversationState, sheet: Sheet, question: Question, value: Any) -> None:
        """Keep an accepted answer (in the conversation, until submit)."""
        state.answers[question.id] = value

    def consent_text(self, ctx: Context) -> str:
        raise NotImplementedError

    async def submit(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Store the finished form; return what to tell the user."""
        raise NotImplementedError

    def declined_text(self) -> str:
        return _(
            "Understood. Without your consent we cannot take your application, so nothing was saved and your answers were discarded."
        )

    async def summary_text(self, ctx: Context, state: ConversationState, sheet: Sheet) -> str:
        """The summary above Submit / Edit: one ``label: answer`` line per answer given."""
        lines = []
        for question in sheet.questions:
            if question.id in sheet.answers and self._applies(ctx, question, sheet.answers):
                value = sheet.answers[question.id]
                shown = _("(skipped)") if value is None else await question.show(ctx, value)
                lines.append(f"{question.label()}: {shown}")
        return summary_reply(lines, []).text

    async def confirm_label(self, ctx: Context, state: ConversationState) -> str:
        return _("Submit")

    def cancelled_text(self) -> str:
        return _("Your application was cancelled and your answers were discarded.")

    # -- engine --------------------------------------------------------------

    def _applies(self, ctx: Context, question: Question, answers: Mapping[str, Any]) -> bool:
        return question.applies is None or question.applies(ctx, answers)

    def _next_step(self, ctx: Context, sheet: Sheet, after: str | None) -> str:
        """The first question after ``after`` that applies and is unanswered; then consent, the summary."""
        ids = [q.id for q in sheet.questions]
        start = ids.index(after) + 1 if after in ids else 0
        for question in sheet.questions[start:]:
            if self._applies(ctx, question, sheet.answers) and question.id not in sheet.answers:
                return question.id
        if self.asks_consent and CONSENT not in sheet.answers:
            return CONSENT
        return SUMMARY

    async def _sheet(self, ctx: Context, state: ConversationState) -> Sheet | list[Reply]:
        """Open the form and point the state at a step that makes sense for the answers: a
        question that applies and waits for an answer (or is being changed), consent, or the
        summary once nothing waits. A step of an older version of the form goes on likewise."""
        sheet = await self.open(ctx, state)
        if isinstance(sheet, list):
            state.step = FINISHED
            return sheet
        step = state.step
        if step == CONSENT and self.asks_consent:
            return sheet
        if step in (SUMMARY, EDIT_PICK):
            if self._next_step(ctx, sheet, None) == SUMMARY:
                return sheet
        else:
            question = sheet.question(step)
            if (
                question is not None
                and self._applies(ctx, question, sheet.answers)
                and (question.id not in sheet.answers or state.data.get("editing"))
            ):
                return sheet
        for key in ("editing", "page", TICKS):
            state.data.pop(key, None)
        state.step = self._next_step(ctx, sheet, None)
        return sheet

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        state.step = ""
        return await self.prompt(ctx, state)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Ask the current step's question again, as it stands."""
        sheet = await self._sheet(ctx, state)
        if isinstance(sheet, list):
            return sheet
        if state.step == SUMMARY:
            options = [Option("submit", await self.confirm_label(ctx, state)), Option("edit", _("Edit an answer"))]
            if self.can_cancel:
                options.append(Option("cancel", _("Cancel")))
            return [Reply(await self.summary_text(ctx, state, sheet), options)]
        if state.step == EDIT_PICK:
            return [edit_pick_reply(self._answered(ctx, sheet))]
        if state.step == CONSENT:
            return [Reply(self.consent_text(ctx), [Option("yes", _("Yes, I agree")), Option("no", _("No"))])]
        question = sheet.question(state.step)
        assert question is not None
        choices = await question.choices(ctx) if question.choices is not None else []
        options = question_options(
            choices,
            page=int(state.data.get("page", 0)),
            ticks=self._ticks(state, sheet, question) if question.multiple else None,
            optional=question.optional,
        )
        return [Reply(question.prompt(ctx), options, ask_contact=question.ask_contact)]

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        sheet = await self._sheet(ctx, state)
        if isinstance(sheet, list):
            return sheet
        if state.step == SUMMARY:
            return await self._handle_summary(ctx, state, inp)
        if state.step == EDIT_PICK:
            return await self._handle_edit_pick(ctx, state, sheet, inp)
        if state.step == CONSENT:
            return await self._handle_consent(ctx, state, inp)
        question = sheet.question(state.step)
        assert question is not None
        return await self._answer_question(ctx, state, sheet, question, inp)

    @staticmethod
    def _ticks(state: ConversationState, sheet: Sheet, question: Question) -> list[str]:
        """The ticks of a multiple choice while it is open: at first those of its answer."""
        if TICKS not in state.data:
            state.data[TICKS] = list(sheet.answers.get(question.id) or [])
        return list(state.data[TICKS])

    async def _answer_question(
        self, ctx: Context, state: ConversationState, sheet: Sheet, question: Question, inp: UserInput
    ) -> list[Reply]:
        if turn_page(state, inp):
            return await self.prompt(ctx, state)
        if question.multiple:
            self._ticks(state, sheet, question)  # what parse reads through current_ticks
        if question.optional and inp.kind == InputKind.OPTION and inp.text == SKIP:
            result: Parsed = Accepted(None)
        else:
            result = await question.parse(ctx, inp)
        if isinstance(result, Rejected):
            return [Reply(result.message), *await self.prompt(ctx, state)]
        if isinstance(result, Toggled):
            state.data[TICKS] = result.selected
            return ([Reply(result.note)] if result.note else []) + await self.prompt(ctx, state)
        await self.keep(ctx, state, sheet, question, result.value)
        state.data.pop("page", None)
        state.data.pop(TICKS, None)
        replies = [Reply(result.note, reset_keyboard=question.ask_contact)] if result.note else []
        if state.data.pop("editing", False):
            state.step = SUMMARY
        else:
            answered = Sheet(sheet.questions, {**sheet.answers, question.id: result.value})
            state.step = self._next_step(ctx, answered, question.id)
        return replies + await self.prompt(ctx, state)

    async def _handle_consent(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        answer = yes_no(inp)
        if answer is None:
            return [Reply(_("Please answer with Yes or No.")), *await self.prompt(ctx, state)]
        if not answer:
            state.answers.clear()
            state.step = FINISHED
            return [Reply(self.declined_text())]
        state.answers[CONSENT] = ctx.now.isoformat()
        state.step = ""
        return await self.prompt(ctx, state)

    async def _handle_summary(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        if choice == "submit":
            return await self.submit(ctx, state)
        if choice == "edit":
            state.step = EDIT_PICK
            return await self.prompt(ctx, state)
        if choice == "cancel" and self.can_cancel:
            state.answers.clear()
            state.step = FINISHED
            return [Reply(self.cancelled_text())]
        wrong = (
            _("Please use the buttons below: submit, edit an answer, or cancel.")
            if self.can_cancel
            else _("Please use the buttons below: submit, or edit an answer.")
        )
        return [Reply(wrong), *await self.prompt(ctx, state)]

    def _answered(self, ctx: Context, sheet: Sheet) -> list[tuple[str, str]]:
        return [
            (q.id, q.label()) for q in sheet.questions if q.id in sheet.answers and self._applies(ctx, q, sheet.answers)
        ]

    async def _handle_edit_pick(
        self, ctx: Context, state: ConversationState, sheet: Sheet, inp: UserInput
    ) -> list[Reply]:
        picked = picked_answer(inp, [qid for qid, _label in self._answered(ctx, sheet)])
        if picked is not None:
            state.step = picked
            state.data.pop(TICKS, None)
            if picked != SUMMARY:
                state.data["editing"] = True
            return await self.prompt(ctx, state)
        return [
            Reply(
                not_understood(inp)
                if inp.kind != InputKind.TEXT
                else _("Please choose with the buttons which answer to change.")
            ),
            *await self.prompt(ctx, state),
        ]
