"""Random input sequences never crash a conversation and never lose a stored answer."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.config import load_settings
from bot.messages import InputKind, UserInput
from bot.runtime import open_runtime
from storage import conversations, users
from tests.support.chat import Chat

COMMANDS = [
    "/start",
    "/apply",
    "/cancel",
    "/help",
    "/status",
    "/language",
    "/mydata",
    "/forget",
    "/export",
    "/zzz",
    "/start fb_ad",
]
DISCARDING_KEYS = {"no", "cancel", "erase", "submit"}
GOOD_TEXT = [
    "Jane Doe",
    "15.03.2004",
    "Prishtina",
    "044 123 456",
    "jane@example.com",
    "I really want to learn to code.",
    "po",
    "да",
]

actions = st.one_of(
    st.tuples(st.just("press"), st.integers(0, 40)),
    st.tuples(st.just("stale"), st.integers(0, 40)),
    st.tuples(st.just("text"), st.sampled_from(GOOD_TEXT)),
    st.tuples(st.just("text"), st.text(max_size=300)),
    st.tuples(st.just("long"), st.integers(4000, 5000)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("contact"), st.booleans()),
    st.tuples(st.just("other"), st.sampled_from(["sticker", "photo", "voice", "location"])),
)


async def _answers(chat: Chat) -> dict:
    """The application answers stored for the user, in the active or an interrupted form."""
    async with chat.runtime.db.reading() as conn:
        user = await users.find(conn, chat.channel, chat.user_id)
        state = await conversations.load(conn, user.id) if user else None
    if state is None:
        return {}
    if state.flow == "apply":
        return dict(state.answers)
    stash = state.data.get("stash")
    return dict(stash["answers"]) if stash and stash["flow"] == "apply" else {}


async def _play(script: list[tuple[str, object]], tmp: Path) -> None:
    config = replace(load_settings(environ={}, env_file=None), database_path=tmp / "db.sqlite3")
    clock = ManualClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with open_runtime(config, clock=clock) as runtime:
        chat = Chat(runtime)
        await chat.send("/start")
        for kind, value in script:
            before = await _answers(chat)
            prompt = chat.prompt() if chat.last else None
            discarding = False
            if kind == "press" and prompt and prompt.options:
                option = prompt.options[int(value) % len(prompt.options)]
                discarding = option.key in DISCARDING_KEYS
                inp = UserInput(InputKind.OPTION, option.key, token=None if prompt.menu else prompt.token)
            elif kind == "stale":
                inp = UserInput(InputKind.OPTION, f"k{value}", token="abc123")
            elif kind == "text":
                inp = UserInput.parse_text(str(value))
                discarding = inp.kind == InputKind.COMMAND or str(value).strip().casefold() in ("no", "jo", "не", "ne")
            elif kind == "long":
                inp = UserInput(InputKind.TEXT, "ä" * int(value))
            elif kind == "command":
                inp = UserInput.parse_text(str(value))
                discarding = value in ("/cancel", "/forget")
            elif kind == "contact":
                inp = UserInput(InputKind.CONTACT, "+38344123456", contact_is_own=bool(value))
            else:
                inp = UserInput(InputKind.OTHER, str(value))
            replies = await chat.send(inp)
            assert replies, f"no answer to {inp}"
            assert all(r.text.strip() for r in replies)
            after = await _answers(chat)
            if not discarding:
                lost = {k for k in before if k not in after}
                assert not lost, f"{inp} lost {lost}"


@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=40))
def test_random_inputs_never_raise_or_lose_answers(script: list[tuple[str, object]]) -> None:
    with TemporaryDirectory() as tmp:
        asyncio.run(_play(script, Path(tmp)))


@hyp_settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                ("press", 0),
                ("press", 1),
                ("text", "Jane Doe"),
                ("text", "15.03.2004"),
                ("text", "Prishtina"),
                ("text", "044 123 456"),
                ("text", "I really want to learn to code."),
            ]
        ),
        min_size=5,
        max_size=60,
    )
)
def test_mostly_valid_paths_never_raise(script: list[tuple[str, object]]) -> None:
    with TemporaryDirectory() as tmp:
        asyncio.run(_play([("command", "/apply"), *script], Path(tmp)))
