"""Aggregate figures for the console's start page: counts only, never a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import fetch_all
from storage.timefmt import to_db


@dataclass(frozen=True)
class ProgrammeFigures:
    code: str
    title_sq: str
    title_sr: str
    title_en: str
    status: str
    total: int
    this_week: int


async def by_programme_and_status(conn: aiosqlite.Connection, week_start: datetime) -> list[ProgrammeFigures]:
    rows = await fetch_all(
        conn,
        "SELECT p.code, p.title_sq, p.title_sr, p.title_en, a.status, COUNT(*) AS total,"
        " SUM(a.created_at >= ?) AS this_week"
        " FROM applications a JOIN programmes p ON p.id = a.programme_id"
        " GROUP BY p.id, a.status ORDER BY p.position, p.code, a.status",
        (to_db(week_start),),
    )
    return [
        ProgrammeFigures(
            r["code"],
            r["title_sq"],
            r["title_sr"],
            r["title_en"],
            r["status"],
            int(r["total"]),
            int(r["this_week"] or 0),
        )
        for r in rows
    ]
