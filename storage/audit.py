"""The audit trail: appended to, read with filters, never changed (triggers refuse it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    staff_id: int | None
    staff_email: str | None
    action: str
    target_kind: str | None
    target_id: str | None
    detail: Mapping[str, object]


@dataclass(frozen=True)
class AuditFilter:
    staff_id: int | None = None
    action: str | None = None
    date_from: datetime | None = None  # inclusive
    date_to: datetime | None = None  # exclusive


async def append(
    conn: aiosqlite.Connection,
    *,
    at: datetime,
    staff_id: int | None,
    action: str,
    target_kind: str | None,
    target_id: str | None,
    detail: Mapping[str, object],
) -> None:
    await conn.execute(
        "INSERT INTO audit_log(at, staff_id, action, target_kind, target_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (
            to_db(at),
            staff_id,
            action,
            target_kind,
            target_id,
            json.dumps(dict(detail), ensure_ascii=False, default=str),
        ),
    )


def _where(f: AuditFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if f.staff_id is not None:
        clauses.append("l.staff_id = ?")
        params.append(f.staff_id)
    if f.action:
        clauses.append("l.action = ?")
        params.append(f.action)
    if f.date_from is not None:
        clauses.append("l.at >= ?")
        params.append(to_db(f.date_from))
    if f.date_to is not None:
        clauses.append("l.at < ?")
        params.append(to_db(f.date_to))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _entry(row: aiosqlite.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=from_db(row["at"]),
        staff_id=row["staff_id"],
        staff_email=row["email"],
        action=row["action"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        detail=json.loads(row["detail"]),
    )


async def search(
    conn: aiosqlite.Connection, f: AuditFilter, *, limit: int | None = 100, offset: int = 0
) -> list[AuditEntry]:
    """Entries matching the filter, newest first; ``limit=None`` for all (the export)."""
    where, params = _where(f)
    sql = (
        "SELECT l.*, a.email FROM audit_log l LEFT JOIN staff_accounts a ON a.id = l.staff_id"
        f"{where} ORDER BY l.at DESC, l.id DESC"
    )
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [_entry(r) for r in await fetch_all(conn, sql, params)]


async def count(conn: aiosqlite.Connection, f: AuditFilter) -> int:
    where, params = _where(f)
    row = await fetch_one(conn, f"SELECT COUNT(*) FROM audit_log l{where}", params)
    return int(row[0]) if row else 0


async def actions(conn: aiosqlite.Connection) -> list[str]:
    """The actions recorded so far, for the filter's choices."""
    return [r[0] for r in await fetch_all(conn, "SELECT DISTINCT action FROM audit_log ORDER BY action")]


async def latest_on(conn: aiosqlite.Connection, action: str, target_kind: str, target_id: str) -> AuditEntry | None:
    """The newest entry of one action on one target (e.g. when a person was erased)."""
    row = await fetch_one(
        conn,
        "SELECT l.*, a.email FROM audit_log l LEFT JOIN staff_accounts a ON a.id = l.staff_id"
        " WHERE l.action = ? AND l.target_kind = ? AND l.target_id = ? ORDER BY l.at DESC, l.id DESC LIMIT 1",
        (action, target_kind, target_id),
    )
    return _entry(row) if row else None
