"""/accept for staff: put an applicant into a cohort; they are told in their language.

Steps: the reference number (typed, optionally followed by the cohort code),
the cohort (buttons: the cohorts of the application's programme), then a
confirmation. The enrolment, the applicant's notice and their reminders are
written in one transaction (``bot.services.enrolment``).
"""

from __future__ import annotations

from bot.flows.form import not_understood
from bot.flows.registry import FINISHED, Context, Flow, Step
from bot.flows.steps import StepTable
from bot.flows.training.session_texts import COHORT_CREATE
from bot.i18n import _, ngettext
from bot.messages import InputKind, Option, Reply, UserInput
from bot.reference.texts import programme_title
from bot.services import decisions, enrolment
from bot.services.enrolment import Refusal
from storage import cohorts, programmes, trainees
from storage.conversations import ConversationState
from storage.trainees import Applicant


class AcceptFlow(Flow):
    name = "accept"

    def __init__(self) -> None:
        self.steps = (
            Step("reference", self._ask_reference, self._reference, ("cohort", "confirm", FINISHED)),
            Step("cohort", self._ask_cohort, self._answer_cohort, ("reference", "confirm")),
            Step("confirm", self._ask_confirm, self._answer_confirm, ("reference", "cohort", FINISHED)),
        )
        self._table = StepTable(self.steps, otherwise=self.steps[-1])

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        state.step = "reference"
        return await self.prompt(ctx, state)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self._table.prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self._table.handle(ctx, state, inp)

    async def _ask_reference(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return [
            Reply(
                _(
                    "Type the reference number of the application to accept (like YB-27-K7MX4). You may add the cohort code after it."
                )
            )
        ]

    async def _applicant_or_gone(self, ctx: Context, state: ConversationState) -> Applicant | list[Reply]:
        """The application being accepted, or (when the person deleted their data meanwhile) the replies."""
        applicant = await trainees.applicant(ctx.tx, str(state.data.get("reference", "")))
        if applicant is None:
            state.step = "reference"
            return [Reply(_("That application no longer exists.")), *await self.prompt(ctx, state)]
        return applicant

    async def _ask_cohort(self, ctx: Context, state: ConversationState) -> list[Reply]:
        applicant = await self._applicant_or_gone(ctx, state)
        if isinstance(applicant, list):
            return applicant
        who = await self._who(ctx, applicant)
        options = [Option(f"c{c.id}", c.name[:60]) for c in await self._cohorts(ctx, applicant)]
        return [
            Reply(_("{applicant}. Into which cohort?").format(applicant=who), [*options, Option("back", _("◀ Back"))])
        ]

    async def _ask_confirm(self, ctx: Context, state: ConversationState) -> list[Reply]:
        applicant = await self._applicant_or_gone(ctx, state)
        if isinstance(applicant, list):
            return applicant
        who = await self._who(ctx, applicant)
        cohort = await cohorts.get(ctx.tx, int(state.data["cohort"]))
        text = _("Accept {applicant} into {cohort}? They will be told in their language.").format(
            applicant=who, cohort=cohort.name if cohort else "–"
        )
        return [Reply(text, [Option("yes", _("Yes, accept")), Option("back", _("◀ Back"))])]

    async def _answer_cohort(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind == InputKind.OPTION and inp.text == "back":
            state.step = "reference"
            return await self.prompt(ctx, state)
        chosen = await self._chosen_cohort(ctx, state, inp)
        if chosen is not None:
            state.data["cohort"] = chosen
            state.step = "confirm"
            return await self.prompt(ctx, state)
        return [Reply(_("Please choose the cohort with the buttons below.")), *await self.prompt(ctx, state)]

    async def _answer_confirm(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind == InputKind.OPTION and inp.text == "back":
            state.step = "cohort"
            return await self.prompt(ctx, state)
        if inp.kind == InputKind.OPTION and inp.text == "yes":
            return await self._accept(ctx, state)
        return [Reply(not_understood(inp)), *await self.prompt(ctx, state)]

    async def _who(self, ctx: Context, applicant: Applicant) -> str:
        programme = await programmes.by_id(ctx.tx, applicant.programme_id)
        return _("{name} ({reference}), {programme}").format(
            name=applicant.full_name or "–",
            reference=applicant.reference,
            programme=programme_title(programme) if programme else "–",
        )

    async def _cohorts(self, ctx: Context, applicant: Applicant) -> list[cohorts.Cohort]:
        found = [
            await cohorts.get(ctx.tx, i) for i in await trainees.cohorts_of_programme(ctx.tx, applicant.programme_id)
        ]
        return [c for c in found if c is not None]

    async def _chosen_cohort(self, ctx: Context, state: ConversationState, inp: UserInput) -> int | None:
        """A cohort button, or a typed cohort code or name."""
        if inp.kind == InputKind.OPTION and inp.text.startswith("c") and inp.text[1:].isdigit():
            return int(inp.text[1:])
        applicant = await trainees.applicant(ctx.tx, str(state.data.get("reference", "")))
        if inp.kind != InputKind.TEXT or applicant is None:
            return None
        typed = inp.text.strip().casefold()
        return next(
            (c.id for c in await self._cohorts(ctx, applicant) if typed in (c.code.casefold(), c.name.casefold())), None
        )

    async def _refused(self, ctx: Context, applicant: Applicant, cohort: cohorts.Cohort | None = None) -> str | None:
        found = await enrolment.refusal(ctx.tx, applicant, cohort)
        if found is None:
            return None
        reason, enrolled_in = found
        if reason == Refusal.WITHDRAWN:
            return _("Application {reference} was withdrawn, or the person deleted their data.").format(
                reference=applicant.reference
            )
        if reason == Refusal.ALREADY_ENROLLED:
            other = await cohorts.get(ctx.tx, enrolled_in) if enrolled_in else None
            return _("Application {reference} is already in the cohort {cohort}.").format(
                reference=applicant.reference, cohort=other.name if other else "–"
            )
        return _("That cohort belongs to another programme.")

    async def _reference(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind != InputKind.TEXT:
            return [
                Reply(not_understood(inp) if inp.kind != InputKind.OPTION else _("Please type the reference number.")),
                *await self.prompt(ctx, state),
            ]
        words = inp.text.split()
        applicant = await trainees.applicant(ctx.tx, words[0][:40]) if words else None
        if applicant is None:
            return [
                Reply(
                    _("No application has the reference {reference}. Please check it and type it again.").format(
                        reference=inp.text.strip()[:40]
                    )
                ),
                *await self.prompt(ctx, state),
            ]
        problem = await self._refused(ctx, applicant)
        if problem is not None:
            return [Reply(problem), *await self.prompt(ctx, state)]
        state.data["reference"] = applicant.reference
        choices = await self._cohorts(ctx, applicant)
        if not choices:
            state.step = FINISHED
            return [
                Reply(
                    _("There is no cohort of this programme yet. Create one on the server with: {command}").format(
                        command=COHORT_CREATE
                    )
                )
            ]
        state.step = "cohort"
        if len(words) > 1:
            chosen = next((c for c in choices if c.code.casefold() == words[1].casefold()), None)
            if chosen is None:
                return [
                    Reply(_("{code} is not a cohort of this programme.").format(code=words[1][:40])),
                    *await self.prompt(ctx, state),
                ]
            state.data["cohort"] = chosen.id
            state.step = "confirm"
        return await self.prompt(ctx, state)

    async def _accept(self, ctx: Context, state: ConversationState) -> list[Reply]:
        applicant = await trainees.applicant(ctx.tx, str(state.data["reference"]))
        cohort = await cohorts.get(ctx.tx, int(state.data["cohort"]))
        if applicant is None or cohort is None:
            state.step = FINISHED
            return [Reply(_("That application no longer exists."))]
        problem = await self._refused(ctx, applicant, cohort)
        state.step = FINISHED
        if problem:
            return [Reply(problem)]
        try:
            done = await decisions.decide(
                ctx.tx,
                applicant.reference,
                decisions.Decision.ACCEPTED,
                staff_id=None,  # a chat staff member has no console account yet
                settings=ctx.settings,
                now=ctx.now,
                cohort_id=cohort.id,
            )
        except decisions.DecisionError:
            return [Reply(_("Nothing was changed."))]
        text = _("Done: {name} is now in {cohort} and will be told.").format(
            name=applicant.full_name or applicant.reference, cohort=cohort.name
        )
        planned = ngettext("{n} reminder planned.", "{n} reminders planned.", done.reminders_planned).format(
            n=done.reminders_planned
        )
        return [Reply(f"{text} {planned}")]
