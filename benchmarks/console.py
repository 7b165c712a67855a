"""Benchmark: the staff console's applications over 50,000 rows.

    .venv/bin/python -m benchmarks.console [--applications 50000] [--export 10000]

Seeds a fresh SQLite database with ``--applications`` applications (five
programmes, every status, spread over a year, one in fifty a duplicate), signs a
coordinator in, then requests the console's real starlette app through its HTTP
routes (httpx's ASGI transport, in process):

* ``GET /applications`` with three filters (programme, status, gender) and a name
  search: page 1 with the number of matches, varied over the requests;
* ``GET /applications/{id}``: the answers, duplicates, history, notes and the
  decision form of a random application;
* ``GET /applications.csv`` of ``--export`` rows (one programme's worth).

The time is the server's: from the request entering the ASGI app to the last
byte of its answer (session check, queries, templates included; the client's own
work excluded), after one unmeasured request of each page (the first request of a
process compiles the templates). Reports p50 and p99 in milliseconds; targets: list and detail
p99 < 100 ms, export < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks import Figure  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from bot.services import application_days, application_filters, staff  # noqa: E402
from bot.services.staff import Role  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from storage import programmes, trainees  # noqa: E402
from storage.application_search import ApplicationFilter  # noqa: E402
from storage.timefmt import to_db  # noqa: E402

FIRST = ["Arta", "Besnik", "Drita", "Era", "Fatos", "Jovan", "Milica", "Luan", "Vesa", "Ardit", "Nora", "Petar"]
LAST = ["Krasniqi", "Gashi", "Berisha", "Hoxha", "Morina", "Petrović", "Jovanović", "Shala", "Bytyqi", "Kelmendi"]
STATUSES = ["submitted"] * 6 + ["shortlisted", "accepted", "waitlisted", "rejected", "withdrawn"]
PASSWORD = "a long benchmark password"
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


class _Timed:
    """The console's ASGI app, timing each request from its start to the last byte of its answer:
    the server's own time (routing, session check, queries, templates), without the client's."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0
        self.last_cpu = 0.0  # the process's CPU time meanwhile (all threads: SQLite's too), load-independent

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        await self.app(scope, receive, send)
        self.last, self.last_cpu = time.perf_counter() - t0, time.process_time() - c0


async def _get(http: httpx.AsyncClient, timed: _Timed, path: str) -> tuple[float, httpx.Response]:
    response = await http.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return timed.last, response


async def _measure(applications: int, export_rows: int, repeats: int) -> list[Figure]:
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings(environ={}, env_file=None), database_path=Path(folder) / "bench.sqlite3")
        async with open_runtime(settings) as runtime:
            async with runtime.db.transaction() as tx:
                references = await _seed(tx, applications, rng)
                codes = [p.code for p in await programmes.list_all(tx)][:5]
                _member, token = await staff.add(
                    tx, email="bench@example.org", name="Bench", role=Role.COORDINATOR, language="en",
                    now=runtime.clock.now(),
                )  # fmt: skip
                await staff.set_password(tx, token, PASSWORD, now=runtime.clock.now())
            await application_days.fill_missing(runtime.db, settings.timezone)  # as the bot stores them
            async with runtime.db.transaction() as tx:
                await tx.execute("ANALYZE")
            async with runtime.db.reading() as conn:
                ids = [found.application_id for ref in rng.sample(references, min(repeats, len(references)))
                       if (found := await trainees.applicant(conn, ref)) is not None]  # fmt: skip
            timed = _Timed(create_app(runtime.db, runtime.settings, runtime.clock))
            transport = httpx.ASGITransport(app=timed)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
                signin = await http.get("/signin")
                csrf = re.search(r'name="csrf" value="([^"]+)"', signin.text)
                assert csrf is not None
                form = {"email": "bench@example.org", "password": PASSWORD, "csrf": csrf.group(1)}
                assert (await http.post("/signin", data=form)).status_code == 303
                # Warm-up, not measured: the first request of a process compiles the templates and loads the locale.
                await _get(http, timed, "/applications")
                await _get(http, timed, f"/applications/{ids[0]}")
                list_ms: list[float] = []
                detail_ms: list[float] = []
                list_cpu: list[float] = []
                detail_cpu: list[float] = []
                matches: list[int] = []
                for i in range(repeats):
                    f = ApplicationFilter(
                        programme=codes[i % len(codes)],
                        status=STATUSES[i % len(STATUSES)],
                        gender=("female", "male")[i % 2],
                        search=LAST[i % len(LAST)][:5],
                    )
                    seconds, page = await _get(http, timed, f"/applications?{application_filters.serialise(f)}")
                    list_ms.append(seconds * 1000)
                    list_cpu.append(timed.last_cpu * 1000)
                    found = re.search(r"(\d+) applications? match", page.text)
                    assert found is not None
                    matches.append(int(found.group(1)))
                    seconds, _page = await _get(http, timed, f"/applications/{ids[i % len(ids)]}")
                    detail_ms.append(seconds * 1000)
                    detail_cpu.append(timed.last_cpu * 1000)
                # One programme's worth of rows, cut to the requested size by date.
                days = max(1, export_rows * len(codes) * 10 // (60 * 24))
                f = ApplicationFilter(
                    programme=codes[0], date_from=date(2026, 1, 1), date_to=date(2026, 1, 1) + timedelta(days=days - 1)
                )
                export_s, exported = await _get(http, timed, f"/applications.csv?{application_filters.serialise(f)}")
                rows = exported.content.count(b"\r\n") - 1
    print(
        f"console: {applications:,} applications; list pages matched {min(matches)}-{max(matches)} rows"
        f" (median {statistics.median(matches):.0f}); times are the server's, through the HTTP routes",
        file=sys.stderr,
    )
    return [
        Figure("Console: list, 3 filters + search, p50", statistics.median(list_ms), "ms"),
        Figure("Console: list, 3 filters + search, p99", _p(list_ms, 0.99), "ms", "< 100 ms", _p(list_ms, 0.99) < 100),
        Figure("Console: list, CPU per request, p50", statistics.median(list_cpu), "ms"),
        Figure("Console: list, CPU per request, p99", _p(list_cpu, 0.99), "ms"),
        Figure("Console: detail, p50", statistics.median(detail_ms), "ms"),
        Figure("Console: detail, p99", _p(detail_ms, 0.99), "ms", "< 100 ms", _p(detail_ms, 0.99) < 100),
        Figure("Console: detail, CPU per request, p50", statistics.median(detail_cpu), "ms"),
        Figure("Console: detail, CPU per request, p99", _p(detail_cpu, 0.99), "ms"),
        Figure(f"Console: CSV export of {rows:,} rows", export_s, "s", "< 2 s", export_s < 2),
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
