"""Questions of a form, and what their answers are: the vocabulary the form engine
(``form.py``) walks and every form's questions are written in.

A :class:`Question` says what to ask, which buttons to offer and how to read an
answer into :class:`Accepted`, :class:`Rejected` or, for a multiple choice,
:class:`Toggled`. The helpers below are the one implementation of each kind of
answer the forms share: buttons (paged, ticked), typed text, a municipality in
any spelling, yes or no.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.flows.registry import Context
from bot.flows.steps import DONE, NAV_NEXT, NAV_PREV, SKIP
from bot.i18n import _
from bot.messages import InputKind, Option, UserInput
from storage.conversations import ConversationState

PAGE_SIZE = 10
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


# -- multiple choice: the one implementation, for staff forms and surveys --------------


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


# -- typed text and choices -----------------------------------------------------------


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
