"""The programme's tracks: what an opening fits and what alerts are chosen for.

Keys are stored; labels are translated when shown. The list follows the
programme's trainings (two-year tracks, vendor certifications, entrepreneurship).
"""

from __future__ import annotations

from bot.i18n import N_, _

TRACKS: dict[str, str] = {
    "software": N_("Software development"),
    "systems": N_("Systems engineering"),
    "networks": N_("Networks"),
    "project_management": N_("Project management"),
    "web": N_("Web development"),
    "mobile": N_("Mobile development"),
    "entrepreneurship": N_("Entrepreneurship"),
}


def track_label(key: str) -> str:
    return _(TRACKS[key]) if key in TRACKS else key


def track_list(keys: tuple[str, ...] | list[str] | frozenset[str]) -> str:
    """Labels in the fixed order of the list, comma-separated."""
    return ", ".join(track_label(k) for k in TRACKS if k in keys)


def match_track(text: str) -> str | None:
    """A track typed as its key, its English label or its label in the current language."""
    typed = " ".join(text.split()).casefold()
    for key, label in TRACKS.items():
        if typed in (key.casefold(), key.replace("_", " "), label.casefold(), _(label).casefold()):
            return key
    return None
