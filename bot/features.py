"""Every feature of the bot, in the order /help and the command menus list them."""

from __future__ import annotations

from bot.flows import apply, forget, info, language, link, survey, training
from bot.flows.registry import Feature, Registry

FEATURES: tuple[Feature, ...] = (
    apply.FEATURE,
    language.FEATURE,
    info.FEATURE,
    forget.FEATURE,
    link.FEATURE,
    survey.FEATURE,
    training.FEATURE,
)


def build_registry() -> Registry:
    return Registry(FEATURES)
