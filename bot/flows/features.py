"""Every feature of the bot, in the order /help and the command menus list them."""

from __future__ import annotations

from bot.flows import apply, decisions, forget, info, language, link, mydata, privacy, training, web_link
from bot.flows.openings import alerts, broadcast, jobs, opening_form
from bot.flows.registry import Feature, Registry
from bot.flows.surveys import flow as survey

FEATURES: tuple[Feature, ...] = (
    apply.FEATURE,
    language.FEATURE,
    info.FEATURE,
    mydata.FEATURE,
    forget.FEATURE,
    privacy.FEATURE,
    training.FEATURE,
    decisions.FEATURE,
    jobs.FEATURE,
    alerts.FEATURE,
    survey.FEATURE,
    link.FEATURE,
    opening_form.FEATURE,
    broadcast.FEATURE,
    web_link.FEATURE,
)


def build_registry() -> Registry:
    return Registry(FEATURES)
