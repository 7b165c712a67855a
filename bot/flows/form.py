"""A form: questions asked one at a time, then consent, a summary, and submit.

The flow is data (RapidPro's habit): a form is a list of :class:`Question`
objects, each saying what to ask, which options to offer and how to read the
answer. The :class:`FormFlow` engine below walks them, re-asks on a wrong
answer, skips questions that do not apply, and lets the user correct any
single answer from the summary.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.flows.registry import FINISHED, Context, Step
from bot.flows.steps import DONE, EDIT_PICK, NAV_NEXT, NAV_PREV, SKIP, SUMMARY, StepTable
from bot.i18n import _
from bot.messages import InputKind, Option, Reply, UserInput
from storage.conversations import ConversationState

PAGE_SIZE = 10


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
    id: str
    label: Callable[[], str]  # the field's name in the summary
    prompt: Callable[[Context], str]
    parse: Callable[[Context, UserInput], Awaitable[Parsed]]
    show: Callable[[Context, Any], Awaitable[str]]  # a stored answer as the user reads it
    choices: Choices | None = None
    ask_contact: bool = False
    optional: bool = False
    applies: Callable[[Context], bool] | None = None


def not_understood(inp: UserInput) -> str:
    """The re-prompt for input of the wrong kind (a sticker where text is expected...)."""
    if inp.kind == InputKind.OTHER:
        return _("I can only read text and buttons here, not stickers, photos, voice notes or locations.")
    if inp.kind == InputKind.CONTACT:
        return _("Thanks, but I don't need a contact for this question.")
    return _("Please answer with one of the buttons below.")


def paged(state: ConversationState, options: list[Option]) -> list[Option]:
    """The page of options the conversation is on (``state.data["page"]``), with
    previous/next buttons when there is more than one page."""
    pages = max(1, (len(options) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(int(state.data.get("page", 0)), 0), pages - 1)
    shown = options[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if page > 0:
        shown.append(Option(NAV_PREV, _("◀ Previous")))
    if page < pages - 1:
        shown.append(Option(NAV_NEXT, _("Next ▶")))
    return shown


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


class FormFlow:
    """Walks a list of questions; subclasses give the questions, consent and submit."""

    name: str = ""

    def questions(self) -> Sequence[Question]:
        raise NotImplementedError

    # -- hooks ---------------------------------------------------------------

    def consent_text(self, ctx: Context) -> str:
        raise NotImplementedError

    async def submit(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Store the finished form; return what to tell the user."""
        raise NotImplementedError

    def declined_text(self) -> str:
        return _(
            "Understood. Without your consent we cannot take your application, so nothing was saved and your answers were discarded."
        )

    # -- engine --------------------------------------------------------------

    asks_consent = True  # a consent step before the summary

    @property
    def steps(self) -> tuple[Step, ...]:
        """The questions, consent, summary and edit as declared steps (ids are the question ids)."""
        return self._table().steps

    def _table(self) -> StepTable:
        table: StepTable | None = self.__dict__.get("_step_table")
        if table is None:
            ids = [q.id for q in self.questions()]
            tail = ["consent", SUMMARY] if self.asks_consent else [SUMMARY]
            steps = [
                Step(qid, self._ask_question, self._answer_question, (*ids[i + 1 :], *tail))
                for i, qid in enumerate(ids)
            ]
            if self.asks_consent:
                steps.append(Step("consent", self._ask_consent, self._handle_consent, (*ids, SUMMARY, FINISHED)))
            steps.append(Step(SUMMARY, self._ask_summary, self._handle_summary, (EDIT_PICK, FINISHED, *ids)))
            steps.append(Step(EDIT_PICK, self._ask_edit_pick, self._handle_edit_pick, (SUMMARY, *ids)))
            recover = Step("", self._ask_unknown, self._answer_unknown, tuple(ids))
            table = StepTable(steps, recover)
            self.__dict__["_step_table"] = table
        return table

    def _question(self, step: str) -> Question | None:
        return next((q for q in self.questions() if q.id == step), None)

    def _applies(self, ctx: Context, question: Question) -> bool:
        return question.applies is None or question.applies(ctx)

    def _next_step(self, ctx: Context, state: ConversationState, after: str | None) -> str:
        """The first question after ``after`` that applies and is unanswered."""
        ids = [q.id for q in self.questions()]
        start = ids.index(after) + 1 if after in ids else 0
        for question in self.questions()[start:]:
            if self._applies(ctx, question) and question.id not in state.answers:
                return question.id
        if self.asks_consent and "consent" not in state.answers:
            return "consent"
        return SUMMARY

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        state.step = self._next_step(ctx, state, None)
        return await self.prompt(ctx, state)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Ask the current step's question again, as it stands."""
        return await self._table().prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self._table().handle(ctx, state, inp)

    async def _ask_consent(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [Reply(self.consent_text(ctx), [Option("yes", _("Yes, I agree")), Option("no", _("No"))])]

    async def _ask_summary(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [await self._summary(ctx, state)]

    async def _ask_edit_pick(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [edit_pick_reply(self._answered(ctx, state))]

    async def _ask_unknown(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """A step removed in a newer version of the form: go on where the answers say."""
        state.step = self._next_step(ctx, state, None)
        return await self.prompt(ctx, state)

    async def _answer_unknown(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self.start(ctx, state)

    async def _ask_question(self, ctx: Context, state: ConversationState) -> list[Reply]:
        question = self._question(state.step)
        assert question is not None
        options = await self._page(ctx, state, question)
        if question.optional:
            options.append(Option(SKIP, _("Skip")))
        if question.ask_contact:
            return [Reply(question.prompt(ctx), options, ask_contact=True)]
        return [Reply(question.prompt(ctx), options)]

    async def _page(self, ctx: Context, state: ConversationState, question: Question) -> list[Option]:
        if question.choices is None:
            return []
        return paged(state, await question.choices(ctx))

    async def _answer_question(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        question = self._question(state.step)
        assert question is not None
        if turn_page(state, inp):
            return await self.prompt(ctx, state)
        if question.optional and inp.kind == InputKind.OPTION and inp.text == SKIP:
            result: Parsed = Accepted(None)
        else:
            result = await question.parse(ctx, inp)
        if isinstance(result, Rejected):
            return [Reply(result.message), *await self.prompt(ctx, state)]
        if isinstance(result, Toggled):
            state.data[question.id] = result.selected
            return ([Reply(result.note)] if result.note else []) + await self.prompt(ctx, state)
        state.answers[question.id] = result.value
        state.data.pop("page", None)
        replies = [Reply(result.note, reset_keyboard=question.ask_contact)] if result.note else []
        if state.data.pop("editing", False):
            # Back to the summary, unless the change made a question apply that has no answer yet
            # (a birth date that makes a guardian's consent needed).
            state.step = self._next_step(ctx, state, None)
        else:
            state.step = self._next_step(ctx, state, question.id)
        return replies + await self.prompt(ctx, state)

    async def _handle_consent(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        answer = yes_no(inp)
        if answer is None:
            return [Reply(_("Please answer with Yes or No.")), *await self.prompt(ctx, state)]
        if not answer:
            state.answers.clear()
            state.step = FINISHED
            return [Reply(self.declined_text())]
        state.answers["consent"] = ctx.now.isoformat()
        state.step = self._next_step(ctx, state, None)
        return await self.prompt(ctx, state)

    async def _summary(self, ctx: Context, state: ConversationState) -> Reply:
        lines = []
        for question in self.questions():
            if question.id in state.answers and self._applies(ctx, question):
                value = state.answers[question.id]
                shown = _("(skipped)") if value is None else await question.show(ctx, value)
                lines.append(f"{question.label()}: {shown}")
        options = [Option("submit", _("Submit")), Option("edit", _("Edit an answer")), Option("cancel", _("Cancel"))]
        return summary_reply(lines, options)

    async def _handle_summary(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        if choice == "submit":
            return await self.submit(ctx, state)
        if choice == "edit":
            state.step = EDIT_PICK
            return await self.prompt(ctx, state)
        if choice == "cancel":
            state.answers.clear()
            state.step = FINISHED
            return [Reply(_("Your application was cancelled and your answers were discarded."))]
        return [
            Reply(_("Please use the buttons below: submit, edit an answer, or cancel.")),
            *await self.prompt(ctx, state),
        ]

    def _answered(self, ctx: Context, state: ConversationState) -> list[tuple[str, str]]:
        return [(q.id, q.label()) for q in self.questions() if q.id in state.answers and self._applies(ctx, q)]

    async def _handle_edit_pick(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        picked = picked_answer(inp, [qid for qid, _label in self._answered(ctx, state)])
        if picked is not None:
            state.step = picked
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
