"""Small translated texts shared by several flows."""

from __future__ import annotations

from bot.i18n import N_, _, current_language
from bot.i18n.transliteration import to_latin
from storage.programmes import Programme

STATUSES = {
    "submitted": N_("received, under review"),
    "accepted": N_("accepted"),
    "rejected": N_("not selected this time"),
    "withdrawn": N_("withdrawn"),
}


def application_status(status: str) -> str:
    return _(STATUSES[status]) if status in STATUSES else status


def programme_title(programme: Programme) -> str:
    """The programme's title in the current language (Latin Serbian made from Cyrillic)."""
    language = current_language()
    title = programme.title(language.content_key)
    return to_latin(title) if language.code == "sr_Latn" else title


def programme_button(programme: Programme) -> str:
    """The programme's short title for a button, in the current language."""
    language = current_language()
    title = programme.short_title(language.content_key)
    return to_latin(title) if language.code == "sr_Latn" else title
