"""The conversation engine: one user input in, the replies out, state saved.

Every input is handled in one SQLite transaction: the user, their
conversation state, whatever the flow writes (an application, outbox rows)
and the record that this update was handled commit together. A crash before
the commit loses nothing (the platform delivers the update again); after it,
the repeat is recognised and only the current question is shown again.

Order of decisions for one input:
1. an expired conversation is dropped, politely;
2. a keyword typed alone (STOP) is handled, from any step, and the step is asked again;
3. commands (typed, or menu buttons) are handled first, from any step;
4. a newcomer goes through the registry's declared onboarding (choosing the language) first;
5. otherwise the input goes to the flow they are in; a button from an older
   message (its token differs) gets a short note and the current question.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from bot.flows.registry import FINISHED, Command, Context, Flow, Onboarding, Registry
from bot.i18n import _, match_platform_language, ngettext, use_language
from bot.messages import InputKind, Reply, UserInput, new_token
from bot.reference.municipalities import Municipalities
from storage import Database, conversations, health, outbox, receipts, steps, updates, users
from storage.conversations import ConversationState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """One input of one person, as a channel hands it to the engine."""

    channel: str
    platform_id: str
    chat_id: str
    input: UserInput
    display_name: str | None = None
    platform_language: str | None = None
    update_key: str | None = None  # for recognising a redelivered update


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    language: str
    queued: int = 0  # outbox rows the step queued: the channel wakes the outbox worker when > 0


class Engine:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        municipalities: Municipalities,
        is_staff: Callable[[str, str], bool],
        registry: Registry,
    ) -> None:
        self.registry = registry
        self.interrupting = registry.interrupting_flows()
        self.onboarding: Onboarding | None = registry.onboarding
        self.db = db
        self.settings = settings
        self.clock = clock
        self.municipalities = municipalities
        self.is_staff = is_staff

    async def handle(self, incoming: Incoming) -> Outcome:
        async with self.db.transaction(here=True) as tx:
            now = self.clock.now()
            queued_before = outbox.queued_in(tx)
            start = await steps.start(
                tx,
                incoming.channel,
                incoming.platform_id,
                incoming.chat_id,
                incoming.display_name,
                incoming.update_key,
                now,
            )
            user = start.user
            language = (
                user.language or match_platform_language(incoming.platform_language) or self.settings.default_language
            )
            account = start.staff_account
            if account is not None and account.disabled:
                account = None
            configured = self.is_staff(incoming.channel, incoming.platform_id)
            # STAFF_TELEGRAM_IDS / VIBER_STAFF_IDS mean admin; a linked console account brings its own role.
            role = "admin" if configured else account.role if account is not None else None
            ctx = Context(
                tx=tx,
                user=user,
                settings=self.settings,
                now=now,
                is_staff=role in ("admin", "coordinator"),
                staff_role=role,
                staff_id=account.id if account is not None else None,
                municipalities=self.municipalities,
                language=language,
                registry=self.registry,
                platform_language=match_platform_language(incoming.platform_language),
            )
            with use_language(language):
                ctx.state = start.state
                if not start.first_time:
                    replies = await self._reprompt(ctx)
                    self._stamp(ctx.state, replies)
                    return Outcome(replies, ctx.language, outbox.queued_in(tx) - queued_before)
                before = _position(ctx.state)
                replies = await self._dispatch(ctx, incoming.input)
            with use_language(ctx.language):
                replies += await self._finish(ctx)
            state = ctx.state
            if state is not None and state.data.get("erased"):
                return Outcome(replies, ctx.language, outbox.queued_in(tx) - queued_before)  # the user is gone
            if state is None:
                conversations.clear(tx, user.id)
            else:
                if not state.token or _position(state) != before:
                    state.token = new_token()
                conversations.save(tx, user.id, state, now)
            self._stamp(state, replies)
            return Outcome(replies, ctx.language, outbox.queued_in(tx) - queued_before)

    async def subscription_changed(
        self,
        channel: str,
        platform_id: str,
        chat_id: str,
        subscribed: bool,
        display_name: str | None = None,
        update_key: str | None = None,
    ) -> None:
        """A person subscribed (known from now on) or unsubscribed (no proactive messages);
        a redelivered event (same ``update_key``) changes nothing."""
        async with self.db.transaction(here=True) as tx:
            now = self.clock.now()
            if update_key is not None and not await updates.claim(tx, channel, update_key, now):
                return
            if subscribed:
                await users.get_or_create(tx, channel, platform_id, chat_id, display_name, now)
            else:
                await users.mark_unreachable(tx, channel, chat_id, now)

    async def unreachable(self, channel: str, chat_id: str) -> None:
        """No proactive messages to this chat until the person writes (not subscribed yet)."""
        async with self.db.transaction(here=True) as tx:
            await users.mark_unreachable(tx, channel, chat_id, self.clock.now())

    async def record_receipt(
        self,
        channel: str,
        token: str,
        kind: str,
        at: datetime | None = None,
        description: str = "failed",
        update_key: str | None = None,
    ) -> None:
        """A platform's receipt of a sent message: ``delivered``, ``seen`` or (anything else) failed."""
        async with self.db.transaction(here=True) as tx:
            now = self.clock.now()
            if update_key is not None and not await updates.claim(tx, channel, update_key, now):
                return
            if kind == "delivered":
                await receipts.delivered(tx, channel, token, at or now)
            elif kind == "seen":
                await receipts.seen(tx, channel, token, at or now)
            else:
                await receipts.failed(tx, channel, token, description)

    async def database_answers(self) -> bool:
        """Whether the database answers a trivial read: the health check's question to the engine."""
        async with self.db.reading() as conn:
            return await health.ping(conn)

    async def language_of(self, channel: str, platform_id: str, platform_language: str | None) -> str:
        """The language to speak to someone outside a conversation turn (errors, menus)."""
        async with self.db.reading() as conn:
            user = await users.find(conn, channel, platform_id)
        return (
            (user.language if user else None)
            or match_platform_language(platform_language)
            or self.settings.default_language
        )

    # -- decisions -------------------------------------------------------------

    def _onboarding_due(self, ctx: Context) -> Onboarding | None:
        """The onboarding this person still has to go through, if any."""
        onboarding = self.onboarding
        return onboarding if onboarding is not None and onboarding.needed(ctx) else None

    async def _dispatch(self, ctx: Context, inp: UserInput) -> list[Reply]:
        replies: list[Reply] = []
        if ctx.state is not None and self._expired(ctx, ctx.state):
            replies.append(self._expired_notice(ctx.state))
            ctx.state = None
        state = ctx.state
        keyword = self.registry.keyword_for(inp.text) if inp.kind == InputKind.TEXT else None
        if keyword is not None:
            return replies + await keyword.run(ctx) + await self._reprompt(ctx)
        onboarding = self._onboarding_due(ctx)
        if inp.kind == InputKind.OPTION and inp.token is None:
            if inp.text in self.registry.commands:
                inp = UserInput(InputKind.COMMAND, inp.text)
            else:
                return replies + await self._action(ctx, inp.text)
        if inp.kind == InputKind.COMMAND:
            replies += await self._command(ctx, inp)
        elif onboarding is not None and (state is None or state.flow != onboarding.flow):
            replies += await self._start(ctx, onboarding.flow, then=onboarding.then)
        elif state is None:
            if inp.kind == InputKind.OPTION:
                replies.append(Reply(_("That button is no longer active.")))
            replies += self.registry.home(ctx)
        elif inp.kind == InputKind.OPTION and inp.token != state.token:
            replies.append(Reply(_("That button belongs to an earlier message. Here is where we are now:")))
            replies += await self._flow(state).prompt(ctx, state)
        else:
            replies += await self._flow(state).handle(ctx, state, inp)
        return replies

    def _flow(self, state: ConversationState) -> Flow:
        return self.registry.flows[state.flow]

    async def _action(self, ctx: Context, key: str) -> list[Reply]:
        """A menu-style button with arguments, such as an RSVP under a reminder."""
        name, *args = key.split(".")
        action = self.registry.actions.get(name)
        result = None
        if action is not None and (not action.staff_only or ctx.staff_may(action.role)):
            result = await action.run(ctx, args)
        if result is None:
            result = [Reply(_("That button is no longer active."))]
            return result + (await self._reprompt(ctx) or self.registry.home(ctx))
        return result + await self._reprompt(ctx)

    async def _command(self, ctx: Context, inp: UserInput) -> list[Reply]:
        name, state = inp.text, ctx.state
        ctx.args = inp.args
        command = self.registry.command(name)
        if command is not None and command.on_arrival is not None and inp.args and command.name == name:
            await command.on_arrival(ctx)
        if command is not None and command.cancels and state is not None:
            ctx.state = None
            text = _("Cancelled. The answers of this form were discarded.") if state.answers else _("Cancelled.")
            return [Reply(text, reset_keyboard=True), *self.registry.home(ctx)]
        onboarding = self._onboarding_due(ctx)
        if onboarding is not None and not _runs_before(command, onboarding):
            if state is not None and state.flow == onboarding.flow:
                state.data["then"] = name
                return await self._flow(state).prompt(ctx, state)
            return await self._start(ctx, onboarding.flow, then=name)
        if command is None:
            replies = [Reply(_("I don't know the command /{name}.").format(name=name[:32])), *self.registry.home(ctx)]
        elif command.staff_only and not ctx.staff_may(command.role):
            replies = [Reply(_("Sorry, this command is only for the programme's staff."))]
        elif command.flow is not None:
            return await self._start(ctx, command.flow)
        else:
            assert command.run is not None
            replies = await command.run(ctx)
        return replies + await self._reprompt(ctx)

    async def _start(self, ctx: Context, flow: str, then: str | None = None) -> list[Reply]:
        current = ctx.state
        if current is not None and current.flow == flow:
            return await self.registry.flows[flow].prompt(ctx, current)
        state = ConversationState(flow=flow, step="")
        if then:
            state.data["then"] = then
        if current is not None and flow in self.interrupting and current.flow not in self.interrupting:
            state.data["stash"] = stash_of(current)
        ctx.state = state
        return await self.registry.flows[flow].start(ctx, state)

    async def _finish(self, ctx: Context) -> list[Reply]:
        """After a flow ends: resume the interrupted one, or run what was asked before."""
        state = ctx.state
        if state is None or state.step != FINISHED or state.data.get("erased"):
            return []
        ctx.state = None
        stash = state.data.get("stash")
        if stash:
            ctx.state = _load(stash)
            return await self._flow(ctx.state).prompt(ctx, ctx.state)
        then = state.data.get("then")
        if then:
            # The finished flow may have changed the person (the language just chosen): read them again.
            ctx.user = await users.get(ctx.tx, ctx.user.id) or ctx.user
            return await self._command(ctx, UserInput(InputKind.COMMAND, then))
        if self.onboarding is not None and state.flow == self.onboarding.flow:
            return self.registry.home(ctx)
        return []

    async def _reprompt(self, ctx: Context) -> list[Reply]:
        state = ctx.state
        return await self._flow(state).prompt(ctx, state) if state else []

    def _expired(self, ctx: Context, state: ConversationState) -> bool:
        return state.updated_at is not None and ctx.now - state.updated_at > self.settings.conversation_timeout

    def _expired_notice(self, state: ConversationState) -> Reply:
        """The notice for a conversation left idle too long; a flow that keeps its answers
        elsewhere (a survey) says so itself (``Flow.expired_notice``)."""
        days = max(1, math.floor(self.settings.conversation_timeout.total_seconds() / 86400))
        flow = self.registry.flows.get(state.flow)
        own = flow.expired_notice(days) if flow is not None else None
        if own is not None:
            return Reply(own, reset_keyboard=True)
        return Reply(
            ngettext(
                "Your unfinished conversation was idle for more than {n} day, so it was closed and its answers were discarded. You can start again at any time.",
                "Your unfinished conversation was idle for more than {n} days, so it was closed and its answers were discarded. You can start again at any time.",
                days,
            ).format(n=days),
            reset_keyboard=True,
        )

    @staticmethod
    def _stamp(state: ConversationState | None, replies: list[Reply]) -> None:
        """Give the new prompt's buttons the state's token; without a state they are menu buttons."""
        for reply in replies:
            if reply.options and not reply.menu:
                if state is None:
                    reply.menu = True
                else:
                    reply.token = state.token


def _runs_before(command: Command | None, onboarding: Onboarding) -> bool:
    """Whether a command runs even before onboarding: the onboarding flow's own, or one that cancels."""
    return command is not None and (command.flow == onboarding.flow or command.cancels)


def _position(state: ConversationState | None) -> tuple[object, ...] | None:
    """Where a conversation stands; a new position gets new button tokens."""
    return None if state is None else (state.flow, state.step, state.data.get("page"), state.data.get("editing"))


def stash_of(state: ConversationState) -> dict[str, object]:
    """A conversation as the engine keeps it while another flow interrupts it (``data["stash"]``)."""
    return {"flow": state.flow, "step": state.step, "answers": state.answers, "data": state.data}


def _load(raw: dict[str, object]) -> ConversationState:
    return ConversationState(
        flow=str(raw["flow"]),
        step=str(raw["step"]),
        answers=dict(raw["answers"]),  # type: ignore[call-overload]
        data=dict(raw["data"]),  # type: ignore[call-overload]
    )
