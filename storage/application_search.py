"""The staff console's list of applications: combined filters, paging, duplicates.

Kept in storage because it is SQL; the query-string form of a filter lives in
``bot/services/application_filters.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.timefmt import from_db

# The age on the local day of application, stored with it (and kept after /forget).
_AGE_SQL = "a.age_at_application"

_DUPLICATE_SQL = (
    "EXISTS (SELECT 1 FROM applications d WHERE d.reference <> a.reference AND ("
    "(a.phone IS NOT NULL AND d.phone = a.phone)"
    " OR (a.full_name IS NOT NULL AND a.birth_date IS NOT NULL"
    " AND d.full_name = a.full_name COLLATE NOCASE AND d.birth_date = a.birth_date)))"
)


@dataclass(frozen=True)
class ApplicationFilter:
    """What a staff member narrowed the list to; every field left None matches all."""

    programme: str | None = None  # programme code
    status: str | None = None
    municipality: str | None = None
    gender: str | None = None
    age_group: str | None = None  # "LOW-HIGH", e.g. "18-24"
    source: str | None = None  # deep-link campaign or "how they heard"
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    search: str | None = None  # name, reference number or phone


@dataclass(frozen=True)
class ApplicationRow:
    id: int
    reference: str
    user_id: int | None
    programme_code: str
    status: str
    created_at: datetime
    full_name: str | None
    birth_date: str | None
    gender: str | None
    municipality: str | None
    phone: str | None
    email: str | None
    source: str | None
    heard_from: str | None
    language: str | None
    possible_duplicate: bool
    guardian_consent: bool = False  # a minor: the applicant confirmed their guardian agrees (staff confirm it)


@dataclass(frozen=True)
class ApplicationPage:
    rows: list[ApplicationRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def age_bounds(group: str) -> tuple[int, int] | None:
    """``"18-24"`` -> (18, 24); None for anything else."""
    low, sep, high = group.partition("-")
    if not sep or not low.isdigit() or not high.isdigit() or int(low) > int(high):
        return None
    return int(low), int(high)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _where(f: ApplicationFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.programme:
        clauses.append("p.code = ?")
        params.append(f.programme)
    if f.status:
        clauses.append("a.status = ?")
        params.append(f.status)
    if f.municipality:
        clauses.append("a.municipality = ?")
        params.append(f.municipality)
    if f.gender:
        clauses.append("a.gender = ?")
        params.append(f.gender)
    if f.age_group:
        bounds = age_bounds(f.age_group)
        if bounds is None:
            clauses.append("0")
        else:
            clauses.append(f"{_AGE_SQL} BETWEEN ? AND ?")
            params.extend(bounds)
    if f.source:
        clauses.append("(a.source = ? OR a.heard_from = ?)")
        params.extend([f.source, f.source])
    if f.date_from:  # the local day of application, as the indicators count it
        clauses.append("a.applied_on >= ?")
        params.append(f.date_from.isoformat())
    if f.date_to:
        clauses.append("a.applied_on <= ?")
        params.append(f.date_to.isoformat())
    if f.search and f.search.strip():
        text = f.search.strip()
        alternatives = ["a.reference = ?", "a.full_name LIKE ? ESCAPE '\\'"]
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.extend([text.upper(), f"%{escaped}%"])
        digits = _digits(text).lstrip("0")  # a local 044 ... matches a stored +38344 ...
        if len(digits) >= 5:
            alternatives.append("replace(replace(a.phone, ' ', ''), '+', '') LIKE ?")
            params.append(f"%{digits}%")
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_SELECT = (
    "SELECT a.id, a.reference, a.user_id, p.code AS programme_code, a.status, a.created_at,"
    " a.full_name, a.birth_date, a.gender, a.municipality, a.phone, a.email, a.source,"
    f" a.heard_from, a.language, {_DUPLICATE_SQL} AS dup, a.guardian_name IS NOT NULL AS guardian"
    " FROM applications a JOIN programmes p ON p.id = a.programme_id"
)


def _row(row: aiosqlite.Row) -> ApplicationRow:
    return ApplicationRow(
        id=row["id"],
        reference=row["reference"],
        user_id=row["user_id"],
        programme_code=row["programme_code"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
        full_name=row["full_name"],
        birth_date=row["birth_date"],
        gender=row["gender"],
        municipality=row["municipality"],
        phone=row["phone"],
        email=row["email"],
        source=row["source"],
        heard_from=row["heard_from"],
        language=row["language"],
        possible_duplicate=bool(row["dup"]),
        guardian_consent=bool(row["guardian"]),
    )


async def search(
    tx: aiosqlite.Connection, f: ApplicationFilter, *, page: int, per_page: int = 50, today: date
) -> ApplicationPage:
    """One page of the matching applications, newest first, with the number of matches.

    ``today`` is accepted so callers can pass the console's clock; ages are taken on the
    day of application, as the reports take them."""
    del today
    page = max(1, page)
    where, params = _where(f)
    async with tx.execute(
        f"SELECT count(*) FROM applications a JOIN programmes p ON p.id = a.programme_id{where}", params
    ) as cur:
        found = await cur.fetchone()
    total = int(found[0]) if found else 0
    async with tx.execute(
        f"{_SELECT}{where} ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    ) as cur:
        rows = [_row(r) for r in await cur.fetchall()]
    return ApplicationPage(rows=rows, total=total, page=page, per_page=per_page)


async def matching(tx: aiosqlite.Connection, f: ApplicationFilter) -> AsyncIterator[dict[str, Any]]:
    """Every matching application with every stored field, newest first, for exports."""
    where, params = _where(f)
    async with tx.execute(
        "SELECT a.reference, a.status, a.created_at, p.code AS programme_code, a.full_name, a.birth_date,"
        " a.gender, a.municipality, a.phone, a.email, a.education, a.employment, a.motivation,"
        " a.heard_from, a.source, a.language, a.consent_at"
        f" FROM applications a JOIN programmes p ON p.id = a.programme_id{where}"
        " ORDER BY a.created_at DESC, a.id DESC",
        params,
    ) as cur:
        async for row in cur:
            yield dict(row)


async def one(tx: aiosqlite.Connection, reference: str) -> ApplicationRow | None:
    """One application for its detail page, with the duplicate mark, by its reference number."""
    async with tx.execute(f"{_SELECT} WHERE a.reference = ?", (reference.strip().upper(),)) as cur:
        row = await cur.fetchone()
    return _row(row) if row else None


async def by_id(tx: aiosqlite.Connection, application_id: int) -> ApplicationRow | None:
    """One application by its row id: the console's addresses carry the id, never a name or a phone."""
    async with tx.execute(f"{_SELECT} WHERE a.id = ?", (application_id,)) as cur:
        row = await cur.fetchone()
    return _row(row) if row else None


async def by_references(tx: aiosqlite.Connection, references: Sequence[str]) -> list[ApplicationRow]:
    """The applications among ``references`` that exist, newest first (a bulk action's selection)."""
    wanted = sorted({r.strip().upper() for r in references if r.strip()})
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    async with tx.execute(
        f"{_SELECT} WHERE a.reference IN ({marks}) ORDER BY a.created_at DESC, a.id DESC", wanted
    ) as cur:
        return [_row(r) for r in await cur.fetchall()]


@dataclass(frozen=True)
class Answers:
    """The form's answers that the list does not show, for the detail page."""

    education: str | None
    employment: str | None
    motivation: str | None
    consent_at: datetime | None
    guardian_name: str | None = None  # a minor's parent or guardian, as the applicant gave them
    guardian_phone: str | None = None
    guardian_confirmed_at: datetime | None = None


async def answers(tx: aiosqlite.Connection, application_id: int) -> Answers | None:
    async with tx.execute(
        "SELECT education, employment, motivation, consent_at, guardian_name, guardian_phone, guardian_confirmed_at"
        " FROM applications WHERE id = ?",
        (application_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    consent = from_db(row["consent_at"]) if row["consent_at"] else None
    confirmed = from_db(row["guardian_confirmed_at"]) if row["guardian_confirmed_at"] else None
    return Answers(
        row["education"],
        row["employment"],
        row["motivation"],
        consent,
        row["guardian_name"],
        row["guardian_phone"],
        confirmed,
    )


@dataclass(frozen=True)
class Duplicate:
    id: int
    reference: str
    status: str


async def duplicates(tx: aiosqlite.Connection, application_id: int) -> list[Duplicate]:
    """The other applications with the same phone, or the same name and birth date (the mark's reason)."""
    async with tx.execute(
        "SELECT d.id, d.reference, d.status FROM applications a JOIN applications d ON d.reference <> a.reference"
        " AND ((a.phone IS NOT NULL AND d.phone = a.phone)"
        " OR (a.full_name IS NOT NULL AND a.birth_date IS NOT NULL"
        " AND d.full_name = a.full_name COLLATE NOCASE AND d.birth_date = a.birth_date))"
        " WHERE a.id = ? ORDER BY d.created_at DESC, d.id DESC",
        (application_id,),
    ) as cur:
        return [Duplicate(r["id"], r["reference"], r["status"]) for r in await cur.fetchall()]


async def latest_id(tx: aiosqlite.Connection) -> int:
    """The newest application's row id (0 for none): a change of it says new applications came in."""
    async with tx.execute("SELECT max(id) FROM applications") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def sources(tx: aiosqlite.Connection) -> list[str]:
    """The deep-link campaigns applicants came from, for the source filter."""
    async with tx.execute(
        "SELECT DISTINCT source FROM applications WHERE source IS NOT NULL AND source <> '' ORDER BY source"
    ) as cur:
        return [r[0] for r in await cur.fetchall()]
