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
    """A conversation of several steps whose state lives in SQLite."""

    name: str

    @property
    def steps(self) -> Sequence[Step]:
        """The flow's declared steps; checked when the registry is built."""
        ...

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]: ...

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """Ask the current step again (after a restart, /help, a stale button...)."""
        ...

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]: ...


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
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    flows: tuple[Flow, ...] = ()
    actions: tuple[Action, ...] = ()
    message_kinds: tuple[MessageKind, ...] = ()
    keywords: tuple[Keyword, ...] = ()


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
        for feature in self.features:
            for command in feature.commands:
                self._add(self.commands, command.name, command, feature)
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

    @staticmethod
    def _add(table: dict, name: str, item: object, feature: Feature) -> None:  # type: ignore[type-arg]
        if name in table:
            raise RegistryError(f"{feature.name} defines {name!r} a second time")
        table[name] = item

    def visible_commands(self, is_staff: bool, role: str | None = None) -> list[Command]:
        """The commands a person sees; staff ones only up to their role (config staff ids are admins)."""
        return [c for c in self.commands.values() if not c.staff_only or role_allows(role, c.role, is_staff)]

    def keyword_for(self, text: str) -> Keyword | None:
        """The keyword this typed text is, if any (a short text only: a keyword is typed alone)."""
        return self.keywords.get(keyword_form(text)) if len(text) <= 40 else None

    def interrupting_flows(self) -> frozenset[str]:
        return frozenset(c.flow for c in self.commands.values() if c.interrupts and c.flow)
