"""Internal notes on an application: for staff only, never shown to the applicant; audited."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.services import audit
from storage import application_lifecycle, trainees
from storage.application_lifecycle import Note

NOTE_MAX = 4000


class NoteError(ValueError):
    pass


async def add(tx: aiosqlite.Connection, reference: str, text: str, *, staff_id: int | None, now: datetime) -> Note:
    """Keep a note; an empty or overlong note, or an unknown reference, is refused."""
    body = text.strip()
    if not body:
        raise NoteError("a note cannot be empty")
    if len(body) > NOTE_MAX:
        raise NoteError(f"a note may have at most {NOTE_MAX} characters")
    applicant = await trainees.applicant(tx, reference)
    if applicant is None:
        raise NoteError(f"no application has the reference {reference}")
    note = await application_lifecycle.add_note(tx, applicant.application_id, staff_id, body, now)
    # The note's text stays out of the audit trail: it may hold personal data.
    await audit.record(
        tx, staff_id=staff_id, action="application.note", target_kind="application", target_id=reference, now=now
    )
    return note


async def list_for(tx: aiosqlite.Connection, reference: str) -> list[Note]:
    applicant = await trainees.applicant(tx, reference)
    return await application_lifecycle.notes(tx, applicant.application_id) if applicant else []
