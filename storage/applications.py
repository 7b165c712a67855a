"""Submitted applications to the programme's trainings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import fetch_one, inserted_id
from storage.timefmt import from_db, to_db

# Letters and digits that cannot be mistaken for one another when read aloud or typed.
_REFERENCE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"


@dataclass(frozen=True)
class NewApplication:
    user_id: int
    programme_id: int
    full_name: str
    birth_date: str  # ISO date
    gender: str
    municipality: str
    phone: str
    email: str | None
    education: str
    employment: str
    motivation: str
    heard_from: str | None
    source: str | None
    language: str
    consent_at: datetime
    age_at_application: int | None = None  # kept after erasure for the reports' age groups
    guardian: Guardian | None = None  # for an applicant under GUARDIAN_CONSENT_UNDER
    applied_on: date | None = None  # the day in the programme's time zone; the service sets it with the age


@dataclass(frozen=True)
class Guardian:
    """The parent or guardian who agrees to a minor's application, as the applicant gave them."""

    name: str
    phone: str
    confirmed_at: datetime  # when the applicant confirmed that the guardian agrees


@dataclass(frozen=True)
class Application:
    id: int
    reference: str
    user_id: int | None
    programme_id: int
    programme_code: str
    status: str
    created_at: datetime


COLUMNS = (
    "reference",
    "status",
    "created_at",
    "programme_code",
    "full_name",
    "birth_date",
    "gender",
    "municipality",
    "phone",
    "email",
    "education",
    "employment",
    "motivation",
    "heard_from",
    "source",
    "language",
    "consent_at",
    "guardian_name",
    "guardian_phone",
    "guardian_confirmed_at",
)


def _application(row: aiosqlite.Row) -> Application:
    return Application(
        id=row["id"],
        reference=row["reference"],
        user_id=row["user_id"],
        programme_id=row["programme_id"],
        programme_code=row["code"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
    )


def new_reference(now: datetime) -> str:
    """A short reference such as ``YB-26-K7MX4``: year, then five unambiguous characters."""
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))
    return f"YB-{now:%y}-{tail}"


async def find_for_programme(conn: aiosqlite.Connection, user_id: int, programme_id: int) -> Application | None:
    row = await fetch_one(
        conn,
        "SELECT a.*, p.code FROM applications a JOIN programmes p ON p.id = a.programme_id"
        " WHERE a.user_id = ? AND a.programme_id = ?",
        (user_id, programme_id),
    )
    return _application(row) if row else None


async def for_user(conn: aiosqlite.Connection, user_id: int) -> list[Application]:
    async with conn.execute(
        "SELECT a.*, p.code FROM applications a JOIN programmes p ON p.id = a.programme_id"
        " WHERE a.user_id = ? ORDER BY a.created_at, a.id",
        (user_id,),
    ) as cur:
        return [_application(row) for row in await cur.fetchall()]


async def submit(conn: aiosqlite.Connection, app: NewApplication, now: datetime) -> Application:
    """Insert the application under a fresh unique reference number.

    ``app.applied_on`` is required: the indicators count by it (``bot.services.applications`` sets it)."""
    if app.applied_on is None:
        raise ValueError("an application needs its local day of application (applied_on)")
    birth_year = int(app.birth_date[:4])
    guardian = app.guardian
    while True:
        reference = new_reference(now)
        if await fetch_one(conn, "SELECT 1 FROM applications WHERE reference = ?", (reference,)) is None:
            break
    cur = await conn.execute(
        "INSERT INTO applications(reference, user_id, programme_id, full_name, birth_date,"
        " birth_year, gender, municipality, phone, email, education, employment, motivation,"
        " heard_from, source, language, consent_at, created_at, age_at_application,"
        " guardian_name, guardian_phone, guardian_confirmed_at, applied_on)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            reference,
            app.user_id,
            app.programme_id,
            app.full_name,
            app.birth_date,
            birth_year,
            app.gender,
            app.municipality,
            app.phone,
            app.email,
            app.education,
            app.employment,
            app.motivation,
            app.heard_from,
            app.source,
            app.language,
            to_db(app.consent_at),
            to_db(now),
            app.age_at_application,
            guardian.name if guardian else None,
            guardian.phone if guardian else None,
            to_db(guardian.confirmed_at) if guardian else None,
            app.applied_on.isoformat(),
        ),
    )
    row = await fetch_one(
        conn,
        "SELECT a.*, p.code FROM applications a JOIN programmes p ON p.id = a.programme_id WHERE a.id = ?",
        (inserted_id(cur),),
    )
    assert row is not None
    return _application(row)


async def export_rows(conn: aiosqlite.Connection) -> list[dict[str, str | None]]:
    """Every application as a flat row for the staff CSV, oldest first."""
    async with conn.execute(
        "SELECT a.*, p.code AS programme_code FROM applications a"
        " JOIN programmes p ON p.id = a.programme_id ORDER BY a.created_at, a.id"
    ) as cur:
        rows = await cur.fetchall()
    return [{col: row[col] for col in COLUMNS} for row in rows]


async def personal_rows(conn: aiosqlite.Connection, user_id: int) -> list[dict[str, str | None]]:
    """What /mydata shows: the user's applications with every stored field."""
    async with conn.execute(
        "SELECT a.*, p.code AS programme_code FROM applications a"
        " JOIN programmes p ON p.id = a.programme_id WHERE a.user_id = ? ORDER BY a.id",
        (user_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [{col: row[col] for col in COLUMNS} for row in rows]
