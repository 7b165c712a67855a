"""The one form engine: questions asked one at a time, then consent, a summary, and submit.

The flow is data (RapidPro's habit): a form is a list of :class:`Question`
objects, each saying what to ask, which options to offer and how to read the
answer. The :class:`FormFlow` engine below walks them, re-asks on a wrong
answer, skips questions that do not apply, pages long lists of buttons, ticks
multiple choices, and lets the user correct any single answer from the
summary. The application form, the staff forms (``staff_form.py``) and the
follow-up surveys (``surveys/flow.py``, questions made from the survey files)
all run on it; what differs between them are the hooks of :class:`FormFlow`:
where the questions and answers come from (:meth:`FormFlow.open`), where an
answer is kept (:meth:`FormFlow.keep`), consent, the summary's text and submit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.flows.registry import FINISHED, Context, Flow, Step
from bot.flows.steps import DONE, EDIT_PICK, NAV_NEXT, NAV_PREV, QUESTIONS, SKIP, SUMMARY
from bot.i18n import _
from bot.messages import InputKind, Option, Reply, UserInput
from storage.conversations import ConversationState

PAGE_SIZE = 10
CONSENT = "consent"
TICKS = "selected"  # state.data: the ticks of the multiple choice being answered (one question is open at a time)


@dataclass(frozen=True)
class Accepted:
    value: Any
    note: str | None = None  # a short confirmation to show before the next question


@dataclass(frozen=True)
class Rejected:
    message: str


@dataclass(frozen=True)
class Toggled:
    """A multiple-choice option was ticked or unticked; the question stays open."""

    selected: list[str]
    note: str | None = None  # said before the question is asked again


Answer = Accepted | Rejected  # what most questions' parsers return
Parsed = Answer | Toggled
Choices = Callable[[Context], Awaitable[list[Option]]]


@dataclass(frozen=True)
class Question:
    """One question of a form: what to ask, what it accepts, how an answer reads, when it applies."""

    id: str
    label: Callable[[], str]  # the field's name in the summary
    prompt: Callable[[Context], str]
    parse: Callable[[Context, UserInput], Awaitable[Parsed]]
    show: Callable[[Context, Any], Awaitable[str]]  # a stored answer as the user reads it
    choices: Choices | None = None
    ask_contact: bool = False
    optional: bool = False  # a Skip button; skipped is None
    applies: Callable[[Context, Mapping[str, Any]], bool] | None = None  # given the answers so far
    multiple: bool = False  # the choices tick and untick, then Done; parse reads current_ticks(ctx)


@dataclass(frozen=True)
class Sheet:
    """What a form works on while it handles one input: its questions and the answers so far."""

    questions: Sequence[Question]
    answers: Mapping[str, Any]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def not_understood(inp: UserInput) -> str:
    """The re-prompt for input of the wrong kind (a sticker where text is expected...)."""
    if inp.kind == InputKind.OTHER:
        return _("I can only read text and buttons here, not stickers, photos, voice notes or locations.")
    if inp.kind == InputKind.CONTACT:
        return _("Thanks, but I don't need a contact for this question.")
    return _("Please answer with one of the buttons below.")


def _page_of(options: Sequence[Option], page: int) -> tuple[list[Option], list[Option]]:
    """The options of one page, and the previous/next buttons when there is more than one page."""
    pages = max(1, (len(options) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    nav = []
    if page > 0:
        nav.append(Option(NAV_PREV, _("◀ Previous")))
    if page < pages - 1:
        nav.append(Option(NAV_NEXT, _("Next ▶")))
    return list(options[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]), nav


def paged(state: ConversationState, options: list[Option]) -> list[Option]:
    """The page of options the conversation is on (``state.data["page"]``), with
    previous/next buttons when there is more than one page."""
    shown, nav = _page_of(options, int(state.data.get("page", 0)))
    return shown + nav


def question_options(
    choices: Sequence[Option], *, page: int = 0, ticks: Sequence[str] | None = None, optional: bool = False
) -> list[Option]:
    """The buttons under a question: a page of its choices (ticked, then Done, for a multiple
    choice), the paging buttons, and Skip for an optional question."""
    shown, nav = _page_of(choices, page)
    if ticks is not None:
        shown = tick_options([(o.key, o.label) for o in shown], ticks)
    return shown + nav + ([Option(SKIP, _("Skip"))] if optional else [])


def turn_page(state: ConversationState, inp: UserInput) -> bool:
    """Move to the previous or next page when a paging button was pressed (then ask again)."""
    if inp.kind == InputKind.OPTION and inp.text in (NAV_PREV, NAV_NEXT):
        state.data["page"] = int(state.data.get("page", 0)) + (1 if inp.text == NAV_NEXT else -1)
        return True
    return False


def yes_no(inp: UserInput) -> bool | None:
    """A Yes/No button, or yes or no typed in any of the bot's languages; None for anything else."""
    if inp.kind == InputKind.OPTION and inp.text in ("yes", "no"):
        return inp.text == "yes"
    if inp.kind == InputKind.TEXT:
        typed = inp.text.strip().casefold().rstrip(".!")
        if typed in {_("yes").casefold(), "yes", "po", "да", "da"}:
            return True
        if typed in {_("no").casefold(), "no", "jo", "не", "ne"}:
            return False
    return None


# -- multiple choice: the one implementation, for staff forms and surveys ------------


def tick_options(choices: Sequence[tuple[str, str]], selected: Sequence[str]) -> list[Option]:
    """The buttons of a multiple choice: each (key, label) ticked when selected, then Done."""
    return [Option(key, ("✓ " if key in selected else "") + label) for key, label in choices] + [
        Option(DONE, _("Done"))
    ]


def current_ticks(ctx: Context) -> list[str]:
    """The ticks of the multiple choice being answered (the form keeps them in the state)."""
    return list(ctx.state.data.get(TICKS, [])) if ctx.state is not None else []


def toggle(selected: Sequence[str], key: str, keys: Sequence[str]) -> list[str]:
    """The selection with ``key`` ticked or unticked, in the order of ``keys``."""
    return [k for k in keys if (k in selected) != (k == key)]


def read_ticks(inp: UserInput, keys: Sequence[str], selected: Sequence[str], none_ticked: str) -> Parsed | None:
    """Done (the selection, or ``none_ticked`` when empty) or a tick; None for any other input."""
    if inp.kind != InputKind.OPTION:
        return None
    if inp.text == DONE:
        return Accepted([k for k in keys if k in selected]) if selected else Rejected(none_ticked)
    if inp.text in keys:
        return Toggled(toggle(selected, inp.text, keys))
    return None


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


def expect_text(inp: UserInput, hint: str) -> Rejected | None:
    """For questions answered by typing: anything else gets the right re-prompt."""
    if inp.kind == InputKind.TEXT:
        return None
    return Rejected(hint if inp.kind == InputKind.OPTION else not_understood(inp))


async def match_municipality(ctx: Context, text: str) -> Answer | None:
    """A typed municipality in any spelling, or suggestions for a typo."""
    found = ctx.municipalities.match(text)
    if found is not None:
        return Accepted(found.key)
    suggestions = ctx.municipalities.suggest(text)
    if suggestions:
        names = ", ".join(m.name(ctx.language) for m in suggestions)
        return Rejected(
            _("I don't know that municipality. Did you mean: {names}? Please type it again or use the buttons.").format(
                names=names
            )
        )
    return None


def choice_parser(
    choices: Choices,
    match_text: Callable[[Context, str], Awaitable[Answer | None]] | None = None,
) -> Callable[[Context, UserInput], Awaitable[Answer]]:
    """Read a button press, or typed text equal to a button's label (or found by ``match_text``)."""

    async def parse(ctx: Context, inp: UserInput) -> Answer:
        options = await choices(ctx)
        if inp.kind == InputKind.OPTION:
            if any(o.key == inp.text for o in options):
                return Accepted(inp.text)
            return Rejected(_("That button is not one of the choices. Please use the buttons below."))
        if inp.kind == InputKind.TEXT:
            typed = inp.text.strip().casefold()
            for option in options:
                if option.label.casefold() == typed:
                    return Accepted(option.key)
            if match_text is not None:
                found = await match_text(ctx, inp.text)
                if found is not None:
                    return found
            return Rejected(_("I didn't recognise that. Please choose one of the buttons below."))
        return Rejected(not_understood(inp))

    return parse


def choice_display(choices: Choices) -> Callable[[Context, Any], Awaitable[str]]:
    async def show(ctx: Context, value: Any) -> str:
        for option in await choices(ctx):
            if option.key == value:
                return option.label
        return str(value)

    return show


async def show_text(ctx: Context, value: Any) -> str:
    return str(value)


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
