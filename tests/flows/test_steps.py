"""The form engine's shared parts: declared steps checked at start-up, paging, multiple choice, summary/edit."""

from __future__ import annotations

import pytest

from bot.flows.features import FEATURES
from bot.flows.form import (
    Accepted,
    Rejected,
    Toggled,
    edit_pick_reply,
    paged,
    picked_answer,
    question_options,
    read_ticks,
    tick_options,
    toggle,
    turn_page,
    yes_no,
)
from bot.flows.registry import FINISHED, Feature, Registry, RegistryError, Step, step_problems
from bot.flows.steps import DONE, NAV_NEXT, NAV_PREV, SKIP, SUMMARY, StepTable
from bot.i18n import use_language
from bot.messages import InputKind, Option, UserInput
from bot.runtime import Runtime
from storage import conversations, users
from storage.conversations import ConversationState
from tests.support.chat import Chat
from tests.support.forms import choose_language


async def _ask(ctx, state):  # type: ignore[no-untyped-def]
    return []


async def _take(ctx, state, inp):  # type: ignore[no-untyped-def]
    return []


class BrokenFlow:
    name = "broken"

    def __init__(self, *steps: Step) -> None:
        self.steps = steps

    async def start(self, ctx, state):  # type: ignore[no-untyped-def]
        return []

    prompt = start

    async def handle(self, ctx, state, inp):  # type: ignore[no-untyped-def]
        return []


def pressed(key: str) -> UserInput:
    return UserInput(InputKind.OPTION, key)


def test_an_exit_to_no_step_stops_the_registry_naming_flow_and_step() -> None:
    flow = BrokenFlow(Step("name", _ask, _take, ("email",)), Step("phone", _ask, _take, (FINISHED,)))
    with pytest.raises(RegistryError) as raised:
        Registry([Feature("demo", flows=(flow,))])  # type: ignore[arg-type]
    assert str(raised.value) == "flow 'broken' of demo: step 'name' leads to unknown step 'email'"


def test_a_step_declared_twice_stops_the_registry() -> None:
    flow = BrokenFlow(Step("name", _ask, _take, ("name",)), Step("name", _ask, _take, (FINISHED,)))
    with pytest.raises(RegistryError, match="flow 'broken' of demo: step 'name' is declared twice"):
        Registry([Feature("demo", flows=(flow,))])  # type: ignore[arg-type]


def test_every_flow_of_the_bot_declares_sound_steps() -> None:
    registry = Registry(FEATURES)
    for flow in registry.flows.values():
        assert flow.steps, flow.name
        assert step_problems(flow.steps) == [], flow.name


def test_the_step_ids_are_the_strings_stored_in_conversations() -> None:
    flows = Registry(FEATURES).flows
    assert [s.id for s in flows["sessions"].steps] == [
        "cohort", "session", "action", "start", "end", "place", "topic", "confirm"
    ]  # fmt: skip
    assert [s.id for s in flows["accept"].steps] == ["reference", "cohort", "confirm"]
    assert {"full_name", "consent", "_summary", "_edit"} <= {s.id for s in flows["apply"].steps}
    assert "consent" not in {s.id for s in flows["newopening"].steps} | {s.id for s in flows["broadcast"].steps}


async def test_a_step_table_runs_the_step_the_conversation_is_on_or_the_fallback() -> None:
    heard: list[str] = []

    def step(sid: str) -> Step:
        async def take(ctx, state, inp):  # type: ignore[no-untyped-def]
            heard.append(sid)
            return []

        return Step(sid, _ask, take)

    table = StepTable([step("a"), step("b")], otherwise=step("recover"))
    for current in ("b", "a", "gone"):
        await table.handle(None, ConversationState(flow="x", step=current), pressed("k"))  # type: ignore[arg-type]
    assert heard == ["b", "a", "recover"]


def test_paging_shows_ten_and_turns_with_the_buttons() -> None:
    state = ConversationState(flow="x", step="q")
    options = [Option(f"o{i}", str(i)) for i in range(23)]
    with use_language("en"):
        assert [o.key for o in paged(state, list(options))][-1] == NAV_NEXT
        assert turn_page(state, pressed(NAV_NEXT)) and turn_page(state, pressed(NAV_NEXT))
        last = [o.key for o in paged(state, list(options))]
    assert last == ["o20", "o21", "o22", NAV_PREV]
    assert not turn_page(state, pressed("o1"))
    assert turn_page(state, pressed(NAV_PREV)) and state.data["page"] == 1


def test_multiple_choice_ticks_in_the_order_of_the_choices_and_needs_one_for_done() -> None:
    keys = ("a", "b", "c")
    assert toggle(["c"], "a", keys) == ["a", "c"]
    assert toggle(["a", "c"], "a", keys) == ["c"]
    assert read_ticks(pressed("b"), keys, ["c"], "none") == Toggled(["b", "c"])
    assert read_ticks(pressed(DONE), keys, ["c", "a"], "none") == Accepted(["a", "c"])
    assert read_ticks(pressed(DONE), keys, [], "none") == Rejected("none")
    assert read_ticks(pressed("zz"), keys, [], "none") is None
    assert read_ticks(UserInput(InputKind.TEXT, "a"), keys, [], "none") is None
    with use_language("en"):
        shown = tick_options([("a", "A"), ("b", "B")], ["b"])
    assert [(o.key, o.label) for o in shown] == [("a", "A"), ("b", "✓ B"), (DONE, "Done")]


def test_edit_pick_offers_the_answers_and_back() -> None:
    with use_language("en"):
        reply = edit_pick_reply([("name", "Name")])
    assert [o.key for o in reply.options] == ["name", SUMMARY]
    assert picked_answer(pressed("name"), ["name"]) == "name"
    assert picked_answer(pressed(SUMMARY), ["name"]) == SUMMARY
    assert picked_answer(pressed("email"), ["name"]) is None
    assert picked_answer(UserInput(InputKind.TEXT, "name"), ["name"]) is None


def test_yes_no_reads_buttons_and_words_in_every_language() -> None:
    with use_language("en"):
        assert [yes_no(UserInput(InputKind.TEXT, w)) for w in ("Po", "да!", "jo", "maybe")] == [True, True, False, None]
        assert yes_no(pressed("no")) is False


def test_a_long_multiple_choice_pages_its_choices_and_keeps_done_and_skip_in_view() -> None:
    choices = [Option(f"o{i}", str(i)) for i in range(12)]
    with use_language("en"):
        first = question_options(choices, ticks=["o1", "o11"], optional=True)
        second = question_options(choices, page=1, ticks=["o1", "o11"], optional=True)
        plain = question_options(choices[:3])
    assert [o.key for o in first] == [*(f"o{i}" for i in range(10)), DONE, NAV_NEXT, SKIP]
    assert [o.label for o in first][:2] == ["0", "✓ 1"]
    assert [(o.key, o.label) for o in second][:2] == [("o10", "10"), ("o11", "✓ 11")]
    assert [o.key for o in second][2:] == [DONE, NAV_PREV, SKIP]
    assert [o.key for o in plain] == ["o0", "o1", "o2"]


async def test_a_form_on_a_step_it_no_longer_has_goes_on_where_the_answers_say(runtime: Runtime) -> None:
    """A conversation saved by an older version of a form (a question since removed) continues
    at the first question that waits for an answer, with nothing lost."""
    chat = Chat(runtime)
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Jane Doe")
    async with runtime.db.transaction() as tx:
        user = await users.find(tx, chat.channel, chat.user_id)
        assert user is not None
        state = await conversations.load(tx, user.id)
        assert state is not None and state.step == "birth_date"
        state.step = "nickname"  # a question of an older version
        conversations.save(tx, user.id, state, runtime.clock.now())
    await chat.send("hello")
    assert "What is your date of birth?" in chat.text()
    await chat.send("15.03.2004")
    assert chat.prompt().text == "What is your gender?"
    async with runtime.db.reading() as conn:
        saved = await conversations.load(conn, user.id)
    assert saved is not None and saved.answers["full_name"] == "Jane Doe" and saved.step == "gender"
