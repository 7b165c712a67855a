"""A filter of the applications list to and from a query string, so a view can be bookmarked."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from urllib.parse import parse_qsl, urlencode

from bot.reference import age_groups as age_grouping
from storage.application_search import ApplicationFilter

_DATES = ("date_from", "date_to")


def age_groups(min_age: int, max_age: int) -> list[str]:
    """The filter's age groups: the one grouping of ``bot.reference.age_groups``, as ``"LOW-HIGH"`` values."""
    return [group.name for group in age_grouping.age_groups(min_age, max_age)]


def parse(query: str | dict[str, str]) -> ApplicationFilter:
    """Read a filter from a query string; unknown keys and unreadable dates are ignored."""
    pairs = dict(parse_qsl(query, keep_blank_values=False)) if isinstance(query, str) else dict(query)
    values: dict[str, object] = {}
    for field in fields(ApplicationFilter):
        raw = (pairs.get(field.name) or "").strip()
        if not raw:
            continue
        if field.name in _DATES:
            try:
                values[field.name] = date.fromisoformat(raw)
            except ValueError:
                continue
        else:
            values[field.name] = raw
    return ApplicationFilter(**values)  # type: ignore[arg-type]


def serialise(f: ApplicationFilter) -> str:
    """The filter as a query string with only the fields that are set, in a stable order."""
    pairs: list[tuple[str, str]] = []
    for field in fields(ApplicationFilter):
        value = getattr(f, field.name)
        if value is None or value == "":
            continue
        pairs.append((field.name, value.isoformat() if isinstance(value, date) else str(value)))
    return urlencode(pairs)
