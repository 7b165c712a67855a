"""``youthbot schedule import``: per-row problems, all or nothing, re-import updates; and the other
training subcommands (cohort, accept, export attendance) as staff run them."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.services import reminders as reminder_plan
from bot.services.schedule_csv import ScheduleError, import_schedule
from storage import cohorts, sessions
from tests.support.training import make_applicant, make_cohort, outbox_rows, trainee, utc

GOOD = """cohort,start,end,place,online_url,topic
web-2027-1,15.03.2027 17:30,19:00,"Room 3, ICK, Prishtina",,Git basics
web-2027-1,2027-03-17 17:30,2027-03-17 19:30,,https://meet.example.org/web,Branches
web-2027-1,19.03.2027 09:00,12:00,Room 3,https://meet.example.org/web,
"""


def _file(tmp_path: Path, text: str, name: str = "schedule.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return path


async def _sessions(runtime: Runtime, code: str = "web-2027-1") -> list[sessions.Session]:
    async with runtime.db.reading() as conn:
        cohort = await cohorts.by_code(conn, code)
        assert cohort is not None
        return await sessions.of_cohort(conn, cohort.id)


async def test_import_creates_sessions_in_utc_and_plans_reminders(runtime: Runtime, tmp_path: Path) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    summary = await import_schedule(runtime.db, _file(tmp_path, GOOD), runtime.settings, runtime.clock.now())
    assert (summary.created, summary.unchanged, summary.reminders_planned) == (3, 0, 6)
    found = await _sessions(runtime)
    assert [s.starts_at for s in found] == [utc(2027, 3, 15, 16, 30), utc(2027, 3, 17, 16, 30), utc(2027, 3, 19, 8, 0)]
    assert (
        found[0].place == "Room 3, ICK, Prishtina"
        and found[0].online_url is None
        and found[0].ends_at == utc(2027, 3, 15, 18, 0)
    )
    assert found[1].place is None and found[1].online_url == "https://meet.example.org/web"
    assert found[2].topic is None
    assert len(await outbox_rows(runtime, reminder_plan.REMINDER)) == 6


async def test_reimport_updates_instead_of_duplicating(runtime: Runtime, tmp_path: Path) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    path = _file(tmp_path, GOOD)
    await import_schedule(runtime.db, path, runtime.settings, runtime.clock.now())
    again = await import_schedule(runtime.db, path, runtime.settings, runtime.clock.now())
    assert (again.created, again.updated, again.unchanged, again.reminders_planned) == (0, 0, 3, 0)
    edited = _file(tmp_path, GOOD.replace("Git basics", "Git and GitHub").replace(";", ","), "edited.csv")
    changed = await import_schedule(runtime.db, edited, runtime.settings, runtime.clock.now())
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert len(await _sessions(runtime)) == 3
    assert len(await outbox_rows(runtime, reminder_plan.REMINDER)) == 6
    first = (await _sessions(runtime))[0]
    assert first.topic == "Git and GitHub"
    moved = _file(
        tmp_path, f"id;cohort;start;end;place\n{first.id};web-2027-1;16.03.2027 10:00;12:00;Room 5\n", "moved.csv"
    )
    result = await import_schedule(runtime.db, moved, runtime.settings, runtime.clock.now())
    assert (result.moved, result.reminders_planned) == (1, 2)
    now_first = next(s for s in await _sessions(runtime) if s.id == first.id)
    assert now_first.starts_at == utc(2027, 3, 16, 9, 0) and now_first.place == "Room 5" and now_first.revision == 1
    assert len(await outbox_rows(runtime, reminder_plan.MOVED)) == 1


async def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_imported(
    runtime: Runtime, tmp_path: Path
) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    await make_cohort(runtime)
    bad = """cohort,start,end,place,online_url,topic
web-2027-1,15.03.2027 17:30,19:00,Room 3,,Fine
web-2027-1,28.03.2027 02:30,04:00,Room 3,,Spring gap
web-2027-1,next monday,19:00,Room 3,,
web-2027-1,16.03.2027 17:30,16:00,Room 3,,Ends before it starts
web-2027-1,17.03.2027 17:30,19:00,,,No place
web-2027-1,18.03.2027 17:30,19:00,,meet.example.org,Bad link
,19.03.2027 17:30,19:00,Room 3,,
web-2027-1,15.03.2027 17:30,19:30,Room 4,,Twice
"""
    with pytest.raises(ScheduleError) as info:
        await import_schedule(runtime.db, _file(tmp_path, bad), runtime.settings, runtime.clock.now())
    problems = [str(p) for p in info.value.problems]
    assert problems == [
        "line 3, column start: 28.03.2027 02:30 does not exist in the programme's time zone (clocks jump from 02:00 to 03:00 that night)",
        "line 4, column start: 'next monday' is not a date and time like 15.03.2027 17:30",
        "line 5, column end: must be after the start, at most 24 hours later",
        "line 6, column place: needs a place or an online_url",
        "line 7, column online_url: 'meet.example.org' is not a link starting with https://",
        "line 8, column cohort: is empty",
        "line 9, column start: the same session as line 2",
    ]
    assert "7 problems, nothing was imported" in str(info.value)
    assert await _sessions(runtime) == []


async def test_a_problem_found_in_the_database_rolls_back_the_whole_file(runtime: Runtime, tmp_path: Path) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    text = GOOD + "web-2099-9,20.03.2027 17:30,19:00,Room 3,,\n"
    with pytest.raises(ScheduleError) as info:
        await import_schedule(runtime.db, _file(tmp_path, text), runtime.settings, runtime.clock.now())
    assert [str(p) for p in info.value.problems] == [
        "line 5, column cohort: there is no cohort 'web-2099-9' (create it with: youthbot cohort create)"
    ]
    assert await _sessions(runtime) == []
    assert await outbox_rows(runtime, reminder_plan.REMINDER) == []  # no half-planned reminders either


async def test_header_problems_and_unreadable_files(runtime: Runtime, tmp_path: Path) -> None:
    with pytest.raises(ScheduleError) as info:
        await import_schedule(runtime.db, _file(tmp_path, "cohort,begin,end\n"), runtime.settings, runtime.clock.now())
    assert [str(p) for p in info.value.problems] == [
        "line 1, column begin: unknown column",
        "line 1, column start: column is missing",
    ]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("cohort,start,end,place\nweb,15.03.2027 17:30,19:00,Prishtinë\n".encode("latin-1"))
    with pytest.raises(ScheduleError, match="not UTF-8"):
        await import_schedule(runtime.db, latin1, runtime.settings, runtime.clock.now())
    with pytest.raises(ScheduleError, match="cannot read the file"):
        await import_schedule(runtime.db, tmp_path / "missing.csv", runtime.settings, runtime.clock.now())


# -- the CLI, in-process, as staff run it on the server ---------------------------------------


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "STAFF_TELEGRAM_IDS", "REMINDER_OFFSETS", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    return settings


def _prepare(settings: Settings) -> str:
    """A database with one applicant; returns the reference."""

    async def run() -> str:
        async with open_runtime(settings, clock=ManualClock(utc(2027, 3, 1, 8, 0))) as runtime:
            return await make_applicant(runtime, "2001", "Jane Doe")

    return asyncio.run(run())


def test_cli_cohort_accept_schedule_and_attendance(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = _prepare(cli_env)
    assert main(["cohort", "create", "web-2027-1", "pro2y-software", "Web 2027/1", "--starts", "2027-03-01"]) == 0
    assert "cohort web-2027-1 created" in capsys.readouterr().out
    assert main(["cohort", "create", "web-2027-1", "pro2y-software", "Again"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "youthbot: a cohort 'web-2027-1' already exists"
    assert main(["cohort", "create", "x", "no-such-programme", "X"]) == 2
    assert "there is no programme 'no-such-programme'; known: pro2y-software" in capsys.readouterr().err
    assert main(["cohort", "create", "bad code!", "pro2y-software", "X"]) == 2
    assert main(["cohort", "create", "y", "pro2y-software", "Y", "--starts", "March"]) == 2
    assert "--starts 'March' is not a date" in capsys.readouterr().err
    assert main(["cohort", "list"]) == 0
    assert "web-2027-1\tpro2y-software\tWeb 2027/1\t2027-03-01" in capsys.readouterr().out
    schedule = _file(tmp_path, GOOD.replace("2027", "2031").replace("web-2031-1", "web-2027-1"))
    assert main(["schedule", "import", str(schedule)]) == 0
    assert "3 created, 0 moved, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["accept", reference, "web-2027-1"]) == 0
    out = capsys.readouterr().out
    assert f"{reference} accepted into web-2027-1" in out and "6 reminders planned" in out
    assert main(["accept", reference, "web-2027-1"]) == 2
    assert "already in cohort web-2027-1" in capsys.readouterr().err
    assert main(["accept", "YB-00-NONE", "web-2027-1"]) == 2
    assert (
        main(
            [
                "schedule",
                "import",
                str(_file(tmp_path, "cohort,start,end,place\nweb-2027-1,31.02.2031 10:00,11:00,Room\n", "bad.csv")),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [
        "youthbot: bad.csv: 1 problem, nothing was imported",
        "line 2, column start: '31.02.2031 10:00' is not a date and time like 15.03.2027 17:30",
    ]
    exported = tmp_path / "exported.csv"
    assert main(["schedule", "export", "--cohort", "web-2027-1", "--out", str(exported)]) == 0
    assert "3 sessions written" in capsys.readouterr().err
    lines = exported.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "id,cohort,start,end,place,online_url,topic"
    assert lines[1].endswith(',web-2027-1,15.03.2031 17:30,19:00,"Room 3, ICK, Prishtina",,Git basics')
    assert main(["schedule", "import", str(exported)]) == 0  # the export imports back unchanged
    assert "0 created, 0 moved, 0 updated, 3 unchanged" in capsys.readouterr().out
    exported.write_text(
        "\n".join([lines[0], lines[1].replace("15.03.2031 17:30", "16.03.2031 17:30")]), encoding="utf-8"
    )
    assert main(["schedule", "import", str(exported)]) == 0  # its start edited: the session moves
    assert "0 created, 1 moved" in capsys.readouterr().out
    out_file = tmp_path / "attendance.csv"
    assert main(["export", "attendance", "--cohort", "web-2027-1", "--out", str(out_file)]) == 0
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert next((r["full_name"], r["answer"], r["session_start"]) for r in rows) == (
        "Jane Doe",
        "no answer",
        "2031-03-16 17:30",
    )
    assert len(rows) == 3
    assert main(["export", "attendance", "--cohort", "nope"]) == 2
    assert main(["export", "attendance"]) == 0
    assert "cohort,session_id,session_start" in capsys.readouterr().out


async def test_every_problem_parse_and_database_is_reported_in_one_run(runtime: Runtime, tmp_path: Path) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    await make_cohort(runtime)
    text = (
        "id,cohort,start,end,place\n"
        ",web-2027-1,32.03.2027 17:30,19:00,Room 3\n"
        ",web-2099-9,20.03.2027 17:30,19:00,Room 3\n"
        "999,web-2027-1,21.03.2027 17:30,19:00,Room 3\n"
    )
    with pytest.raises(ScheduleError) as info:
        await import_schedule(runtime.db, _file(tmp_path, text), runtime.settings, runtime.clock.now())
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "start"), (3, "cohort"), (4, "id")]
    assert await _sessions(runtime) == []


async def test_export_then_import_gives_back_exactly_what_was_exported(runtime: Runtime, tmp_path: Path) -> None:
    from bot.services.schedule_csv import export_schedule

    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    await make_cohort(runtime)
    topics = ['=HYPERLINK("https://example.org")', "-1 day", "'quoted'", "@home", "+383 44 123 456"]
    text = "cohort,start,end,place,online_url,topic\n" + "".join(
        f'web-2027-1,{10 + n}.03.2027 17:30,19:00,Room 3,,"{t.replace(chr(34), chr(34) * 2)}"\n'
        for n, t in enumerate(topics)
    )
    await import_schedule(runtime.db, _file(tmp_path, text), runtime.settings, runtime.clock.now())
    assert [s.topic for s in await _sessions(runtime)] == topics
    async with runtime.db.reading() as conn:
        exported, _count = await export_schedule(conn, runtime.settings.timezone)
    assert "'=HYPERLINK" in exported.decode("utf-8-sig")  # guarded for spreadsheets
    result = await import_schedule(
        runtime.db, _file(tmp_path, exported.decode("utf-8-sig"), "back.csv"), runtime.settings, runtime.clock.now()
    )
    assert result.unchanged == len(topics) and result.updated == 0
    assert [s.topic for s in await _sessions(runtime)] == topics


@pytest.mark.parametrize("value", ["=SUM(A1)", "'=already guarded", "''x", "'plain", "plain", "-", "'", ""])
def test_the_formula_guard_is_undone_exactly(value: str) -> None:
    from bot.services.schedule_csv import _guard, _unguard

    guarded = _guard(value)
    assert isinstance(guarded, str) and _unguard(guarded) == value
    assert guarded[:1] not in ("=", "+", "-", "@")
