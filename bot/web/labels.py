"""How the console names stored codes, in the staff member's language: the form's own labels.

The applications pages show each answer with the label and the option texts the
applicant saw in /apply (``bot.flows.apply``), so staff read the same words;
call these inside ``use_language`` (the page handlers do).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from bot.flows.apply import EDUCATION, EMPLOYMENT, GENDERS, HEARD_FROM, QUESTIONS
from bot.i18n import N_, _, current_language, format_date
from bot.reference.municipalities import Municipalities
from bot.reference.texts import programme_button, programme_title
from bot.services.decisions import NOTE_MAX, Decision, DecisionError
from storage.programmes import Programme

CAMPAIGN_LINK = "link"  # heard_from when the person came through a deep link (the campaign is the source)
CHOICES: dict[str, dict[str, str]] = {
    "gender": GENDERS,
    "education": EDUCATION,
    "employment": EMPLOYMENT,
    "heard_from": HEARD_FROM,
}


@cache
def municipalities() -> Municipalities:
    return Municipalities.load()


def question(question_id: str) -> str:
    """The label of a form question, as in the form's summary."""
    return next(q.label() for q in QUESTIONS if q.id == question_id)


def choice(question_id: str, key: str | None) -> str:
    if not key:
        return "—"
    table = CHOICES.get(question_id, {})
    return _(table[key]) if key in table else key


def municipality(key: str | None) -> str:
    if not key:
        return "—"
    found = municipalities().get(key)
    return found.name(current_language().code) if found else key


def municipality_options() -> list[tuple[str, str]]:
    language = current_language().code
    return [(m.key, m.name(language)) for m in municipalities().sorted_for(language)]


# Staff's short names of the statuses (the applicant reads the longer ones of bot.reference.texts).
STAFF_STATUSES = {
    "submitted": N_("Submitted"),
    "shortlisted": N_("Shortlisted"),
    "accepted": N_("Accepted"),
    "waitlisted": N_("Waiting list"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}


def status(code: str) -> str:
    return _(STAFF_STATUSES[code]) if code in STAFF_STATUSES else code


def status_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in STAFF_STATUSES.items()]


def programme(found: Programme | None, short: bool = False) -> str:
    if found is None:
        return "—"
    return programme_button(found) if short else programme_title(found)


def source(heard_from: str | None, campaign: str | None) -> str:
    """Where the person heard of the programme: the deep-link campaign, or their answer."""
    if campaign:
        return _("Campaign link: {campaign}").format(campaign=campaign)
    if heard_from == CAMPAIGN_LINK:
        return _("A campaign link")
    return choice("heard_from", heard_from)


def source_options(campaigns: list[str]) -> list[tuple[str, str]]:
    """The source filter's choices: every answer to "how did you hear of us", then each campaign."""
    answers = [(key, _(label)) for key, label in HEARD_FROM.items()]
    return answers + [(c, _("Campaign link: {campaign}").format(campaign=c)) for c in campaigns]


def birth_date(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return format_date(date.fromisoformat(iso))
    except ValueError:
        return iso


DECISIONS: dict[Decision, str] = {
    Decision.SHORTLISTED: N_("Shortlist"),
    Decision.ACCEPTED: N_("Accept into a cohort"),
    Decision.WAITLISTED: N_("Put on the waiting list"),
    Decision.REJECTED: N_("Reject"),
}

# Why a decision was refused (``DecisionError.code``), in the staff member's words.
REFUSALS: dict[str, str] = {
    "not_found": N_("There is no such application."),
    "changed": N_("Someone changed this application meanwhile, so nothing was done. Look at it again before deciding."),
    "illegal_transition": N_("Its present status does not allow this decision."),
    "withdrawn": N_("It was withdrawn, or the applicant deleted their data."),
    "cohort_required": N_("Choose a cohort of the application's programme."),
    "other_programme": N_("That cohort belongs to another programme."),
    "already_enrolled": N_("It is already enrolled in a cohort."),
    "not_enrolled": N_("It could not be enrolled in the cohort."),
}


def decision(value: Decision) -> str:
    return _(DECISIONS[value])


def refusal(error: DecisionError) -> str:
    if error.code == "note_too_long":
        return _("The personal sentence may have at most {limit} characters.").format(limit=NOTE_MAX)
    return _(REFUSALS.get(error.code, REFUSALS["illegal_transition"]))


NOTHING_SELECTED = N_("Select at least one application in the list, and a decision.")


def translate(msgid: str) -> str:
    """A catalog text (marked with ``N_``) in the current language."""
    return _(msgid)


# What a page says after a saved change (``?saved=...`` on the address it comes back to).
SAVED = {
    "decision": N_("The decision is saved. If the applicant is told, the message is on its way."),
    "note": N_("The note is saved."),
}


def saved(what: str) -> str | None:
    return _(SAVED[what]) if what in SAVED else None
