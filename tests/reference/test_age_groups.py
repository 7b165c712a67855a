"""The one age grouping: the configured range cut at 18 and 25."""

from __future__ import annotations

from bot.reference.age_groups import OTHER_AGE, age_groups, group_of
from bot.services import application_filters


def names(min_age: int, max_age: int) -> list[str]:
    return [g.name for g in age_groups(min_age, max_age)]


def test_the_default_range_keeps_under_18s_apart() -> None:
    assert names(15, 29) == ["15-17", "18-24", "25-29"]
    assert [g.name for g in age_groups()] == ["15-17", "18-24", "25-29"]


def test_a_configured_range_is_cut_the_same_way() -> None:
    assert names(16, 35) == ["16-17", "18-24", "25-35"]
    assert names(18, 30) == ["18-24", "25-30"]
    assert names(20, 22) == ["20-22"]
    assert names(12, 17) == ["12-17"]


def test_the_console_filter_offers_the_same_groups() -> None:
    assert application_filters.age_groups(16, 35) == names(16, 35)


def test_an_age_outside_every_group_or_unknown_is_other() -> None:
    groups = age_groups(15, 29)
    assert group_of(17, groups) == "15-17"
    assert group_of(18, groups) == "18-24"
    assert group_of(29, groups) == "25-29"
    assert group_of(30, groups) == OTHER_AGE
    assert group_of(14, groups) == OTHER_AGE
    assert group_of(None, groups) == OTHER_AGE
