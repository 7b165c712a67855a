"""``youthbot openings import``: all rows or none, every problem named by line and column."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot import cli
from bot.config import Settings
from bot.runtime import Runtime
from bot.services.openings_import import ImportRejected, import_openings
from storage import Database, openings, outbox
from tests.support.openings import add_person


def good_csv(first: date = date(2027, 1, 15), second: date = date(2027, 1, 31)) -> str:
    return f"""kind,title,employer,description,municipality,tracks,deadline,apply
job,Network technician,Kosovo Telecom,"Maintain the office network.
Full time, paid.",Prizren,networks;systems,{first:%d.%m.%Y},hr@telecom.example
internship,Mobile app intern,AppStudio,Three months of Android work with a mentor.,remote,Mobile development,{second.isoformat()},https://appstudio.example/interns
"""


GOOD = good_csv()


async def _count(runtime: Runtime) -> int:
    async with runtime.db.reading() as conn:
        return len(await openings.list_open(conn, date(2026, 11, 27)))


async def test_a_good_file_imports_every_row_and_queues_alerts(runtime: Runtime, tmp_path: Path) -> None:
    await add_person(runtime, "5001", alerts_on=True, tracks=("mobile",))
    path = tmp_path / "openings.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    created, alerted = await import_openings(runtime.db, path, runtime.settings, runtime.clock)
    assert [o.title for o in created] == ["Network technician", "Mobile app intern"]
    assert created[0].description == "Maintain the office network.\nFull time, paid."
    assert created[0].municipality == "prizren" and created[0].tracks == ("networks", "systems")
    assert created[1].remote and created[1].deadline == date(2027, 1, 31)
    assert alerted == 1
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn, f"opening:{created[1].id}") == {"pending": 1}


async def test_every_problem_is_named_and_nothing_is_imported(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "openings.csv"
    path.write_text(
        "kind;title;employer;description;municipality;tracks;deadline;apply\n"
        "job;Good row;Acme;A perfectly fine description.;Peja;web;20.12.2026;https://acme.example\n"
        "\n"
        "gig;X;Acme;short;Atlantis;cooking|web;31.02.2027;ask us\n"
        "job;Good row;Acme;A perfectly fine description.;Peja;web;20.12.2026;https://acme.example\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as raised:
        await import_openings(runtime.db, path, runtime.settings, runtime.clock)
    problems = [str(e) for e in raised.value.errors]
    assert "line 4, column kind: 'gig' must be job or internship" in problems
    assert "line 4, column title: must be 3 to 120 characters long (it is 1)" in problems
    assert any(p.startswith("line 4, column municipality: 'Atlantis' is not a municipality") for p in problems)
    assert any(p.startswith("line 4, column tracks: 'cooking' is not a track") for p in problems)
    assert any(p.startswith("line 4, column deadline: I couldn't read that date") for p in problems)
    assert "line 4, column apply: needs a link (https://...), an e-mail address or a phone number" in problems
    assert "line 5: the same opening as line 2" in problems
    assert await _count(runtime) == 0


async def test_a_wrong_header_or_a_second_import_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "openings.csv"
    path.write_text("kind,title,company\njob,A,B\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as raised:
        await import_openings(runtime.db, path, runtime.settings, runtime.clock)
    assert "missing column(s): employer, description, municipality, tracks, deadline, apply" in str(
        raised.value.errors[0]
    )
    assert "unknown column(s): company" in str(raised.value.errors[0])
    path.write_text(GOOD, encoding="utf-8")
    await import_openings(runtime.db, path, runtime.settings, runtime.clock)
    with pytest.raises(ImportRejected) as raised:
        await import_openings(runtime.db, path, runtime.settings, runtime.clock)
    assert [str(e) for e in raised.value.errors] == [
        "line 2: this opening is already open as #1",
        "line 4: this opening is already open as #2",
    ]
    assert await _count(runtime) == 2


def test_the_command_line(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "load_settings", lambda: replace(settings))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    today = date.today()  # the command reads the system clock
    content = good_csv(today + timedelta(days=30), today + timedelta(days=60))
    good.write_text(content, encoding="utf-8")
    bad.write_text(content.replace("Prizren", "Gotham"), encoding="utf-8")
    assert cli.main(["openings", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv: line 2, column municipality: 'Gotham' is not a municipality" in err
    assert "nothing was imported (1 problem(s) in bad.csv)" in err
    assert cli.main(["openings", "import", str(good)]) == 0
    assert "2 opening(s) imported (#1, #2)" in capsys.readouterr().out
    assert cli.main(["openings", "import", str(tmp_path / "missing.csv")]) == 2
    assert cli.main(["broadcasts"]) == 0
    assert "No broadcasts yet." in capsys.readouterr().out

    async def count() -> int:
        async with Database(settings.database_path) as db, db.reading() as conn:
            return len(await openings.list_open(conn, today))

    assert asyncio.run(count()) == 2
