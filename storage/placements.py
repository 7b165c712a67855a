"""Placements in a job or an internship: recorded by staff, or reported in a survey and confirmed by staff.

A placement belongs to an enrolment (a trainee or a graduate). One reported
in a survey keeps its invitation (one placement per response) and waits with
``confirmed_at`` NULL until staff confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import fetch_all, fetch_one, inserted_id
from storage.timefmt import from_db, to_db

KINDS = ("job", "internship")
SOURCES = ("staff", "survey")


@dataclass(frozen=True)
class NewPlacement:
    enrolment_id: int
    kind: str
    employer: str | None
    starts_on: date | None
    ict: bool
    source: str
    invitation_id: int | None = None


@dataclass(frozen=True)
class Placement:
    id: int
    enrolment_id: int
    kind: str
    employer: str | None
    starts_on: date | None
    ict: bool
    source: str
    confirmed_at: datetime | None
    reference: str
    full_name: str | None
    cohort_id: int

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


_SELECT = (
    "SELECT p.*, a.reference, a.full_name, e.cohort_id FROM placements p"
    " JOIN enrolments e ON e.id = p.enrolment_id JOIN applications a ON a.id = e.application_id"
)


def _placement(row: aiosqlite.Row) -> Placement:
    return Placement(
        id=row["id"],
        enrolment_id=row["enrolment_id"],
        kind=row["kind"],
        employer=row["employer"],
        starts_on=date.fromisoformat(row["starts_on"]) if row["starts_on"] else None,
        ict=bool(row["ict"]),
        source=row["source"],
        confirmed_at=from_db(row["confirmed_at"]) if row["confirmed_at"] else None,
        reference=row["reference"],
        full_name=row["full_name"],
        cohort_id=row["cohort_id"],
    )


async def add(
    conn: aiosqlite.Connection, new: NewPlacement, *, confirmed: bool, staff_id: int | None, now: datetime
) -> int | None:
    """Store a placement; None when this survey response already has one."""
    if new.kind not in KINDS or new.source not in SOURCES:
        raise ValueError(f"placement {new.kind!r} from {new.source!r}")
    cur = await conn.execute(
        "INSERT INTO placements(enrolment_id, kind, employer, starts_on, ict, source, invitation_id,"
        " confirmed_at, staff_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(invitation_id) DO NOTHING",
        (
            new.enrolment_id,
            new.kind,
            new.employer,
            new.starts_on.isoformat() if new.starts_on else None,
            int(new.ict),
            new.source,
            new.invitation_id,
            to_db(now) if confirmed else None,
            staff_id,
            to_db(now),
        ),
    )
    return inserted_id(cur) if cur.rowcount == 1 else None


async def get(conn: aiosqlite.Connection, placement_id: int) -> Placement | None:
    row = await fetch_one(conn, _SELECT + " WHERE p.id = ?", (placement_id,))
    return _placement(row) if row else None


async def confirm(conn: aiosqlite.Connection, placement_id: int, staff_id: int, now: datetime) -> bool:
    """Staff confirm a placement reported in a survey; False when it was confirmed already (or is unknown)."""
    cur = await conn.execute(
        "UPDATE placements SET confirmed_at = ?, staff_id = ? WHERE id = ? AND confirmed_at IS NULL",
        (to_db(now), staff_id, placement_id),
    )
    return cur.rowcount == 1


async def of_cohort(conn: aiosqlite.Connection, cohort_id: int) -> list[Placement]:
    rows = await fetch_all(conn, _SELECT + " WHERE e.cohort_id = ? ORDER BY p.id", (cohort_id,))
    return [_placement(row) for row in rows]


async def waiting(conn: aiosqlite.Connection) -> list[Placement]:
    """Placements reported in surveys that no one has confirmed yet, oldest first."""
    rows = await fetch_all(conn, _SELECT + " WHERE p.confirmed_at IS NULL ORDER BY p.id")
    return [_placement(row) for row in rows]


@dataclass(frozen=True)
class ConfirmedRow:
    """The placement that stands for one application in the indicators: its latest confirmed one."""

    application_id: int
    kind: str
    ict: bool


async def confirmed_by_application(conn: aiosqlite.Connection) -> dict[int, ConfirmedRow]:
    """Application id → its latest confirmed placement (by start date, then id): one per person."""
    rows = await fetch_all(
        conn,
        "SELECT e.application_id, p.kind, p.ict FROM placements p JOIN enrolments e ON e.id = p.enrolment_id"
        " WHERE p.confirmed_at IS NOT NULL ORDER BY e.application_id, coalesce(p.starts_on, ''), p.id",
    )
    found: dict[int, ConfirmedRow] = {}
    for row in rows:  # later rows win: the latest placement of each application
        found[row["application_id"]] = ConfirmedRow(row["application_id"], row["kind"], bool(row["ict"]))
    return found
