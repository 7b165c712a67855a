"""The few SQL expressions that differ between databases, each behind a name.

Everything else in storage/ is standard SQL; a PostgreSQL backend replaces only
these helpers (``date(x, 'N minutes')`` and ``substr`` are SQLite's words).
"""

from __future__ import annotations


def shifted_day(timestamp: str, minutes: str) -> str:
    """The calendar day (``YYYY-MM-DD``) of a stored UTC timestamp moved by ``minutes`` (an SQL expression)."""
    return f"date(substr({timestamp}, 1, 19), ({minutes}) || ' minutes')"


def year_of(day: str) -> str:
    """The year of an ISO date (``YYYY-MM-DD``) as an integer."""
    return f"CAST(substr({day}, 1, 4) AS INTEGER)"


def month_day_of(day: str) -> str:
    """``MM-DD`` of an ISO date, which orders like (month, day)."""
    return f"substr({day}, 6, 5)"
