"""Deciding on applications: one write path for the web console, /accept and ``youthbot accept``.

A decision changes the status (refusing illegal moves), keeps the change in the
history, queues at most one message to the applicant through the outbox (rendered
in their language when it is sent), enrols on acceptance and is audited.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.i18n import _, format_date, format_datetime, language_for, use_language
from bot.reference.texts import programme_title
from bot.services import audit, enrolment
from storage import application_lifecycle, cohorts, outbox, programmes, sessions, trainees, users
from storage.cohorts import Cohort
from storage.trainees import Applicant

DECISION_MESSAGE = "application_decision"
NOTE_MAX = 500


class Decision(enum.StrEnum):
    SHORTLISTED = "shortlisted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


WITHDRAWN = "withdrawn"

# Which status may become which; everything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"shortlisted", "accepted", "waitlisted", "rejected", WITHDRAWN}),
    "shortlisted": frozenset({"accepted", "waitlisted", "rejected", WITHDRAWN}),
    "waitlisted": frozenset({"accepted", "rejected"}),
    "accepted": frozenset(),
    "rejected": frozenset(),
    WITHDRAWN: frozenset(),
}
WITHDRAWABLE = frozenset({"submitted", "shortlisted"})


class DecisionError(ValueError):
    """A decision that cannot be made; ``code`` says why, for the caller's own words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Decided:
    reference: str
    from_status: str
    to_status: str
    message_queued: bool
    reminders_planned: int = 0


def check_transition(from_status: str, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise DecisionError("illegal_transition", f"an application that is {from_status} cannot become {to_status}")


def _clean_note(note: str | None) -> str | None:
    text = " ".join((note or "").split())
    if len(text) > NOTE_MAX:
        raise DecisionError("note_too_long", f"the personal sentence is longer than {NOTE_MAX} characters")
    return text or None


async def message_text(
    conn: aiosqlite.Connection,
    *,
    application_id: int,
    decision: str,
    personal_note: str | None,
    cohort_id: int | None,
    settings: Settings,
    now: datetime,
) -> str | None:
    """The applicant's message in the current language; None when there is no such application."""
    found = await application_lifecycle.standing(conn, application_id)
    if found is None:
        return None
    programme = await programmes.by_id(conn, found.programme_id)
    name = programme_title(programme) if programme else "–"
    lines: list[str] = []
    if decision == Decision.SHORTLISTED:
        lines.append(
            _("Your application for {programme} has been shortlisted. We will contact you soon.").format(programme=name)
        )
    elif decision == Decision.WAITLISTED:
        lines.append(
            _("Your application for {programme} is on the waiting list. We will tell you if a place opens up.").format(
                programme=name
            )
        )
    elif decision == Decision.REJECTED:
        lines.append(
            _("Thank you for applying to {programme}. Unfortunately you were not selected this time.").format(
                programme=name
            )
        )
    elif decision == Decision.ACCEPTED:
        cohort = await cohorts.get(conn, cohort_id) if cohort_id is not None else None
        lines.append(
            _("🎉 Good news! You have been accepted into {programme}, group {cohort}.").format(
                programme=name, cohort=cohort.name if cohort else "–"
            )
        )
        upcoming = await sessions.upcoming_of_cohort(conn, cohort.id, now) if cohort else []
        if upcoming:
            start = upcoming[0].starts_at.astimezone(settings.timezone)
            when = f"{format_date(start.date(), 'full')}, {format_datetime(start, settings.timezone, 'HH:mm')}"
            lines.append(_("Your first session: {when}.").format(when=when))
        elif cohort is not None and cohort.starts_on is not None:
            lines.append(_("The group starts on {date}.").format(date=format_date(cohort.starts_on, "long")))
        lines.append(
            _(
                "Before each training session I will send you a reminder. See your sessions with /schedule; turn reminders off or on with /reminders."
            )
        )
    else:
        return None
    if personal_note:
        lines.append(personal_note)
    return "\n".join(lines)


async def _applicant(tx: aiosqlite.Connection, reference: str) -> Applicant:
    found = await trainees.applicant(tx, reference)
    if found is None:
        raise DecisionError("not_found", f"no application has the reference {reference}")
    return found


async def _move(
    tx: aiosqlite.Connection,
    applicant: Applicant,
    to_status: str,
    *,
    staff_id: int | None,
    by_applicant: bool,
    note: str | None,
    now: datetime,
) -> None:
    """Move the status and keep it in the history, unless someone changed it meanwhile (then refuse)."""
    if not await application_lifecycle.change_status(
        tx,
        applicant.application_id,
        from_status=applicant.status,
        to_status=to_status,
        staff_id=staff_id,
        by_applicant=by_applicant,
        personal_note=note,
        now=now,
    ):
        raise DecisionError("changed", f"application {applicant.reference} was changed meanwhile")


async def preview(
    tx: aiosqlite.Connection,
    reference: str,
    decision: Decision,
    *,
    personal_note: str | None = None,
    cohort_id: int | None = None,
    settings: Settings,
    now: datetime,
) -> str | None:
    """The message exactly as the applicant will read it (their language); None if they have no chat."""
    applicant = await _applicant(tx, reference)
    user = await users.get(tx, applicant.user_id) if applicant.user_id is not None else None
    if user is None:
        return None
    with use_language(language_for(user.language, settings.default_language).code):
        return await message_text(
            tx,
            application_id=applicant.application_id,
            decision=decision,
            personal_note=_clean_note(personal_note),
            cohort_id=cohort_id,
            settings=settings,
            now=now,
        )


async def check(
    tx: aiosqlite.Connection,
    reference: str,
    decision: Decision,
    *,
    cohort_id: int | None = None,
    personal_note: str | None = None,
    expected_status: str | None = None,
) -> tuple[Applicant, Cohort | None]:
    """Every refusal ``decide`` would give, without writing anything: the console checks a
    decision before it shows the message, so staff never preview what cannot be done.

    ``expected_status`` is the status the staff member saw (a form's hidden field): when it
    is no longer the status, the decision was made on stale facts and is refused as ``changed``."""
    applicant = await _applicant(tx, reference)
    if expected_status is not None and applicant.status != expected_status:
        raise DecisionError("changed", f"application {reference} is {applicant.status} now, not {expected_status}")
    _clean_note(personal_note)
    if applicant.user_id is None and decision != Decision.REJECTED:
        raise DecisionError("withdrawn", f"application {reference} was withdrawn or its data deleted")
    check_transition(applicant.status, decision)
    if decision != Decision.ACCEPTED:
        return applicant, None
    cohort = await cohorts.get(tx, cohort_id) if cohort_id is not None else None
    if cohort is None:
        raise DecisionError("cohort_required", "acceptance needs a cohort of the application's programme")
    found = await enrolment.refusal(tx, applicant, cohort)
    if found is not None:
        raise DecisionError(str(found[0]), f"application {reference} cannot go into {cohort.code}: {found[0]}")
    return applicant, cohort


async def decide(
    tx: aiosqlite.Connection,
    reference: str,
    decision: Decision,
    *,
    staff_id: int | None,
    settings: Settings,
    now: datetime,
    cohort_id: int | None = None,
    personal_note: str | None = None,
    notify: bool = True,
    expected_status: str | None = None,
) -> Decided:
    """Make one decision inside the caller's transaction; raises ``DecisionError`` when refused
    (see ``check``), before anything is written.

    ``notify`` matters for shortlisting only: the other decisions are always told."""
    applicant, cohort = await check(
        tx, reference, decision, cohort_id=cohort_id, personal_note=personal_note, expected_status=expected_status
    )
    note = _clean_note(personal_note)
    planned = 0
    if cohort is not None:
        done = await enrolment.accept(tx, applicant, cohort, settings, now, notify=False)
        if done is None:
            raise DecisionError("not_enrolled", f"application {reference} could not be enrolled")
        planned = done.reminders_planned
        await application_lifecycle.record_change(
            tx,
            applicant.application_id,
            from_status=applicant.status,
            to_status=decision,
            staff_id=staff_id,
            by_applicant=False,
            personal_note=note,
            now=now,
        )
    else:
        await _move(tx, applicant, decision, staff_id=staff_id, by_applicant=False, note=note, now=now)
    queued = False
    if notify or decision != Decision.SHORTLISTED:
        queued = await _queue_message(tx, applicant, decision, note, cohort_id, now)
    await audit.record(
        tx,
        staff_id=staff_id,
        action=f"application.{decision}",
        target_kind="application",
        target_id=applicant.reference,
        detail={"from": applicant.status, "to": str(decision), "cohort_id": cohort_id, "message": queued},
        now=now,
    )
    return Decided(applicant.reference, applicant.status, str(decision), queued, planned)


async def _queue_message(
    tx: aiosqlite.Connection,
    applicant: Applicant,
    decision: str,
    note: str | None,
    cohort_id: int | None,
    now: datetime,
) -> bool:
    user = await users.get(tx, applicant.user_id) if applicant.user_id is not None else None
    if user is None:
        return False
    queued = await outbox.enqueue(
        tx,
        channel=user.channel,
        chat_id=user.chat_id,
        user_id=user.id,
        kind=DECISION_MESSAGE,
        payload={
            "application_id": applicant.application_id,
            "decision": decision,
            "note": note,
            "cohort_id": cohort_id,
        },
        now=now,
        ref=f"application:{applicant.application_id}",
        dedup_key=f"decision:{applicant.application_id}:{decision}",
    )
    return queued is not None


@dataclass(frozen=True)
class BulkResult:
    decided: list[Decided]
    refused: dict[str, DecisionError]


async def decide_many(
    tx: aiosqlite.Connection,
    references: Sequence[str],
    decision: Decision,
    *,
    staff_id: int | None,
    settings: Settings,
    now: datetime,
    cohort_id: int | None = None,
    personal_note: str | None = None,
    notify: bool = True,
    expected: Mapping[str, str] | None = None,
) -> BulkResult:
    """One decision for many applications; those that cannot take it are listed, not fatal.

    ``expected`` maps references to the status the staff member saw (see ``decide``)."""
    decided: list[Decided] = []
    refused: dict[str, DecisionError] = {}
    for reference in dict.fromkeys(references):
        try:
            decided.append(
                await decide(
                    tx,
                    reference,
                    decision,
                    staff_id=staff_id,
                    settings=settings,
                    now=now,
                    cohort_id=cohort_id,
                    personal_note=personal_note,
                    notify=notify,
                    expected_status=expected.get(reference) if expected is not None else None,
                )
            )
        except DecisionError as error:
            refused[reference] = error
    await audit.record(
        tx,
        staff_id=staff_id,
        action="application.bulk",
        target_kind="application",
        detail={
            "decision": str(decision),
            "selected": len(decided) + len(refused),
            "decided": len(decided),
            "refused": len(refused),
            "cohort_id": cohort_id,
        },
        now=now,
    )
    return BulkResult(decided, refused)


async def withdraw(tx: aiosqlite.Connection, reference: str, *, user_id: int, now: datetime) -> str:
    """The applicant withdraws their own submitted or shortlisted application; returns the old status."""
    applicant = await _applicant(tx, reference)
    if applicant.user_id != user_id:
        raise DecisionError("not_found", f"no application has the reference {reference}")
    if applicant.status not in WITHDRAWABLE:
        raise DecisionError("illegal_transition", f"an application that is {applicant.status} cannot be withdrawn")
    await _move(tx, applicant, WITHDRAWN, staff_id=None, by_applicant=True, note=None, now=now)
    return applicant.status
