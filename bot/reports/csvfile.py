"""What every CSV the bot writes for staff shares."""

from __future__ import annotations


def safe_cell(value: object) -> object:
    """Keep a spreadsheet from running text typed by applicants as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value[:1] == "+" and value[1:].isdigit():  # an E.164 phone number is data, not a formula
            return value
        return "'" + value
    return value
