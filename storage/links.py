"""One person, two channel accounts: link codes and moving records between accounts.

Every record that belongs to a person points at ``users.id``. Linking does not
add a second kind of owner: it moves the rows of one account onto the other in
one transaction, so foreign keys stay simple and every query keeps asking for
one user id. The tables to move are found in the schema itself (every foreign
key to ``users``), so tables added by later migrations follow automatically;
only the per-account bookkeeping in ``KEEP_WITH_ACCOUNT`` stays behind, and
pending outbox rows are re-addressed to the new account's chat.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import fetch_count
from storage.timefmt import from_db, to_db

# Letters and digits that cannot be mistaken for one another when read or typed.
CODE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"
CODE_LENGTH = 6

# Per-account state that must not move: the chat position, the account's own
# message history, and the linking bookkeeping itself.
KEEP_WITH_ACCOUNT = frozenset({"conversations", "outbox", "link_codes", "link_attempts"})


@dataclass(frozen=True)
class LinkCode:
    id: int
    code: str
    user_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class MoveResult:
    moved: dict[str, int]  # table -> rows now belonging to the target account
    readdressed: int  # pending outbox rows now going to the target's chat

    @property
    def total(self) -> int:
        return sum(self.moved.values())


class MoveConflict(Exception):
    """The two accounts hold records that cannot both belong to one person (nothing was changed).

    ``programmes`` names the trainings both applied to, when that is the reason.
    """

    def __init__(self, detail: str, programmes: list[str] | None = None) -> None:
        super().__init__(detail)
        self.programmes = programmes or []


def normalise_code(typed: str) -> str | None:
    """A typed code in its stored form (upper case, no spaces or dashes); None if it cannot be one."""
    code = "".join(ch for ch in typed.upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


async def issue(conn: aiosqlite.Connection, user_id: int, now: datetime, expires_at: datetime) -> str:
    """A fresh code for the account; its earlier unused codes stop working."""
    await conn.execute("DELETE FROM link_codes WHERE user_id = ? AND used_at IS NULL", (user_id,))
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        async with conn.execute("SELECT 1 FROM link_codes WHERE code = ? AND used_at IS NULL", (code,)) as cur:
            if await cur.fetchone() is None:
                break
    await conn.execute(
        "INSERT INTO link_codes(code, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (code, user_id, to_db(now), to_db(expires_at)),
    )
    return code


async def find(conn: aiosqlite.Connection, code: str) -> LinkCode | None:
    """The newest code with this text (an unused one before used ones)."""
    async with conn.execute(
        "SELECT * FROM link_codes WHERE code = ? ORDER BY used_at IS NOT NULL, id DESC LIMIT 1", (code,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return LinkCode(
        id=row["id"],
        code=row["code"],
        user_id=row["user_id"],
        expires_at=from_db(row["expires_at"]),
        used_at=from_db(row["used_at"]) if row["used_at"] else None,
    )


async def mark_used(conn: aiosqlite.Connection, code_id: int, by_user_id: int, now: datetime) -> bool:
    """Use the code once; False when it was used meanwhile."""
    cur = await conn.execute(
        "UPDATE link_codes SET used_at = ?, used_by_user_id = ? WHERE id = ? AND used_at IS NULL",
        (to_db(now), by_user_id, code_id),
    )
    return cur.rowcount == 1


async def record_failure(conn: aiosqlite.Connection, user_id: int, now: datetime, keep_since: datetime) -> None:
    await conn.execute("DELETE FROM link_attempts WHERE at < ?", (to_db(keep_since),))
    await conn.execute("INSERT INTO link_attempts(user_id, at) VALUES (?, ?)", (user_id, to_db(now)))


async def failures_since(conn: aiosqlite.Connection, user_id: int, since: datetime) -> int:
    return await fetch_count(
        conn, "SELECT count(*) FROM link_attempts WHERE user_id = ? AND at >= ?", (user_id, to_db(since))
    )


async def shared_programmes(conn: aiosqlite.Connection, user_a: int, user_b: int) -> list[str]:
    """Programme codes both accounts applied to (a person has one application per programme)."""
    async with conn.execute(
        "SELECT p.code FROM applications a JOIN applications b ON a.programme_id = b.programme_id"
        " JOIN programmes p ON p.id = a.programme_id WHERE a.user_id = ? AND b.user_id = ? ORDER BY p.code",
        (user_a, user_b),
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def _owned_columns(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to users.id, except per-account bookkeeping."""
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ) as cur:
        tables = [row[0] for row in await cur.fetchall()]
    found = []
    for table in tables:
        if table in KEEP_WITH_ACCOUNT:
            continue
        async with conn.execute('SELECT "from", "table", "to" FROM pragma_foreign_key_list(?)', (table,)) as cur:
            for column, target, target_column in await cur.fetchall():
                if target == "users" and target_column in (None, "id"):
                    found.append((table, column))
    return found


def _quoted(identifier: str) -> str:
    """A schema name as an SQL identifier (names come from sqlite_master, never from users)."""
    return '"' + identifier.replace('"', '""') + '"'


async def move_records(
    conn: aiosqlite.Connection, source_id: int, target_id: int, target_channel: str, target_chat_id: str
) -> MoveResult:
    """Move everything the source account owns to the target, all or nothing.

    Raises MoveConflict (and changes nothing) when both accounts applied to the
    same programme or another unique rule would be broken.
    """
    shared = await shared_programmes(conn, source_id, target_id)
    if shared:
        raise MoveConflict("both accounts applied to " + ", ".join(shared), shared)
    await conn.execute("SAVEPOINT move_records")
    try:
        moved: dict[str, int] = {}
        for table, column in await _owned_columns(conn):
            cur = await conn.execute(
                f"UPDATE {_quoted(table)} SET {_quoted(column)} = ? WHERE {_quoted(column)} = ?",
                (target_id, source_id),
            )
            if cur.rowcount:
                moved[table] = moved.get(table, 0) + cur.rowcount
        cur = await conn.execute(
            "UPDATE outbox SET user_id = ?, channel = ?, chat_id = ? WHERE user_id = ? AND status = 'pending'",
            (target_id, target_channel, target_chat_id, source_id),
        )
        readdressed = cur.rowcount
        await conn.execute(
            "UPDATE users SET source = (SELECT source FROM users WHERE id = ?) WHERE id = ? AND source IS NULL",
            (source_id, target_id),
        )
    except sqlite3.IntegrityError as exc:
        await conn.execute("ROLLBACK TO move_records")
        await conn.execute("RELEASE move_records")
        raise MoveConflict(str(exc)) from exc
    await conn.execute("RELEASE move_records")
    return MoveResult(moved, readdressed)
