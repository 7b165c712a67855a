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

from bot.flows.core import Context, InputKind, Option, Reply, UserInput
from bot.i18n import _
from storage.conversations import ConversationState

PAGE_SIZE = 10
NAV_PREV = "_prev"
NAV_NEXT = "_next"
SKIP = "_skip"
FINISHED = "_finished"
SUMMARY = "_summary"
EDIT_PICK = "_edit"


@dataclass(frozen=True)
class Accepted:
    value: Any
    note: str | None = None  # a short confirmation to show before the next question


@dataclass(frozen=True)
class Rejected:
    message: str


Parsed = Accepted | Rejected
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


def expect_text(inp: UserInput, hint: str) -> Rejected | None:
    """For questions answered by typing: anything else gets the right re-prompt."""
    if inp.kind == InputKind.TEXT:
        return None
    return Rejected(hint if inp.kind == InputKind.OPTION else not_understood(inp))


async def match_municipality(ctx: Context, text: str) -> Parsed | None:
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
    match_text: Callable[[Context, str], Awaitable[Parsed | None]] | None = None,
) -> Callable[[Context, UserInput], Awaitable[Parsed]]:
    """Read a button press, or typed text equal to a button's label (or found by ``match_text``)."""

    async def parse(ctx: Context, inp: UserInput) -> Parsed:
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
        if "consent" not in state.answers:
            return "consent"
        return SUMMARY

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        state.step = self._next_step(ctx, state, None)
        return await self.prompt(ctx, state)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Ask the current step's question again, as it stands."""
        if state.step == "consent":
            return [Reply(self.consent_text(ctx), [Option("yes", _("Yes, I agree")), Option("no", _("No"))])]
        if state.step == SUMMARY:
            return [await self._summary(ctx, state)]
        if state.step == EDIT_PICK:
            return [Reply(_("Which answer would you like to change?"), await self._edit_options(ctx, state))]
        question = self._question(state.step)
        if question is None:  # a step removed in a newer version of the form
            state.step = self._next_step(ctx, state, None)
            return await self.prompt(ctx, state)
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

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if state.step == "consent":
            return await self._handle_consent(ctx, state, inp)
        if state.step == SUMMARY:
            return await self._handle_summary(ctx, state, inp)
        if state.step == EDIT_PICK:
            return await self._handle_edit_pick(ctx, state, inp)
        question = self._question(state.step)
        if question is None:
            return await self.start(ctx, state)
        if inp.kind == InputKind.OPTION and inp.text in (NAV_PREV, NAV_NEXT):
            state.data["page"] = int(state.data.get("page", 0)) + (1 if inp.text == NAV_NEXT else -1)
            return await self.prompt(ctx, state)
        if question.optional and inp.kind == InputKind.OPTION and inp.text == SKIP:
            result: Parsed = Accepted(None)
        else:
            result = await question.parse(ctx, inp)
        if isinstance(result, Rejected):
            return [Reply(result.message), *await self.prompt(ctx, state)]
        state.answers[question.id] = result.value
        state.data.pop("page", None)
        replies = [Reply(result.note, reset_keyboard=question.ask_contact)] if result.note else []
        if state.data.pop("editing", False):
            state.step = SUMMARY
        else:
            state.step = self._next_step(ctx, state, question.id)
        return replies + await self.prompt(ctx, state)

    async def _handle_consent(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        answer = self._yes_no(inp)
        if answer is None:
            return [Reply(_("Please answer with Yes or No.")), *await self.prompt(ctx, state)]
        if not answer:
            state.answers.clear()
            state.step = FINISHED
            return [Reply(self.declined_text())]
        state.answers["consent"] = ctx.now.isoformat()
        state.step = self._next_step(ctx, state, None)
        return await self.prompt(ctx, state)

    @staticmethod
    def _yes_no(inp: UserInput) -> bool | None:
        if inp.kind == InputKind.OPTION and inp.text in ("yes", "no"):
            return inp.text == "yes"
        if inp.kind == InputKind.TEXT:
            typed = inp.text.strip().casefold().rstrip(".!")
            if typed in {_("yes").casefold(), "yes", "po", "да", "da"}:
                return True
            if typed in {_("no").casefold(), "no", "jo", "не", "ne"}:
                return False
        return None

    async def _summary(self, ctx: Context, state: ConversationState) -> Reply:
        lines = [_("Please check your answers:"), ""]
        for question in self.questions():
            if question.id in state.answers and self._applies(ctx, question):
                value = state.answers[question.id]
                shown = _("(skipped)") if value is None else await question.show(ctx, value)
                lines.append(f"{question.label()}: {shown}")
        options = [Option("submit", _("Submit")), Option("edit", _("Edit an answer")), Option("cancel", _("Cancel"))]
        return Reply("\n".join(lines), options)

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

    async def _edit_options(self, ctx: Context, state: ConversationState) -> list[Option]:
        options = [Option(q.id, q.label()) for q in self.questions() if q.id in state.answers and self._applies(ctx, q)]
        options.append(Option(SUMMARY, _("◀ Back")))
        return options

    async def _handle_edit_pick(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        options = await self._edit_options(ctx, state)
        if inp.kind == InputKind.OPTION and any(o.key == inp.text for o in options):
            if inp.text == SUMMARY:
                state.step = SUMMARY
            else:
                state.step = inp.text
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
