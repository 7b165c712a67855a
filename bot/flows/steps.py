"""Steps as data: the vocabulary every flow shares (goflow's nodes and exits, kept small).

A flow declares its steps (``bot.flows.registry.Step``, part of the flow
contract beside ``FINISHED``): each has an id (what
``ConversationState.step`` holds, so the ids are the strings stored in
conversations and must not change), what to ask, what it accepts, and the
steps each answer may lead to (its exits; ``FINISHED`` ends the flow).
The registry checks every flow's steps when it is built: unique ids, and
exits that name a declared step or the end. A :class:`StepTable` runs them.

The reserved ids and button keys below start with ``_`` so that they can never
clash with a question id or an option key of a flow.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.flows.registry import Context, Step
from bot.messages import Reply, UserInput
from storage.conversations import ConversationState

SUMMARY = "_summary"  # a form's summary (or a staff form's preview)
EDIT_PICK = "_edit"  # "which answer would you like to change?"
QUESTIONS = "_questions"  # stands for questions loaded at run time (a survey's YAML, checked when it loads)

SKIP = "_skip"  # the button of an optional question
DONE = "_done"  # the button that closes a multiple choice
NAV_PREV = "_prev"  # paging buttons
NAV_NEXT = "_next"


class StepTable:
    """Runs declared steps: asks and handles the step the conversation is on.

    A step id that is not declared (a step removed in a newer version of the
    flow) is handled by ``otherwise``: a declared step, or a recovery that is
    not one (it moves the conversation to a declared step).
    """

    def __init__(self, steps: Sequence[Step], otherwise: Step | None = None) -> None:
        self.steps = tuple(steps)
        self._by_id = {step.id: step for step in self.steps}
        self._otherwise = otherwise or self.steps[0]

    def step(self, step_id: str) -> Step:
        return self._by_id.get(step_id, self._otherwise)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self.step(state.step).prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self.step(state.step).accepts(ctx, state, inp)
