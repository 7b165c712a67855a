"""How an opening reads: the full card, one line of a list, and its labels.

Staff write an opening's texts in one language; everything around them
(kind, place, tracks, dates, headings) is translated for the reader.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from bot.i18n import N_, _, current_language, format_date
from bot.messages import Option
from bot.reference.municipalities import Municipalities
from bot.reference.tracks import track_list
from storage.openings import Opening

KINDS = {"job": N_("Job"), "internship": N_("Internship")}
KINDS_PLURAL = {"job": N_("Jobs"), "internship": N_("Internships")}
ICONS = {"job": "💼", "internship": "🎓"}


@lru_cache(maxsize=1)
def default_municipalities() -> Municipalities:
    """For renderers of outbox rows, which have no conversation context."""
    return Municipalities.load()


def kind_label(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def place_label(opening: Opening, municipalities: Municipalities) -> str:
    if opening.municipality is None:
        return _("Remote")
    found = municipalities.get(opening.municipality)
    return found.name(current_language().code) if found else opening.municipality


def card(opening: Opening, municipalities: Municipalities, today: date) -> str:
    lines = []
    if opening.id and not opening.is_open_on(today):
        lines += [_("⛔ This opening is closed: it no longer takes applications."), ""]
    lines += [
        f"{ICONS.get(opening.kind, '')} {kind_label(opening.kind)}: {opening.title}",
        _("Employer: {employer}").format(employer=opening.employer),
        _("Where: {place}").format(place=place_label(opening, municipalities)),
        _("Tracks: {tracks}").format(tracks=track_list(opening.tracks)),
        _("Apply by: {date}").format(date=format_date(opening.deadline)),
        "",
        opening.description,
        "",
        _("How to apply: {how}").format(how=opening.apply_how),
    ]
    return "\n".join(lines)


def list_line(number: int, opening: Opening, municipalities: Municipalities) -> str:
    return _("{number}. {icon} {title} – {employer}, {place}; apply by {date}").format(
        number=number,
        icon=ICONS.get(opening.kind, ""),
        title=opening.title,
        employer=opening.employer,
        place=place_label(opening, municipalities),
        date=format_date(opening.deadline, "medium"),
    )


def interest_option(opening_id: int) -> Option:
    """The button under an opening that records interest (an action: valid at any time)."""
    return Option(f"jobs.interest.{opening_id}", _("I'm interested"))
