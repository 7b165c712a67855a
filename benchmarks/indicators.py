"""Benchmark: the console's indicators page over 50,000 applications and 5,000 trainees.

    .venv/bin/python -m benchmarks.indicators [--applications 50000] [--trainees 5000] [--repeats 30]

Seeds a fresh SQLite database: ``--applications`` applications over a year (five
programmes, seven municipalities), ``--trainees`` of them enrolled in cohorts (60 %
completed, 10 % dropped out), a 3-month survey invitation for every graduate with
half of them answered (employment status and ICT), and one funnel start per
application with the steps it reached. Then a signed-in viewer asks for
``GET /indicators`` through the real app (routes, guard, templates, SVG charts) in
process, for the whole time and for one quarter. Reports p50 and p99 in
milliseconds; target p99 < 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
from bot.runtime import open_runtime  # noqa: E402
from bot.services import application_days  # noqa: E402
from bot.services.staff import Role  # noqa: E402
from storage import programmes  # noqa: E402
from storage.timefmt import to_db  # noqa: E402
from tests.support.console import client, make_account, sign_in  # noqa: E402

MUNICIPALITIES = ["prishtine", "prizren", "peje", "gjakove", "ferizaj", "gjilan", "mitrovice"]
STEPS = ["programme", "full_name", "birth_date", "gender", "municipality", "phone", "email", "education",
         "employment", "motivation", "heard_from", "consent", "_summary"]  # fmt: skip
EMPLOYMENT = ["employed_full_time", "internship", "looking", "studying", "self_employed"]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _seed(conn: object, count: int, trainees: int, rng: random.Random) -> None:
    import aiosqlite

    assert isinstance(conn, aiosqlite.Connection)
    codes = [p.code for p in await programmes.list_all(conn)][:5]
    ids = [(await programmes.by_code(conn, c)).id for c in codes]  # type: ignore[union-attr]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stamp = to_db(start)
    await conn.executemany(
        "INSERT INTO applications(reference, programme_id, status, full_name, birth_date, birth_year, gender,"
        " municipality, phone, education, employment, motivation, language, consent_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'secondary', 'unemployed', 'To learn.', 'sq', ?, ?)",
        [
            (
                f"YB-26-{i:06d}", ids[i % len(ids)], "accepted" if i < trainees else "submitted", f"Person {i}",
                f"{1997 + rng.randrange(13)}-0{1 + rng.randrange(9)}-1{rng.randrange(10)}", 1997 + rng.randrange(13),
                rng.choice(["female", "male", "undisclosed"]), rng.choice(MUNICIPALITIES), f"+38344{i:06d}",
                to_db(start + timedelta(minutes=10 * i)), to_db(start + timedelta(minutes=10 * i)),
            )
            for i in range(count)
        ],
    )  # fmt: skip
    for n, programme_id in enumerate(ids):
        await conn.execute(
            "INSERT INTO cohorts(programme_id, code, name, graduates_on, created_at) VALUES (?, ?, ?, ?, ?)",
            (programme_id, f"bench-{n}", f"Bench {n}", "2026-06-30", stamp),
        )
    await conn.execute(
        "INSERT INTO enrolments(cohort_id, application_id, status, enrolled_at)"
        " SELECT c.id, a.id, CASE WHEN a.id % 10 < 6 THEN 'completed' WHEN a.id % 10 = 6 THEN 'dropped'"
        " ELSE 'enrolled' END, ? FROM applications a JOIN cohorts c ON c.programme_id = a.programme_id"
        " WHERE a.status = 'accepted'",
        (stamp,),
    )
    due, expires = to_db(datetime(2026, 9, 30, 8, tzinfo=UTC)), to_db(datetime(2026, 10, 30, 8, tzinfo=UTC))
    await conn.execute(
        "INSERT INTO survey_invitations(survey_id, wave, enrolment_id, due_at, expires_at, status, created_at)"
        " SELECT 'employment-followup', 'm3', id, ?, ?, CASE WHEN id % 2 = 0 THEN 'completed' ELSE 'expired' END, ?"
        " FROM enrolments WHERE status = 'completed'",
        (due, expires, stamp),
    )
    async with conn.execute("SELECT id FROM survey_invitations WHERE status = 'completed'") as cur:
        answered = [row[0] for row in await cur.fetchall()]
    answers = []
    for invitation in answered:
        answers.append((invitation, "employment_status", json.dumps(rng.choice(EMPLOYMENT)), stamp))
        answers.append((invitation, "job_in_ict", json.dumps(rng.choice(["yes", "no"])), stamp))
    await conn.executemany(
        "INSERT INTO survey_answers(invitation_id, question_id, value, answered_at) VALUES (?, ?, ?, ?)", answers
    )
    await conn.executemany(
        "INSERT INTO apply_funnel(id, token, started_on, submitted) VALUES (?, ?, ?, ?)",
        [
            (i + 1, f"{i:032x}", (date(2026, 1, 1) + timedelta(days=i * 365 // count)).isoformat(), 1)
            for i in range(count)
        ],
    )
    await conn.executemany(
        "INSERT INTO apply_funnel_steps(funnel_id, step) VALUES (?, ?)",
        [(i + 1, step) for i in range(count) for step in STEPS[: 3 + rng.randrange(len(STEPS) - 2)]],
    )
    await conn.execute(
        "INSERT INTO apply_funnel_daily(started_on, step, reached) SELECT f.started_on, s.step, COUNT(*)"
        " FROM apply_funnel_steps s JOIN apply_funnel f ON f.id = s.funnel_id GROUP BY f.started_on, s.step"
        " UNION ALL SELECT started_on, '_started', COUNT(*) FROM apply_funnel GROUP BY started_on"
        " UNION ALL SELECT started_on, '_submitted', SUM(submitted) FROM apply_funnel GROUP BY started_on"
    )


async def _measure(applications: int, trainees: int, repeats: int) -> list[Figure]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings(environ={}, env_file=None), database_path=Path(folder) / "bench.sqlite3")
        async with open_runtime(settings) as runtime:
            async with runtime.db.transaction() as tx:
                await _seed(tx, applications, trainees, rng)
            await application_days.fill_missing(runtime.db, settings.timezone)  # as the bot stores them
            async with runtime.db.transaction() as tx:
                await tx.execute("ANALYZE")
            await make_account(runtime, Role.VIEWER)
            timings: dict[str, list[float]] = {"all": [], "quarter": []}
            async with client(runtime) as http:
                await sign_in(http, "viewer@example.org")
                for _ in range(repeats):
                    for name, query in (("all", ""), ("quarter", "?from=2026-04-01&to=2026-06-30")):
                        t0 = time.perf_counter()
                        response = await http.get("/indicators" + query)
                        timings[name].append((time.perf_counter() - t0) * 1000)
                        assert response.status_code == 200 and response.text.count("<svg") >= 5
    figures = []
    for name, label in (("all", "all time"), ("quarter", "one quarter")):
        values = timings[name]
        p99 = _p(values, 0.99)
        figures.append(Figure(f"Indicators page, {label}, p50", statistics.median(values), "ms"))
        figures.append(Figure(f"Indicators page, {label}, p99", p99, "ms", "< 300 ms", p99 < 300))
    return figures


def run(quick: bool) -> list[Figure]:
    if quick:
        return asyncio.run(_measure(600, 60, 3))
    return asyncio.run(_measure(50_000, 5_000, 30))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--trainees", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    for figure in asyncio.run(_measure(args.applications, args.trainees, args.repeats)):
        print(f"{figure.name}: {figure.shown_value()} {figure.target}")


if __name__ == "__main__":
    main()
