"""Job and internship openings, and the people interested in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import fetch_count, inserted_id, joined_text
from storage.timefmt import from_db, to_db

KINDS = ("job", "internship")


@dataclass(frozen=True)
class NewOpening:
    kind: str
    title: str
    employer: str
    description: str
    municipality: str | None  # None when remote
    tracks: tuple[str, ...]
    deadline: date
    apply_how: str

    @property
    def remote(self) -> bool:
        return self.municipality is None


@dataclass(frozen=True)
class Opening(NewOpening):
    id: int = 0
    status: str = "open"
    created_at: datetime | None = None

    def is_open_on(self, today: date) -> bool:
        """Open and its deadline (the last day to apply) not yet past."""
        return self.status == "open" and self.deadline >= today


_SELECT = (
    f"SELECT o.*, (SELECT {joined_text('t.track')} FROM opening_tracks t WHERE t.opening_id = o.id) AS tracks"
    " FROM openings o"
)


def _opening(row: aiosqlite.Row) -> Opening:
    return Opening(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        employer=row["employer"],
        description=row["description"],
        municipality=None if row["remote"] else row["municipality"],
        tracks=tuple(sorted(row["tracks"].split(","))) if row["tracks"] else (),
        deadline=date.fromisoformat(row["deadline"]),
        apply_how=row["apply_how"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
    )


async def create(conn: aiosqlite.Connection, new: NewOpening, created_by: int | None, now: datetime) -> Opening:
    if new.kind not in KINDS:
        raise ValueError(f"unknown kind {new.kind!r}")
    cur = await conn.execute(
        "INSERT INTO openings(kind, title, employer, description, municipality, remote, deadline,"
        " apply_how, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.kind,
            new.title,
            new.employer,
            new.description,
            new.municipality,
            int(new.remote),
            new.deadline.isoformat(),
            new.apply_how,
            created_by,
            to_db(now),
        ),
    )
    opening_id = inserted_id(cur)
    await conn.executemany(
        "INSERT INTO opening_tracks(opening_id, track) VALUES (?, ?)", [(opening_id, t) for t in set(new.tracks)]
    )
    opening = await get(conn, opening_id)
    assert opening is not None
    return opening


async def get(conn: aiosqlite.Connection, opening_id: int) -> Opening | None:
    rows = list(await conn.execute_fetchall(f"{_SELECT} WHERE o.id = ?", (opening_id,)))
    return _opening(rows[0]) if rows else None


def _open_filter(today: date, kind: str | None, track: str | None) -> tuple[str, list[object]]:
    sql = " WHERE o.status = 'open' AND o.deadline >= ?"
    params: list[object] = [today.isoformat()]
    if kind is not None:
        sql += " AND o.kind = ?"
        params.append(kind)
    if track is not None:
        sql += " AND EXISTS (SELECT 1 FROM opening_tracks t WHERE t.opening_id = o.id AND t.track = ?)"
        params.append(track)
    return sql, params


async def list_open(
    conn: aiosqlite.Connection,
    today: date,
    kind: str | None = None,
    track: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Opening]:
    """Openings still taking applications, newest first."""
    where, params = _open_filter(today, kind, track)
    async with conn.execute(
        f"{_SELECT}{where} ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?", (*params, limit, offset)
    ) as cur:
        return [_opening(row) for row in await cur.fetchall()]


async def count_open(conn: aiosqlite.Connection, today: date, kind: str | None = None, track: str | None = None) -> int:
    where, params = _open_filter(today, kind, track)
    return await fetch_count(conn, f"SELECT count(*) FROM openings o{where}", params)


async def close(conn: aiosqlite.Connection, opening_id: int, now: datetime) -> bool:
    """Close an open opening; False when it was closed already (or does not exist)."""
    cur = await conn.execute(
        "UPDATE openings SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
        (to_db(now), opening_id),
    )
    return cur.rowcount == 1


async def find_same(conn: aiosqlite.Connection, title: str, employer: str, deadline: date) -> int | None:
    """An open opening with this title, employer and deadline (an import run twice)."""
    async with conn.execute(
        "SELECT id FROM openings WHERE status = 'open' AND title = ? AND employer = ? AND deadline = ?",
        (title, employer, deadline.isoformat()),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else None


async def add_interest(conn: aiosqlite.Connection, opening_id: int, user_id: int, now: datetime) -> bool:
    """Record that a person is interested; False when they had said so already."""
    cur = await conn.execute(
        "INSERT INTO opening_interest(opening_id, user_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT(opening_id, user_id) DO NOTHING",
        (opening_id, user_id, to_db(now)),
    )
    return cur.rowcount == 1


async def interest_since(conn: aiosqlite.Connection, opening_id: int, user_id: int) -> datetime | None:
    async with conn.execute(
        "SELECT created_at FROM opening_interest WHERE opening_id = ? AND user_id = ?", (opening_id, user_id)
    ) as cur:
        row = await cur.fetchone()
    return from_db(row[0]) if row else None


async def interest_count(conn: aiosqlite.Connection, opening_id: int) -> int:
    return await fetch_count(conn, "SELECT count(*) FROM opening_interest WHERE opening_id = ?", (opening_id,))


async def update(conn: aiosqlite.Connection, opening_id: int, new: NewOpening) -> bool:
    """Replace an open opening's texts, place, tracks and deadline; False when it is closed or unknown."""
    if new.kind not in KINDS:
        raise ValueError(f"unknown kind {new.kind!r}")
    cur = await conn.execute(
        "UPDATE openings SET kind = ?, title = ?, employer = ?, description = ?, municipality = ?, remote = ?,"
        " deadline = ?, apply_how = ? WHERE id = ? AND status = 'open'",
        (
            new.kind,
            new.title,
            new.employer,
            new.description,
            new.municipality,
            int(new.remote),
            new.deadline.isoformat(),
            new.apply_how,
            opening_id,
        ),
    )
    if cur.rowcount != 1:
        return False
    await conn.execute("DELETE FROM opening_tracks WHERE opening_id = ?", (opening_id,))
    await conn.executemany(
        "INSERT INTO opening_tracks(opening_id, track) VALUES (?, ?)", [(opening_id, t) for t in set(new.tracks)]
    )
    return True


@dataclass(frozen=True)
class ListedOpening:
    opening: Opening
    interested: int


async def list_all(conn: aiosqlite.Connection, limit: int = 200) -> list[ListedOpening]:
    """Every opening, open or closed, newest first, with how many people said they are interested."""
    async with conn.execute(
        f"SELECT o2.*, (SELECT count(*) FROM opening_interest i WHERE i.opening_id = o2.id) AS interested"
        f" FROM ({_SELECT}) o2 ORDER BY o2.created_at DESC, o2.id DESC LIMIT ?",
        (limit,),
    ) as cur:
        return [ListedOpening(_opening(row), row["interested"]) for row in await cur.fetchall()]


@dataclass(frozen=True)
class InterestedPerson:
    """Someone who pressed "I'm interested", with the contact details of their latest application."""

    user_id: int
    display_name: str | None
    channel: str
    language: str | None
    full_name: str | None
    phone: str | None
    email: str | None
    municipality: str | None
    since: datetime


async def interested(conn: aiosqlite.Connection, opening_id: int) -> list[InterestedPerson]:
    """The people interested in an opening, first to say so first."""
    async with conn.execute(
        "SELECT u.id, u.display_name, u.channel, u.language, i.created_at, a.full_name, a.phone, a.email,"
        " a.municipality FROM opening_interest i JOIN users u ON u.id = i.user_id"
        " LEFT JOIN applications a ON a.id = (SELECT max(a2.id) FROM applications a2 WHERE a2.user_id = u.id)"
        " WHERE i.opening_id = ? ORDER BY i.created_at, u.id",
        (opening_id,),
    ) as cur:
        return [
            InterestedPerson(
                user_id=row[0],
                display_name=row[1],
                channel=row[2],
                language=row[3],
                since=from_db(row[4]),
                full_name=row[5],
                phone=row[6],
                email=row[7],
                municipality=row[8],
            )
            for row in await cur.fetchall()
        ]
