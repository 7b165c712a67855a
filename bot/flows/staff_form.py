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
    Toggled,
    not_understood,
    read_ticks,
    tick_options,
)
from bot.flows.registry import FINISHED, Context
from bot.flows.steps import SUMMARY
from bot.i18n import _
from bot.messages import InputKind, Option, Reply, UserInput
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
    asks_consent = False

    async def preview(self, ctx: Context, state: ConversationState) -> str:
        """What will be saved or sent, as its readers will see it."""
        raise NotImplementedError

    async def confirm_label(self, ctx: Context, state: ConversationState) -> str:
        return _("Save")

    def cancelled_text(self) -> str:
        return _("Cancelled; nothing was saved.")

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """At the preview, first ask what an edited answer made necessary (a segment's track...)."""
        if state.step == SUMMARY:
            state.step = self._next_step(ctx, state, None)
        return await super().prompt(ctx, state)

    async def _summary(self, ctx: Context, state: ConversationState) -> Reply:
        options = [
            Option("submit", await self.confirm_label(ctx, state)),
            Option("edit", _("Edit an answer")),
            Option("cancel", _("Cancel")),
        ]
        return Reply(await self.preview(ctx, state), options)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if state.step == SUMMARY and inp.kind == InputKind.OPTION and inp.text == "cancel":
            state.answers.clear()
            state.step = FINISHED
            return [Reply(self.cancelled_text())]
        return await super().handle(ctx, state, inp)


def multi_choice(
    qid: str, keys: Sequence[str], label: Callable[[str], str], shown: Callable[[list[str]], str]
) -> tuple[Choices, Callable[[Context, UserInput], Awaitable[Parsed]]]:
    """Choices and parser of a question (id ``qid``) answered with several buttons, then Done.

    The ticks live in the conversation's data under the question's id while
    the question is open (the form stores a :class:`Toggled` selection there);
    the answer is the list of ticked keys in the order of ``keys``.
    """

    def ticked(ctx: Context) -> list[str]:
        assert ctx.state is not None
        data = ctx.state.data
        if qid not in data:
            data[qid] = list(ctx.state.answers.get(qid) or [])
        return list(data[qid])

    async def choices(ctx: Context) -> list[Option]:
        return tick_options([(k, label(k)) for k in keys], ticked(ctx))

    async def parse(ctx: Context, inp: UserInput) -> Parsed:
        assert ctx.state is not None
        result = read_ticks(inp, keys, ticked(ctx), _("Please tick at least one, then press Done."))
        if isinstance(result, Toggled):
            now = shown(result.selected) if result.selected else _("nothing yet")
            return Toggled(result.selected, _("Ticked: {ticked}. Tap more, or press Done.").format(ticked=now))
        if isinstance(result, Accepted):
            ctx.state.data.pop(qid, None)
        if result is not None:
            return result
        if inp.kind == InputKind.TEXT:
            return Rejected(_("Please tap the buttons to tick your choices, then press Done."))
        return Rejected(not_understood(inp))

    return choices, parse
