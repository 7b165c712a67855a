"""Timestamps are stored as ISO 8601 text in UTC, so they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime

_last: tuple[datetime, str] | None = None  # a step writes the same moment several times


def to_db(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (``isoformat`` is C, twice as fast as ``strftime``)."""
    global _last
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    last = _last
    if last is not None and last[0] == moment:  # the same instant, in whatever zone
        return last[1]
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    text = utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    _last = (moment, text)
    return text


def from_db(text: str) -> datetime:
    """Read a stored UTC timestamp (``fromisoformat`` is C, thirty times cheaper than ``strptime``)."""
    if not text.endswith("Z"):
        raise ValueError(f"not a stored UTC timestamp: {text!r}")
    return datetime.fromisoformat(text)
