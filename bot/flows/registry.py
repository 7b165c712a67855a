"""What the bot can do, feature by feature: commands, flows and buttons.

Each feature module (applying, reminders, openings, surveys, staff tools)
declares a :class:`Feature`; ``bot/flows/features.py`` lists them in order. The
engine routes by these tables, /help and the platforms' command menus are
built from them, and a broken table fails at start-up, not mid-conversation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import aiosqlite

from bot.config import Settings
from bot.errors import YouthbotError
from bot.messages import MAX_OPTION_KEY_BYTES, Reply, UserInput
from bot.reference.municipalities import Municipalities
from storage.conversations import ConversationState
from storage.outbox import OutboxItem
from storage.users import User

# The step a flow sets when it is done; the engine then closes the conversation.
FINISHED = "_finished"

ROLE_RANKS = {"viewer": 0, "coordinator": 1, "admin": 2}


def role_allows(role: str | None, needed: str, is_staff: bool = False) -> bool:
    """Whether a staff role may use what needs ``needed``; ``is_staff`` without a role means admin."""
    if role is None:
        return is_staff
    return ROLE_RANKS[role] >= ROLE_RANKS[needed]


@dataclass
class Context:
    """Everything a flow may use while handling one input of one user."""

    tx: aiosqlite.Connection
    user: User
    settings: Settings
    now: datetime
    is_staff: bool
    municipalities: Municipalities
    language: str
    registry: Registry
    state: ConversationState | None = None  # the conversation being worked on; the engine swaps it
    args: str = ""  # what followed the command being run, e.g. the code in "/link K7MX4P"
    staff_role: str | None = None  # 'admin', 'coordinator' or 'viewer' for staff; None otherwise
    staff_id: int | None = None  # the linked console account, when there is one
    platform_language: str | None = None  # the language the platform reports, when it is one of the bot's

    def staff_may(self, needed: str) -> bool:
        """Whether this person's staff role covers ``needed`` (see role_allows)."""
        return self.staff_role is not None and role_allows(self.staff_role, needed)


Prompt = Callable[[Context, ConversationState], Awaitable[list[Reply]]]
Accepts = Callable[[Context, ConversationState, UserInput], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Step:
    """One step of a flow: its id, what it asks, what it accepts, where an answer may lead."""

    id: str
    prompt: Prompt
    accepts: Accepts
    exits: tuple[str, ...] = ()


class Flow(Protocol):
    """A conversation of several steps whose state lives in SQLite.

    Flows subclass this protocol explicitly, so that they inherit its defaults
    (``expired_notice``).
    """

    name: str
    steps: Sequence[Step]  # the flow's declared steps; checked when the registry is built

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]: ...

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Ask the current step again (after a restart, /help, a stale button...)."""
        ...

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]: ...

    def expired_notice(self, days: int) -> str | None:
        """What to say when the conversation sat idle for more than ``days``; None means the
        engine's notice (its answers were discarded). A flow that keeps its answers elsewhere
        (a survey) says so here."""
        return None


@dataclass(frozen=True)
class Command:
    name: str
    describe: Callable[[], str]  # one line for /help and the command menu, translated when called
    run: Callable[[Context], Awaitable[list[Reply]]] | None = None
    flow: str | None = None  # or: start this flow
    staff_only: bool = False
    role: str = "coordinator"  # for a staff-only command: the least role that may use it (admin > coordinator > viewer)
    shortcut: Callable[[], str] | None = None  # label of a button under the welcome and help messages
    interrupts: bool = False  # the flow may interrupt another one, which resumes after it
    cancels: bool = False  # ends the conversation in progress (its answers discarded); ``run`` when there is none
    aliases: tuple[str, ...] = ()  # other names that run it, listed nowhere (kept for names older versions stored)
    # Runs first when the command is typed with arguments, before any onboarding (a /start link's campaign code).
    on_arrival: Callable[[Context], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Action:
    """A button that is valid at any time, not tied to one prompt.

    Its key is ``name.arg.arg`` (for example ``rsvp.yes.42``). ``run`` gets the
    arguments and returns None when they name nothing this person may act on
    (a forged or outdated button); the engine then says the button is no
    longer active.
    """

    name: str
    run: Callable[[Context, list[str]], Awaitable[list[Reply] | None]]
    staff_only: bool = False
    role: str = "coordinator"  # for a staff-only action: the least role that may use it


@dataclass(frozen=True)
class Keyword:
    """Words that do something whenever they are typed alone, in any flow (STOP).

    Matching ignores case and surrounding punctuation; the flow in progress is
    asked again afterwards, untouched.
    """

    words: tuple[str, ...]
    run: Callable[[Context], Awaitable[list[Reply]]]


def keyword_form(text: str) -> str:
    """How typed text is compared with keywords: trimmed, without end punctuation, case-folded."""
    return text.strip().strip(".!?,;:¡¿\"'«»").strip().casefold()


@dataclass(frozen=True)
class Delivery:
    """What a renderer gets when an outbox row is about to be sent.

    Rows are prepared in groups, in one transaction: ``group`` is every row of it and
    ``memo`` is shared by their renders, so what all of them need (the broadcast, its
    opening, who said STOP) is read once per group, not once per row.
    """

    conn: aiosqlite.Connection
    item: OutboxItem
    user: User | None
    settings: Settings
    now: datetime
    group: Sequence[OutboxItem] = ()
    memo: dict[object, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageKind:
    """A kind of proactive message, rendered when it is sent (in the recipient's language
    of that moment). ``render`` returns None when the message is no longer relevant."""

    kind: str
    render: Callable[[Delivery], Awaitable[Reply | None]]


@dataclass(frozen=True)
class Onboarding:
    """What a newcomer goes through before anything else (choosing the language).

    While ``needed`` holds, any input but the onboarding flow's own command and
    a cancelling command starts ``flow``; the engine puts the command to run
    after it in the state's ``data["then"]`` (the typed command, or ``then``
    when the person typed none). When the flow ends with nothing to resume and
    nothing to run, the home reply follows.
    """

    flow: str
    needed: Callable[[Context], bool]
    then: str  # the command run after onboarding when the person typed none (the welcome)


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    flows: tuple[Flow, ...] = ()
    actions: tuple[Action, ...] = ()
    message_kinds: tuple[MessageKind, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    home: Callable[[Context], Reply] | None = None  # what to show when nothing is in progress (the help)
    onboarding: Onboarding | None = None


def step_problems(steps: Sequence[Step]) -> list[str]:
    """What is wrong with a flow's steps: a repeated id, an exit to no step (empty when sound)."""
    problems: list[str] = []
    seen: set[str] = set()
    for step in steps:
        if step.id in seen:
            problems.append(f"step {step.id!r} is declared twice")
        seen.add(step.id)
    for step in steps:
        for exit_ in step.exits:
            if exit_ != FINISHED and exit_ not in seen:
                problems.append(f"step {step.id!r} leads to unknown step {exit_!r}")
    return problems


class RegistryError(YouthbotError, ValueError):
    pass


class Registry:
    def __init__(self, features: Iterable[Feature]) -> None:
        self.features = tuple(features)
        self.commands: dict[str, Command] = {}
        self.flows: dict[str, Flow] = {}
        self.actions: dict[str, Action] = {}
        self.message_kinds: dict[str, MessageKind] = {}
        self.keywords: dict[str, Keyword] = {}
        self.aliases: dict[str, Command] = {}
        self._home: Callable[[Context], Reply] | None = None
        self.onboarding: Onboarding | None = None
        for feature in self.features:
            if feature.home is not None:
                if self._home is not None:
                    raise RegistryError(f"{feature.name} declares a second home reply")
                self._home = feature.home
            if feature.onboarding is not None:
                if self.onboarding is not None:
                    raise RegistryError(f"{feature.name} declares a second onboarding")
                self.onboarding = feature.onboarding
            for command in feature.commands:
                self._add(self.commands, command.name, command, feature)
                for alias in command.aliases:
                    self._add(self.aliases, alias, command, feature)
            for flow in feature.flows:
                self._add(self.flows, flow.name, flow, feature)
                problems = step_problems(flow.steps)
                if problems:
                    raise RegistryError(f"flow {flow.name!r} of {feature.name}: {problems[0]}")
            for action in feature.actions:
                if "." in action.name or ":" in action.name:
                    raise RegistryError(f"action name {action.name!r} of {feature.name} may not contain '.' or ':'")
                self._add(self.actions, action.name, action, feature)
            for kind in feature.message_kinds:
                self._add(self.message_kinds, kind.kind, kind, feature)
            for keyword in feature.keywords:
                for word in keyword.words:
                    if not word or keyword_form(word) != word.casefold():
                        raise RegistryError(f"keyword {word!r} of {feature.name} cannot be typed as it is")
                    self._add(self.keywords, word.casefold(), keyword, feature)
        for command in self.commands.values():
            if (
                not command.name.isascii()
                or not command.name.replace("_", "").isalnum()
                or command.name != command.name.lower()
            ):
                raise RegistryError(f"command {command.name!r}: use lowercase letters, digits and '_'")
            if (command.run is None) == (command.flow is None):
                raise RegistryError(f"command {command.name!r} needs exactly one of run or flow")
            if command.flow is not None and command.flow not in self.flows:
                raise RegistryError(f"command {command.name!r} starts unknown flow {command.flow!r}")
            if len(command.name.encode()) > MAX_OPTION_KEY_BYTES:
                raise RegistryError(f"command {command.name!r} is too long")
        for alias, command in self.aliases.items():
            if alias in self.commands:
                raise RegistryError(f"alias {alias!r} of command {command.name!r} is a command itself")
        onboarding = self.onboarding
        if onboarding is not None:
            if onboarding.flow not in self.flows:
                raise RegistryError(f"onboarding starts unknown flow {onboarding.flow!r}")
            if onboarding.then not in self.commands:
                raise RegistryError(f"onboarding is followed by unknown command {onboarding.then!r}")

    @staticmethod
    def _add(table: dict, name: str, item: object, feature: Feature) -> None:  # type: ignore[type-arg]
        if name in table:
            raise RegistryError(f"{feature.name} defines {name!r} a second time")
        table[name] = item

    def command(self, name: str) -> Command | None:
        """The command of this name or alias, if any."""
        return self.commands.get(name) or self.aliases.get(name)

    def home(self, ctx: Context) -> list[Reply]:
        """The reply for someone with nothing in progress (the help), as declared by a feature."""
        return [self._home(ctx)] if self._home is not None else []

    def visible_commands(self, is_staff: bool, role: str | None = None) -> list[Command]:
        """The commands a person sees; staff ones only up to their role (config staff ids are admins)."""
        return [c for c in self.commands.values() if not c.staff_only or role_allows(role, c.role, is_staff)]

    def keyword_for(self, text: str) -> Keyword | None:
        """The keyword this typed text is, if any (a short text only: a keyword is typed alone)."""
        return self.keywords.get(keyword_form(text)) if len(text) <= 40 else None

    def interrupting_flows(self) -> frozenset[str]:
        return frozenset(c.flow for c in self.commands.values() if c.interrupts and c.flow)
