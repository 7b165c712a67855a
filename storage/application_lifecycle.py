"""Status changes of applications with their history, and staff's internal notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import inserted_id
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class StatusChange:
    from_status: str
    to_status: str
    staff_id: int | None
    by_applicant: bool
    personal_note: str | None
    at: datetime


@dataclass(frozen=True)
class Note:
    id: int
    application_id: int
    staff_id: int | None
    at: datetime
    text: str


async def change_status(
    tx: aiosqlite.Connection,
    application_id: int,
    *,
    from_status: str,
    to_status: str,
    staff_id: int | None,
    by_applicant: bool,
    personal_note: str | None,
    now: datetime,
) -> bool:
    """Move the status only if it is still ``from_status`` (two staff deciding at once) and keep
    the change in the history. False when someone else changed it first."""
    cur = await tx.execute(
        "UPDATE applications SET status = ? WHERE id = ? AND status = ?", (to_status, application_id, from_status)
    )
    if cur.rowcount != 1:
        return False
    await record_change(
        tx,
        application_id,
        from_status=from_status,
        to_status=to_status,
        staff_id=staff_id,
        by_applicant=by_applicant,
        personal_note=personal_note,
        now=now,
    )
    return True


async def record_change(
    tx: aiosqlite.Connection,
    application_id: int,
    *,
    from_status: str,
    to_status: str,
    staff_id: int | None,
    by_applicant: bool,
    personal_note: str | None,
    now: datetime,
) -> None:
    """Keep a change made elsewhere (enrolment sets 'accepted' itself) in the history."""
    await tx.execute(
        "INSERT INTO application_status_history(application_id, from_status, to_status, staff_id,"
        " by_applicant, personal_note, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (application_id, from_status, to_status, staff_id, int(by_applicant), personal_note, to_db(now)),
    )


async def history(tx: aiosqlite.Connection, application_id: int) -> list[StatusChange]:
    async with tx.execute(
        "SELECT * FROM application_status_history WHERE application_id = ? ORDER BY at, id", (application_id,)
    ) as cur:
        rows = await cur.fetchall()
    return [
        StatusChange(
            r["from_status"],
            r["to_status"],
            r["staff_id"],
            bool(r["by_applicant"]),
            r["personal_note"],
            from_db(r["at"]),
        )
        for r in rows
    ]


async def add_note(
    tx: aiosqlite.Connection, application_id: int, staff_id: int | None, text: str, now: datetime
) -> Note:
    cur = await tx.execute(
        "INSERT INTO application_notes(application_id, staff_id, at, text) VALUES (?, ?, ?, ?)",
        (application_id, staff_id, to_db(now), text),
    )
    return Note(inserted_id(cur), application_id, staff_id, now, text)


async def notes(tx: aiosqlite.Connection, application_id: int) -> list[Note]:
    async with tx.execute(
        "SELECT * FROM application_notes WHERE application_id = ? ORDER BY at, id", (application_id,)
    ) as cur:
        rows = await cur.fetchall()
    return [Note(r["id"], r["application_id"], r["staff_id"], from_db(r["at"]), r["text"]) for r in rows]


@dataclass(frozen=True)
class Standing:
    """Where an application stands now, for rendering a message about it at send time."""

    status: str
    user_id: int | None
    programme_id: int


async def standing(conn: aiosqlite.Connection, application_id: int) -> Standing | None:
    async with conn.execute(
        "SELECT status, user_id, programme_id FROM applications WHERE id = ?", (application_id,)
    ) as cur:
        row = await cur.fetchone()
    return Standing(row["status"], row["user_id"], row["programme_id"]) if row else None
