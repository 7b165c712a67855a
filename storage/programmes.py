"""The programme catalogue, synchronised from the staff-edited data file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import aiosqlite

from storage.db import fetch_all, fetch_one


@dataclass(frozen=True)
class Programme:
    id: int
    code: str
    kind: str
    titles: dict[str, str]  # language code ('sq', 'sr', 'en') -> title
    is_open: bool
    position: int
    short_titles: dict[str, str] = field(default_factory=dict)  # for buttons; may be empty

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]

    def short_title(self, language: str) -> str:
        """The button title: the short one when the file gives it, else the full title."""
        return self.short_titles.get(language) or self.title(language)


@dataclass(frozen=True)
class ProgrammeRecord:
    """One programme as written in the data file."""

    code: str
    kind: str
    title_sq: str
    title_sr: str
    title_en: str
    is_open: bool
    short_sq: str = ""
    short_sr: str = ""
    short_en: str = ""


def _programme(row: aiosqlite.Row) -> Programme:
    return Programme(
        id=row["id"],
        code=row["code"],
        kind=row["kind"],
        titles={"sq": row["title_sq"], "sr": row["title_sr"], "en": row["title_en"]},
        is_open=bool(row["is_open"]),
        position=row["position"],
        short_titles={"sq": row["short_sq"], "sr": row["short_sr"], "en": row["short_en"]},
    )


async def sync(conn: aiosqlite.Connection, records: Iterable[ProgrammeRecord]) -> None:
    """Make the table match the file. Programmes gone from the file are closed, not deleted,
    because applications refer to them."""
    codes = []
    for position, rec in enumerate(records):
        codes.append(rec.code)
        await conn.execute(
            "INSERT INTO programmes(code, kind, title_sq, title_sr, title_en, is_open, position,"
            " short_sq, short_sr, short_en)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(code) DO UPDATE SET kind = excluded.kind, title_sq = excluded.title_sq,"
            " title_sr = excluded.title_sr, title_en = excluded.title_en,"
            " is_open = excluded.is_open, position = excluded.position,"
            " short_sq = excluded.short_sq, short_sr = excluded.short_sr, short_en = excluded.short_en",
            (
                rec.code,
                rec.kind,
                rec.title_sq,
                rec.title_sr,
                rec.title_en,
                int(rec.is_open),
                position,
                rec.short_sq,
                rec.short_sr,
                rec.short_en,
            ),
        )
    placeholders = ",".join("?" * len(codes))
    await conn.execute(f"UPDATE programmes SET is_open = 0 WHERE code NOT IN ({placeholders})", codes)


async def list_all(conn: aiosqlite.Connection, only_open: bool = False) -> list[Programme]:
    sql = "SELECT * FROM programmes"
    if only_open:
        sql += " WHERE is_open = 1"
    return [_programme(row) for row in await fetch_all(conn, sql + " ORDER BY position, id")]


async def by_code(conn: aiosqlite.Connection, code: str) -> Programme | None:
    row = await fetch_one(conn, "SELECT * FROM programmes WHERE code = ?", (code,))
    return _programme(row) if row else None


async def by_id(conn: aiosqlite.Connection, programme_id: int) -> Programme | None:
    row = await fetch_one(conn, "SELECT * FROM programmes WHERE id = ?", (programme_id,))
    return _programme(row) if row else None
