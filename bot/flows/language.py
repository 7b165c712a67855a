"""Choosing the language: asked at the first /start, changed with /language."""

from __future__ import annotations

from bot.flows.registry import FINISHED, Command, Context, Feature, Flow, Onboarding, Step
from bot.flows.steps import StepTable
from bot.i18n import LANGUAGES, _, match_platform_language, use_language
from bot.messages import InputKind, Option, Reply, UserInput
from bot.services import people
from storage import users
from storage.conversations import ConversationState


class LanguageFlow(Flow):
    """The language, chosen with buttons or typed; the onboarding of every newcomer."""

    name = "language"

    def __init__(self) -> None:
        self.steps = (Step("choose", self._ask_choose, self._answer_choose, (FINISHED,)),)
        self._table = StepTable(self.steps)

    def _options(self, state: ConversationState) -> list[Option]:
        """All languages, the one matching the platform's language first and ticked."""
        suggested = state.data.get("suggested")
        codes = list(LANGUAGES)
        if suggested in LANGUAGES:
            codes.remove(suggested)
            codes.insert(0, suggested)
        return [Option(code, ("✓ " if code == suggested else "") + LANGUAGES[code].native_name) for code in codes]

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        # Offered first: the language chosen before; for a newcomer in onboarding (the engine
        # then names what runs next, ``data["then"]``), the platform's language.
        onboarding = "then" in state.data
        state.data["suggested"] = ctx.user.language or (ctx.platform_language if onboarding else None)
        state.step = "choose"
        return await self.prompt(ctx, state)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self._table.prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self._table.handle(ctx, state, inp)

    async def _ask_choose(self, ctx: Context, state: ConversationState) -> list[Reply]:
        # Shown in the language we guess, with every language's name in itself; with no
        # guess (the platform gave no language), asked in each source language in turn.
        if state.data.get("suggested") in LANGUAGES:
            return [Reply(_("Please choose your language:"), self._options(state))]
        return [Reply(_every_language("Please choose your language:"), self._options(state))]

    async def _answer_choose(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        chosen = None
        if inp.kind == InputKind.OPTION and inp.text in LANGUAGES:
            chosen = inp.text
        elif inp.kind == InputKind.TEXT:
            chosen = _typed_language(inp.text)
        if chosen is None:
            return [Reply(_("Please choose a language with the buttons below.")), *await self.prompt(ctx, state)]
        await people.set_language(ctx.tx, ctx.user.id, chosen, ctx.now)
        ctx.user = await users.get(ctx.tx, ctx.user.id) or ctx.user  # what runs next must see the choice
        ctx.language = chosen
        state.step = FINISHED
        with use_language(chosen):
            return [Reply(_("Language set to English."))]


def _every_language(message: str) -> str:
    lines = []
    for code in ("sq", "sr", "en"):
        with use_language(code):
            lines.append(_(message))
    return "\n".join(lines)


def _typed_language(text: str) -> str | None:
    """A language typed instead of pressed: its name ("Shqip", "english") or code ("sr")."""
    typed = text.strip().removeprefix("✓").strip().casefold()
    for code, language in LANGUAGES.items():
        if typed in (language.native_name.casefold(), code.casefold()):
            return code
    return match_platform_language(typed) if len(typed) <= 8 else None


FEATURE = Feature(
    "language",
    commands=(
        Command(
            "language",
            lambda: _("Change the language"),
            flow="language",
            shortcut=lambda: _("Language"),
            interrupts=True,
        ),
    ),
    flows=(LanguageFlow(),),
    onboarding=Onboarding("language", needed=lambda ctx: ctx.user.language is None, then="start"),
)
