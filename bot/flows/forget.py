"""/forget: erase what the bot stores about a person, after confirmation."""

from __future__ import annotations

from bot.flows.registry import FINISHED, Command, Context, Feature, Flow, Step
from bot.flows.steps import StepTable
from bot.i18n import _, pgettext
from bot.messages import InputKind, Option, Reply, UserInput
from bot.services import people
from storage.conversations import ConversationState


class ForgetFlow(Flow):
    name = "forget"

    def __init__(self) -> None:
        self.steps = (Step("confirm", self._ask_confirm, self._answer_confirm, (FINISHED,)),)
        self._table = StepTable(self.steps)

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        state.step = "confirm"
        return await self.prompt(ctx, state)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self._table.prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self._table.handle(ctx, state, inp)

    async def _ask_confirm(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [
            Reply(
                _(
                    "Do you really want to delete all your data? Your applications will be withdrawn and cannot be recovered. Only anonymous counts for the programme's reports are kept."
                ),
                [Option("erase", _("Yes, delete my data")), Option("keep", pgettext("forget my data", "No, keep it"))],
            )
        ]

    async def _answer_confirm(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind == InputKind.OPTION and inp.text == "erase":
            await people.erase(ctx.tx, ctx.user.id, ctx.now)
            state.step = FINISHED
            state.data["erased"] = True
            return [
                Reply(
                    _(
                        "Your data has been deleted. Goodbye, and thank you! If you write again, we will start from the beginning."
                    )
                )
            ]
        if inp.kind == InputKind.OPTION and inp.text == "keep":
            state.step = FINISHED
            return [Reply(_("Nothing was deleted."))]
        return [Reply(_("Please answer with the buttons below.")), *await self.prompt(ctx, state)]


FEATURE = Feature(
    "forget",
    commands=(Command("forget", lambda: _("Delete your data"), flow="forget", interrupts=True),),
    flows=(ForgetFlow(),),
)
