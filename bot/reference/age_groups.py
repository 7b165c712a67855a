"""The one way ages are grouped: the console's filter, ``youthbot report``, the indicators page and exports.

The configured range (MIN_AGE..MAX_AGE, 15-29 by default) is cut at 18 and 25:
under-18s stand apart (they need a guardian's consent), then 18-24 and 25 up.
An age outside the range, or unknown, is ``OTHER_AGE``.
"""

from __future__ import annotations

from dataclasses import dataclass

AGE_CUTS = (18, 25)
OTHER_AGE = "other"
DEFAULT_RANGE = (15, 29)  # the settings' defaults for MIN_AGE and MAX_AGE


@dataclass(frozen=True)
class AgeGroup:
    name: str  # "LOW-HIGH", as the filter's value and the report's key
    low: int
    high: int

    def holds(self, age: int) -> bool:
        return self.low <= age <= self.high


def age_groups(min_age: int = DEFAULT_RANGE[0], max_age: int = DEFAULT_RANGE[1]) -> tuple[AgeGroup, ...]:
    """The range cut at ``AGE_CUTS``; a cut outside the range leaves the groups it would split whole."""
    groups: list[AgeGroup] = []
    low = min_age
    for cut in (*AGE_CUTS, max_age + 1):
        high = min(cut - 1, max_age)
        if high >= low:
            groups.append(AgeGroup(f"{low}-{high}", low, high))
            low = high + 1
    return tuple(groups)


def group_of(age: int | None, groups: tuple[AgeGroup, ...]) -> str:
    """The name of the group an age falls in, ``OTHER_AGE`` outside them all or when unknown."""
    if age is None:
        return OTHER_AGE
    return next((g.name for g in groups if g.holds(age)), OTHER_AGE)
