"""A form for staff work (a new opening, a broadcast): the questions of a
:class:`FormFlow`, then a preview of the result with Save / Edit / Cancel.

Staff give no consent to their own data processing here, so the consent step
is skipped; the summary shows what will be published instead of a list of
answers. Multiple choice (tracks) is a question whose buttons tick and untick.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.flows.form import (
    Accepted,
    Choices,
    FormFlow,
    Parsed,
    Rejected,
    Sheet,
    Toggled,
    current_ticks,
    not_understood,
    read_ticks,
)
from bot.flows.registry import Context
from bot.i18n import _
from bot.messages import InputKind, Option, UserInput
from storage.conversations import ConversationState


def text_parser(low: int, high: int, one_line: bool) -> Callable[[Context, UserInput], Awaitable[Parsed]]:
    """Typed text of a sensible length; ``one_line`` folds every run of spaces and line breaks."""

    async def parse(ctx: Context, inp: UserInput) -> Parsed:
        if inp.kind != InputKind.TEXT:
            return Rejected(not_understood(inp) if inp.kind != InputKind.OPTION else _("Please type your answer."))
        text = " ".join(inp.text.split()) if one_line else inp.text.strip()
        if len(text) < low:
            return Rejected(_("That is too short: please write at least {n} characters.").format(n=low))
        if len(text) > high:
            return Rejected(
                _("That is {length} characters long; up to {limit} characters are accepted. Please shorten it.").format(
                    length=len(text), limit=high
                )
            )
        return Accepted(text)

    return parse


class StaffForm(FormFlow):
    """A staff form: no consent; the summary is a preview of what will be saved or sent."""

    asks_consent = False

    async def preview(self, ctx: Context, state: ConversationState) -> str:
        """What will be saved or sent, as its readers will see it."""
        raise NotImplementedError

    async def summary_text(self, ctx: Context, state: ConversationState, sheet: Sheet) -> str:
        return await self.preview(ctx, state)

    async def confirm_label(self, ctx: Context, state: ConversationState) -> str:
        return _("Save")

    def cancelled_text(self) -> str:
        return _("Cancelled; nothing was saved.")


def multi_choice(
    keys: Sequence[str], label: Callable[[str], str], shown: Callable[[list[str]], str]
) -> tuple[Choices, Callable[[Context, UserInput], Awaitable[Parsed]]]:
    """Choices and parser of a question answered with several buttons, then Done
    (``multiple=True``; the form keeps the ticks while the question is open).

    The answer is the list of ticked keys in the order of ``keys``; each tick is
    confirmed with what is ticked so far.
    """

    async def choices(ctx: Context) -> list[Option]:
        return [Option(k, label(k)) for k in keys]

    async def parse(ctx: Context, inp: UserInput) -> Parsed:
        result = read_ticks(inp, keys, current_ticks(ctx), _("Please tick at least one, then press Done."))
        if isinstance(result, Toggled):
            now = shown(result.selected) if result.selected else _("nothing yet")
            return Toggled(result.selected, _("Ticked: {ticked}. Tap more, or press Done.").format(ticked=now))
        if result is not None:
            return result
        if inp.kind == InputKind.TEXT:
            return Rejected(_("Please tap the buttons to tick your choices, then press Done."))
        return Rejected(not_understood(inp))

    return choices, parse
