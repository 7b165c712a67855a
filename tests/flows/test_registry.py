"""The registry's declarations beyond steps: onboarding, the home reply, aliases; checked at start-up."""

from __future__ import annotations

import pytest

from bot.flows.features import FEATURES
from bot.flows.registry import Command, Feature, Onboarding, Registry, RegistryError
from bot.messages import Reply


async def _nothing(ctx):  # type: ignore[no-untyped-def]
    return []


def _home(ctx):  # type: ignore[no-untyped-def]
    return Reply("home")


def test_the_bot_declares_its_onboarding_home_and_cancelling_command() -> None:
    registry = Registry(FEATURES)
    assert registry.onboarding is not None and registry.onboarding.flow == "language"
    assert registry.onboarding.then == "start"
    assert [c.name for c in registry.commands.values() if c.cancels] == ["cancel"]
    assert registry.command("welcome") is registry.commands["start"]  # the name older versions stored
    assert "welcome" not in {c.name for c in registry.visible_commands(is_staff=True, role="admin")}


def test_onboarding_must_name_a_flow_and_a_command() -> None:
    onboarding = Onboarding("language", needed=lambda ctx: True, then="start")
    with pytest.raises(RegistryError, match="onboarding starts unknown flow 'language'"):
        Registry([Feature("demo", commands=(Command("start", lambda: "", run=_nothing),), onboarding=onboarding)])


def test_onboarding_and_home_are_declared_once() -> None:
    with pytest.raises(RegistryError, match="second home reply"):
        Registry([Feature("a", home=_home), Feature("b", home=_home)])


def test_an_alias_may_not_hide_a_command() -> None:
    commands = (
        Command("start", lambda: "", run=_nothing, aliases=("help",)),
        Command("help", lambda: "", run=_nothing),
    )
    with pytest.raises(RegistryError, match="alias 'help' of command 'start' is a command itself"):
        Registry([Feature("demo", commands=commands)])
