"""Reading what staff type about a job opening: shared by the chat form and the CSV import."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.i18n import _
from bot.parsing import validators

REMOTE = "remote"
REMOTE_WORDS = ("remote", "online")
LENGTHS = {"title": (3, 120), "employer": (2, 120), "description": (10, 1500), "apply_how": (5, 300)}
_URL = re.compile(r"\b(?:https?://|www\.)[^\s/]+\.[^\s]{2,}", re.IGNORECASE)
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")


def has_contact(text: str) -> bool:
    """A link, an e-mail address or a phone number somewhere in the text."""
    if _URL.search(text):
        return True
    if any(validators.parse_email(word.strip(".,;:()<>")) for word in text.split() if "@" in word):
        return True
    return any(validators.normalise_phone(m.group()) for m in _PHONE_LIKE.finditer(text))


def parse_deadline_text(text: str, today: date) -> date | str:
    """The deadline, or the reason it is not acceptable (a translated message)."""
    deadline = validators.parse_birth_date(text)
    if deadline is None:
        example = (today + timedelta(days=30)).strftime("%d.%m.%Y")
        return _("I couldn't read that date. Please write it as day.month.year, for example {example}.").format(
            example=example
        )
    return deadline_problem(deadline, today) or deadline


def deadline_problem(deadline: date, today: date) -> str | None:
    """Why a deadline is not acceptable (a translated message), or None: today up to a year ahead."""
    if deadline < today:
        return _("That date has passed. Please give the last day to apply: today or later.")
    if deadline > today + timedelta(days=366):
        return _("That is more than a year away. Please give a deadline within a year.")
    return None
