"""Staff accounts, their one-time tokens, web sessions and failed sign-ins.

Tokens and session ids are handed to the caller in clear once; only their
SHA-256 is stored, so a copy of the database opens no account.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.connection import run
from storage.db import fetch_all, fetch_one, inserted_id
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class StaffRow:
    id: int
    email: str
    name: str
    role: str
    password_hash: str | None
    disabled: bool
    language: str
    telegram_id: int | None
    viber_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class SessionRow:
    id: int
    staff_id: int
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _staff(row: aiosqlite.Row) -> StaffRow:
    return StaffRow(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        password_hash=row["password_hash"],
        disabled=bool(row["disabled"]),
        language=row["language"],
        telegram_id=row["telegram_id"],
        viber_id=row["viber_id"],
        created_at=from_db(row["created_at"]),
    )


async def create(
    conn: aiosqlite.Connection, *, email: str, name: str, role: str, language: str, now: datetime
) -> StaffRow:
    stamp = to_db(now)
    cur = await conn.execute(
        "INSERT INTO staff_accounts(email, name, role, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        (email, name, role, language, stamp, stamp),
    )
    row = await get(conn, inserted_id(cur))
    assert row is not None
    return row


async def get(conn: aiosqlite.Connection, staff_id: int) -> StaffRow | None:
    row = await fetch_one(conn, "SELECT * FROM staff_accounts WHERE id = ?", (staff_id,))
    return _staff(row) if row else None


async def by_email(conn: aiosqlite.Connection, email: str) -> StaffRow | None:
    row = await fetch_one(conn, "SELECT * FROM staff_accounts WHERE email = ?", (email,))
    return _staff(row) if row else None


def by_chat_sync(raw: sqlite3.Connection, channel: str, platform_id: str) -> StaffRow | None:
    """``by_chat`` as plain sqlite3 calls, for a function that runs several look-ups in one hop."""
    if channel == "telegram":
        try:
            telegram_id = int(platform_id)
        except ValueError:
            return None
        row = raw.execute("SELECT * FROM staff_accounts WHERE telegram_id = ?", (telegram_id,)).fetchone()
    elif channel == "viber":
        row = raw.execute("SELECT * FROM staff_accounts WHERE viber_id = ?", (platform_id,)).fetchone()
    else:
        return None
    return _staff(row) if row else None


async def by_chat(conn: aiosqlite.Connection, channel: str, platform_id: str) -> StaffRow | None:
    """The account linked to a Telegram or Viber id, disabled or not."""
    return await run(conn, lambda raw: by_chat_sync(raw, channel, platform_id))


async def all_accounts(conn: aiosqlite.Connection) -> list[StaffRow]:
    return [_staff(r) for r in await fetch_all(conn, "SELECT * FROM staff_accounts ORDER BY email")]


async def update(conn: aiosqlite.Connection, staff_id: int, now: datetime, **fields: object) -> None:
    """Change the named columns (name, role, password_hash, disabled, language, telegram_id, viber_id)."""
    allowed = {"name", "role", "password_hash", "disabled", "language", "telegram_id", "viber_id"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not a staff column: {sorted(unknown)}")
    if not fields:
        return
    columns = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(
        f"UPDATE staff_accounts SET {columns}, updated_at = ? WHERE id = ?",
        (*fields.values(), to_db(now), staff_id),
    )


# One-time tokens


async def issue_token(
    conn: aiosqlite.Connection, staff_id: int, purpose: str, now: datetime, expires_at: datetime
) -> str:
    """A fresh token for the purpose; the account's earlier unused tokens of that purpose stop working."""
    await conn.execute(
        "DELETE FROM staff_tokens WHERE staff_id = ? AND purpose = ? AND used_at IS NULL", (staff_id, purpose)
    )
    token = new_token()
    await conn.execute(
        "INSERT INTO staff_tokens(token_hash, staff_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        (token_hash(token), staff_id, purpose, to_db(now), to_db(expires_at)),
    )
    return token


async def peek_token(conn: aiosqlite.Connection, token: str, purpose: str, now: datetime) -> int | None:
    """The account a valid, unused token belongs to, without using it up."""
    row = await fetch_one(
        conn,
        "SELECT staff_id FROM staff_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
        (token_hash(token), purpose, to_db(now)),
    )
    return int(row["staff_id"]) if row else None


async def use_token(conn: aiosqlite.Connection, token: str, purpose: str, now: datetime) -> int | None:
    """Use a valid token up and return its account; None when unknown, expired or used."""
    staff_id = await peek_token(conn, token, purpose, now)
    if staff_id is None:
        return None
    await conn.execute(
        "UPDATE staff_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", (to_db(now), token_hash(token))
    )
    return staff_id


# Web sessions


async def open_session(conn: aiosqlite.Connection, staff_id: int, now: datetime, expires_at: datetime) -> str:
    """Start a session; returns the id for the cookie (stored only hashed)."""
    session_id = new_token()
    stamp = to_db(now)
    await conn.execute(
        "INSERT INTO web_sessions(token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash(session_id), staff_id, secrets.token_urlsafe(32), stamp, stamp, to_db(expires_at)),
    )
    return session_id


async def find_session(conn: aiosqlite.Connection, session_id: str, now: datetime) -> SessionRow | None:
    """A live session: not revoked, not expired, of an account that is not disabled."""
    row = await fetch_one(
        conn,
        "SELECT s.id, s.staff_id, s.csrf_token, s.expires_at FROM web_sessions s"
        " JOIN staff_accounts a ON a.id = s.staff_id"
        " WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.disabled = 0",
        (token_hash(session_id), to_db(now)),
    )
    if row is None:
        return None
    return SessionRow(row["id"], row["staff_id"], row["csrf_token"], from_db(row["expires_at"]))


async def touch_session(conn: aiosqlite.Connection, session_row_id: int, now: datetime, expires_at: datetime) -> None:
    await conn.execute(
        "UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
        (to_db(now), to_db(expires_at), session_row_id),
    )


async def revoke_session(conn: aiosqlite.Connection, session_id: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE web_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        (to_db(now), token_hash(session_id)),
    )


async def revoke_all_sessions(conn: aiosqlite.Connection, staff_id: int, now: datetime) -> int:
    cur = await conn.execute(
        "UPDATE web_sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL", (to_db(now), staff_id)
    )
    return cur.rowcount


# Failed sign-ins


async def record_failure(conn: aiosqlite.Connection, email: str, address: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO sign_in_failures(email, address, at) VALUES (?, ?, ?)", (email, address, to_db(now))
    )


async def failures_since(conn: aiosqlite.Connection, email: str, address: str, since: datetime) -> tuple[int, int]:
    """(failures for this account, failures from this address) since the moment."""
    row = await fetch_one(
        conn,
        "SELECT (SELECT COUNT(*) FROM sign_in_failures WHERE email = ? AND at > ?),"
        " (SELECT COUNT(*) FROM sign_in_failures WHERE address = ? AND at > ?)",
        (email, to_db(since), address, to_db(since)),
    )
    assert row is not None
    return int(row[0]), int(row[1])


async def oldest_failure_since(
    conn: aiosqlite.Connection, email: str, address: str, since: datetime
) -> datetime | None:
    """The oldest failure in the window for the account or the address: the lock ends a window after it."""
    row = await fetch_one(
        conn,
        "SELECT MIN(at) FROM sign_in_failures WHERE (email = ? OR address = ?) AND at > ?",
        (email, address, to_db(since)),
    )
    return from_db(row[0]) if row and row[0] else None


async def clear_failures(conn: aiosqlite.Connection, email: str) -> None:
    await conn.execute("DELETE FROM sign_in_failures WHERE email = ?", (email,))
