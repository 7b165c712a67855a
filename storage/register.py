"""The register staff take per session (who actually came), and each trainee's attendance from it.

The attendance rate of a trainee is present ÷ registers taken: a session
counts once staff saved its register, so sessions still ahead, or not yet
registered, neither help nor hurt anyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import fetch_all
from storage.timefmt import to_db


@dataclass(frozen=True)
class Trainee:
    """A trainee of a cohort as staff see them, with their attendance so far."""

    enrolment_id: int
    application_id: int
    reference: str
    full_name: str | None  # None once the person deleted their data
    status: str  # enrolled, completed, dropped
    dropped_on: date | None
    dropout_reason: str | None
    registers: int  # sessions whose register counted this trainee
    present: int

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.registers if self.registers else None


_TRAINEES = (
    "SELECT e.id, e.application_id, a.reference, a.full_name, e.status, e.dropped_on, e.dropout_reason,"
    " (SELECT count(*) FROM attendance_register r JOIN sessions s ON s.id = r.session_id"
    "   WHERE r.enrolment_id = e.id AND s.status = 'scheduled') AS registers,"
    " (SELECT count(*) FROM attendance_register r JOIN sessions s ON s.id = r.session_id"
    "   WHERE r.enrolment_id = e.id AND s.status = 'scheduled' AND r.present = 1) AS present"
    " FROM enrolments e JOIN applications a ON a.id = e.application_id"
)


def _trainee(row: aiosqlite.Row) -> Trainee:
    return Trainee(
        enrolment_id=row["id"],
        application_id=row["application_id"],
        reference=row["reference"],
        full_name=row["full_name"],
        status=row["status"],
        dropped_on=date.fromisoformat(row["dropped_on"]) if row["dropped_on"] else None,
        dropout_reason=row["dropout_reason"],
        registers=row["registers"],
        present=row["present"],
    )


async def trainees(conn: aiosqlite.Connection, cohort_id: int) -> list[Trainee]:
    """Every trainee of the cohort (any status), by name."""
    rows = await fetch_all(
        conn,
        _TRAINEES + " WHERE e.cohort_id = ? ORDER BY a.full_name IS NULL, a.full_name COLLATE NOCASE, a.reference",
        (cohort_id,),
    )
    return [_trainee(row) for row in rows]


async def marks(conn: aiosqlite.Connection, session_id: int) -> dict[int, bool]:
    """Enrolment id → came, for a session whose register was taken (empty when it was not)."""
    rows = await fetch_all(
        conn, "SELECT enrolment_id, present FROM attendance_register WHERE session_id = ?", (session_id,)
    )
    return {row["enrolment_id"]: bool(row["present"]) for row in rows}


async def save(
    conn: aiosqlite.Connection,
    session_id: int,
    enrolment_ids: Iterable[int],
    present: set[int],
    staff_id: int | None,
    now: datetime,
) -> int:
    """Store the register of these trainees (each present or not); returns how many came."""
    rows = [(session_id, e, int(e in present), staff_id, to_db(now)) for e in enrolment_ids]
    await conn.executemany(
        "INSERT INTO attendance_register(session_id, enrolment_id, present, staff_id, marked_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id, enrolment_id) DO UPDATE SET"
        " present = excluded.present, staff_id = excluded.staff_id, marked_at = excluded.marked_at",
        rows,
    )
    return sum(r[2] for r in rows)


@dataclass(frozen=True)
class ApplicationAttendance:
    registers: int
    present: int


async def by_application(conn: aiosqlite.Connection) -> dict[int, ApplicationAttendance]:
    """Application id → registers and presences, over scheduled sessions (for the indicators)."""
    rows = await fetch_all(
        conn,
        "SELECT e.application_id, count(*) AS registers, sum(r.present) AS present FROM attendance_register r"
        " JOIN enrolments e ON e.id = r.enrolment_id JOIN sessions s ON s.id = r.session_id"
        " WHERE s.status = 'scheduled' GROUP BY e.application_id",
    )
    return {row["application_id"]: ApplicationAttendance(row["registers"], row["present"]) for row in rows}
