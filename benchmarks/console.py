"""Benchmark: the staff console's applications over 50,000 rows.

    .venv/bin/python -m benchmarks.console [--applications 50000] [--export 10000]

Seeds a fresh SQLite database with ``--applications`` applications (five
programmes, every status, spread over a year, one in fifty a duplicate), then
measures the server-side work of the console's pages through the service and
storage functions the routes call (the console's applications routes are not
in place yet, so no HTTP is included):

* the list: page 1 with three filters (programme, status, gender) and a name
  search, and the total count, varied over the queries;
* the detail page: the application, its status history and its notes;
* the CSV export of ``--export`` rows (one programme's worth).

Reports p50 and p99 in milliseconds; targets: list and detail p99 < 100 ms,
export < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import Figure  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.reports import application_export  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from storage import (  # noqa: E402
    application_lifecycle,
    application_search,
    programmes,
    trainees,
)
from storage.application_search import ApplicationFilter, search  # noqa: E402
from storage.timefmt import to_db  # noqa: E402

FIRST = ["Arta", "Besnik", "Drita", "Era", "Fatos", "Jovan", "Milica", "Luan", "Vesa", "Ardit", "Nora", "Petar"]
LAST = ["Krasniqi", "Gashi", "Berisha", "Hoxha", "Morina", "Petrović", "Jovanović", "Shala", "Bytyqi", "Kelmendi"]
STATUSES = ["submitted"] * 6 + ["shortlisted", "accepted", "waitlisted", "rejected", "withdrawn"]
MUNICIPALITIES = ["prishtine", "prizren", "peje", "gjakove", "ferizaj", "gjilan", "mitrovice"]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _seed(conn: object, count: int, rng: random.Random) -> list[str]:
    import aiosqlite

    assert isinstance(conn, aiosqlite.Connection)
    codes = [p.code for p in await programmes.list_all(conn)][:5]
    ids = {c: (await programmes.by_code(conn, c)).id for c in codes}  # type: ignore[union-attr]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    references = []
    for i in range(count):
        dup = i % 50 == 1
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i if not dup else i - 1}"
        phone = f"+38344{(i - 1 if dup else i):06d}"
        created = start + timedelta(minutes=10 * i)
        birth = date(1997 + rng.randrange(13), 1 + rng.randrange(12), 1 + rng.randrange(28)).isoformat()
        ref = f"YB-26-{i:06d}"
        references.append(ref)
        rows.append(
            (
                ref, ids[codes[i % len(codes)]], rng.choice(STATUSES), name, birth, int(birth[:4]),
                rng.choice(["female", "male"]), rng.choice(MUNICIPALITIES), phone, "secondary", "unemployed",
                "I want to learn programming.", rng.choice(["friends", "school", "facebook", None]),
                rng.choice(["fb-autumn", "school-tour", None]), "sq", to_db(created), to_db(created),
            )
        )  # fmt: skip
    await conn.executemany(
        "INSERT INTO applications(reference, programme_id, status, full_name, birth_date, birth_year, gender,"
        " municipality, phone, education, employment, motivation, heard_from, source, language, consent_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return references


async def _measure(applications: int, export_rows: int, repeats: int) -> list[Figure]:
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings(environ={}, env_file=None), database_path=Path(folder) / "bench.sqlite3")
        async with open_runtime(settings) as runtime:
            async with runtime.db.transaction() as tx:
                references = await _seed(tx, applications, rng)
                codes = [p.code for p in await programmes.list_all(tx)][:5]
                await tx.execute("ANALYZE")
            list_ms: list[float] = []
            detail_ms: list[float] = []
            async with runtime.db.reading() as conn:
                for i in range(repeats):
                    f = ApplicationFilter(
                        programme=codes[i % len(codes)],
                        status=STATUSES[i % len(STATUSES)],
                        gender=("female", "male")[i % 2],
                        search=LAST[i % len(LAST)][:5],
                    )
                    t0 = time.perf_counter()
                    await search(conn, f, page=1, today=date(2026, 12, 1))
                    list_ms.append((time.perf_counter() - t0) * 1000)
                    ref = rng.choice(references)
                    t0 = time.perf_counter()
                    found = await trainees.applicant(conn, ref)
                    assert found is not None
                    await application_search.one(conn, ref)
                    await application_lifecycle.history(conn, found.application_id)
                    await application_lifecycle.notes(conn, found.application_id)
                    detail_ms.append((time.perf_counter() - t0) * 1000)
                # One programme's worth of rows, cut to the requested size by date.
                f = ApplicationFilter(programme=codes[0])
                days = max(1, export_rows * len(codes) * 10 // (60 * 24))
                f = replace(f, date_from=date(2026, 1, 1), date_to=date(2026, 1, 1) + timedelta(days=days - 1))
                t0 = time.perf_counter()
                _data, exported = await application_export.csv_bytes(conn, f)
                export_s = time.perf_counter() - t0
    return [
        Figure("Console: list, 3 filters + search, p50", statistics.median(list_ms), "ms"),
        Figure("Console: list, 3 filters + search, p99", _p(list_ms, 0.99), "ms", "< 100 ms", _p(list_ms, 0.99) < 100),
        Figure("Console: detail, p50", statistics.median(detail_ms), "ms"),
        Figure("Console: detail, p99", _p(detail_ms, 0.99), "ms", "< 100 ms", _p(detail_ms, 0.99) < 100),
        Figure(f"Console: CSV export of {exported:,} rows", export_s, "s", "< 2 s", export_s < 2),
    ]


def run(quick: bool) -> list[Figure]:
    if quick:
        return asyncio.run(_measure(600, 100, 10))
    return asyncio.run(_measure(50_000, 10_000, 200))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--export", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    for figure in asyncio.run(_measure(args.applications, args.export, args.repeats)):
        print(f"{figure.name}: {figure.shown_value()} {figure.target}")


if __name__ == "__main__":
    main()
