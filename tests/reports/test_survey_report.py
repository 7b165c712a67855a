"""Indicators on a fixture database whose figures are counted by hand below,
the placement chart as a real PNG, the CSV export, and /report for staff."""

from __future__ import annotations

import asyncio
import csv
import io
import stat
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib import image as mpimg
from PIL import Image

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import use_language
from bot.reports.chart import placement_chart
from bot.reports.indicators import Counts, Report, age_group, build_report
from bot.reports.indicators_text import report_text
from bot.reports.survey_export import survey_csv
from bot.runtime import Runtime, open_runtime
from bot.surveys.loader import catalogue_for
from storage import cohorts, surveys
from storage.survey_reports import ApplicantRow
from storage.surveys import NewInvitation
from tests.support.chat import Chat
from tests.support.surveys import SURVEY, applicant, cohort_of

A, B = "pro2y-software", "pro2y-networks"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Person:
    programme: str
    gender: str
    born: str
    enrolment: str | None  # None, 'enrolled' or 'completed'
    survey: str | None  # None, 'future', 'open', 'expired', or the employment status answered


# The test clock says 27 November 2026; everyone applied that day.
PEOPLE = [
    Person(A, "female", "2008-01-01", "completed", "employed_full_time"),  # 18: 18-24, placed
    Person(A, "female", "2004-06-01", "completed", "looking"),  # 22: 18-24, answered, not placed
    Person(A, "male", "2000-01-01", "completed", "open"),  # 26: 25-29, asked, no answer yet
    Person(A, "male", "2003-12-31", "enrolled", None),  # 22: 18-24, still in training
    Person(A, "undisclosed", "2006-11-28", None, None),  # 19 (20 by birth year alone): 18-24
    Person(B, "female", "2001-02-02", "completed", "internship"),  # 25: 25-29, placed
    Person(B, "male", "2006-05-05", "completed", "expired"),  # 20: 18-24, asked, closed unanswered
    Person(B, "male", "2009-01-01", None, None),  # 17: 15-17, applied only
    Person(B, "female", "1999-03-03", "completed", "future"),  # 27: 25-29, not asked yet
]


async def build_fixture(runtime: Runtime) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        for number, person in enumerate(PEOPLE, start=1):
            app = await applicant(tx, str(2000 + number), now, person.programme, person.gender, person.born)
            if person.enrolment is None:
                continue
            cohort = await cohort_of(tx, f"c-{person.programme}", now, person.programme)
            enrolment = await cohorts.enrol(tx, cohort.id, app.id, now)
            assert enrolment is not None
            if person.enrolment == "completed":
                await tx.execute("UPDATE enrolments SET status = 'completed' WHERE id = ?", (enrolment.id,))
            if person.survey is None:
                continue
            due = (
                now + timedelta(days=30)
                if person.survey == "future"
                else now - timedelta(days=40 if person.survey == "expired" else 5)
            )
            invitation = await surveys.plan(
                tx, NewInvitation(SURVEY, "m3", enrolment.id, enrolment.user_id, due, due + timedelta(days=30)), now
            )
            assert invitation is not None
            if person.survey not in ("future", "open", "expired"):
                await surveys.save_answer(
                    tx, invitation, "employment_status", person.survey, free_text=False, language="en", now=now
                )
                await surveys.complete(tx, invitation, "en", now)
        await surveys.close_expired(tx, now)


@pytest.fixture
async def report(runtime: Runtime) -> Report:
    await build_fixture(runtime)
    async with runtime.db.reading() as conn:
        return await build_report(conn, catalogue_for(runtime.settings.survey_dir), runtime.clock.now())


def figures(counts: Counts) -> tuple[int, ...]:
    return counts.applicants, counts.enrolled, counts.completed, counts.asked, counts.answered, counts.placed


async def test_figures_counted_by_hand(report: Report) -> None:
    # applicants, enrolled, completed, asked, answered, placed
    assert figures(report.total) == (9, 7, 6, 5, 3, 2)
    assert figures(report.by_programme[A]) == (5, 4, 3, 3, 2, 1)
    assert figures(report.by_programme[B]) == (4, 3, 3, 2, 1, 1)
    assert figures(report.by_sex["female"]) == (4, 4, 4, 3, 3, 2)
    assert figures(report.by_sex["male"]) == (4, 3, 2, 2, 0, 0)
    assert figures(report.by_sex["undisclosed"]) == (1, 0, 0, 0, 0, 0)
    assert figures(report.by_age["15-17"]) == (1, 0, 0, 0, 0, 0)
    assert figures(report.by_age["18-24"]) == (5, 4, 3, 3, 2, 1)
    assert figures(report.by_age["25-29"]) == (3, 3, 3, 2, 1, 1)
    assert report.total.response_rate == pytest.approx(3 / 5)
    assert report.total.placement_rate == pytest.approx(2 / 3)
    assert report.by_programme_and_sex[(A, "female")].placement_rate == pytest.approx(1 / 2)
    assert report.by_programme_and_sex[(B, "female")].placement_rate == pytest.approx(1.0)
    assert report.by_programme_and_sex[(A, "male")].placement_rate is None  # nobody answered
    (wave,) = report.waves
    assert (wave.wave, wave.asked, wave.answered, wave.still_open, wave.closed) == ("m3", 5, 3, 1, 1)


def test_age_from_the_birth_year_alone_after_forget() -> None:
    applied = datetime(2026, 11, 27).astimezone()
    row = ApplicantRow(1, A, "female", None, 2008, applied, None)
    assert age_group(row, date(2026, 11, 27)) == "18-24"
    exact = ApplicantRow(1, A, "female", date(2008, 11, 28), 2008, applied, None)
    assert age_group(exact, date(2026, 11, 27)) == "15-17"
    assert age_group(ApplicantRow(1, A, "female", None, None, applied, None), date(2026, 11, 27)) == "other"


async def test_report_text(report: Report, runtime: Runtime) -> None:
    catalogue = catalogue_for(runtime.settings.survey_dir)
    with use_language("en"):
        text = report_text(report, catalogue, runtime.settings.timezone)
    lines = text.splitlines()
    assert lines[0] == "Programme indicators on 27 November 2026"
    assert lines[1] == "All applications"
    assert (
        "All programmes: applicants 9 · accepted 7 · enrolled 7 · completed 6 · dropped out 0 · "
        "answered a survey 3 of 5 asked (60%) · placed 2 (67% of those who answered): "
        "1 in a job, 1 in an internship; in ICT 0, not in ICT 0, not recorded 2"
    ) in lines
    assert (
        "• Two-year professional programme: software development: applicants 5 · accepted 4 · enrolled 4 · "
        "completed 3 · dropped out 0 · answered a survey 2 of 3 asked (67%) · placed 1 (50% of those who answered): "
        "1 in a job, 0 in an internship; in ICT 0, not in ICT 0, not recorded 1"
    ) in lines
    assert (
        "• Male: applicants 4 · accepted 3 · enrolled 3 · completed 2 · dropped out 0 · answered a survey 0 of 2 "
        "asked (0%) · placed 0 (– of those who answered): 0 in a job, 0 in an internship; "
        "in ICT 0, not in ICT 0, not recorded 0"
    ) in lines
    assert "By municipality:" in lines
    assert any(line.startswith("• Pristina: applicants 9 · ") for line in lines)
    assert any(line.startswith("• 15–17: applicants 1 · ") for line in lines)
    assert (
        "• Employment follow-up survey, 3 months after graduation: 3 of 5 answered (60%); 1 still open, 1 closed unanswered"
        in lines
    )


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == PNG_SIGNATURE
    with Image.open(io.BytesIO(content)) as picture:
        picture.verify()
    with Image.open(io.BytesIO(content)) as picture:
        return picture.size


async def test_the_chart_is_a_png_that_opens(report: Report) -> None:
    with use_language("sr"):
        content = placement_chart(report)
    assert png_size(content) == (900, 500)
    pixels = mpimg.imread(io.BytesIO(content), format="png")
    assert pixels.shape[:2] == (500, 900)
    assert len({tuple(p) for p in pixels[::10, ::10].reshape(-1, pixels.shape[2])}) > 5  # drawn, not blank
    empty = placement_chart(Report(report.as_of, report.programmes))
    assert png_size(empty) == (900, 500) and empty != content


async def test_staff_get_the_report_and_the_chart_in_the_chat(report: Report, runtime: Runtime) -> None:
    staff = Chat(runtime, "999")
    await staff.send("/start")
    await staff.press("English")
    await staff.send("/report")
    text, chart = staff.last[0], staff.last[1]
    assert text.text.startswith("Programme indicators on 27 November 2026")
    assert chart.document is not None and chart.document.filename == "placement-2026-11-27.png"
    assert png_size(chart.document.content) == (900, 500)
    trainee = Chat(runtime, "2001")
    await trainee.send("/report")
    assert "only for the programme's staff" in trainee.text()


async def test_export_has_one_row_per_response(report: Report, runtime: Runtime) -> None:
    survey = catalogue_for(runtime.settings.survey_dir).get(SURVEY)
    assert survey is not None
    async with runtime.db.reading() as conn:
        content, count = await survey_csv(conn, survey, runtime.settings.timezone)
    assert content.startswith(b"\xef\xbb\xbf") and count == 3
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["employment_status"] for r in rows] == ["employed_full_time", "looking", "internship"]
    assert {r["status"] for r in rows} == {"completed"} and rows[0]["full_name"] == "Person 2001"
    assert rows[0]["programme"] == A and rows[2]["programme"] == B and rows[0]["wave"] == "m3"
    assert list(rows[0])[-1] == "comment" and rows[0]["employer"] == ""


def test_cli_report_and_export(
    settings: Settings,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def prepare() -> None:
        async with open_runtime(settings, clock=clock) as runtime:
            await build_fixture(runtime)

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    chart = tmp_path / "chart.png"
    assert main(["report", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "All programmes: applicants 9 · accepted 7 · enrolled 7 · completed 6 · dropped out 0 · answered" in out
    assert f"Chart written to {chart}" in out
    assert png_size(chart.read_bytes()) == (900, 500)
    target = tmp_path / "answers.csv"
    assert main(["export", "survey", SURVEY, "--out", str(target)]) == 0
    assert f"3 response(s) to {SURVEY} written to {target}" in capsys.readouterr().err
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    applications = tmp_path / "applications.csv"
    applications.write_text("an older export, readable by all")
    applications.chmod(0o644)
    assert main(["export", "applications", "--out", str(applications)]) == 0
    capsys.readouterr()
    for written in (chart, target, applications):  # personal data: the owner only
        assert stat.S_IMODE(written.stat().st_mode) == 0o600, written
    assert main(["report", "--from", "2026-11-28"]) == 0  # everyone applied on the 27th
    out = capsys.readouterr().out
    assert "Applications made from 28 November 2026" in out and "All programmes: applicants 0 · " in out
    assert main(["report", "--from", "2026-11-27", "--to", "2026-11-27"]) == 0
    assert "All programmes: applicants 9 · " in capsys.readouterr().out
    assert main(["report", "--to", "27.11.2026"]) == 2
    assert capsys.readouterr().err == "youthbot: --to '27.11.2026' is not a date like 2026-06-30\n"
    assert main(["report", "--from", "2026-11-28", "--to", "2026-11-27"]) == 2
    assert "is before --from" in capsys.readouterr().err
    assert main(["export", "survey", "nope"]) == 2
    assert capsys.readouterr().err == "youthbot: there is no survey 'nope' (surveys: employment-followup)\n"
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "missing.sqlite3"))
    assert main(["report"]) == 2
    assert "no database at" in capsys.readouterr().err


async def test_accepted_dropped_out_and_placements_by_kind_and_ict(runtime: Runtime) -> None:
    await build_fixture(runtime)
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        async with tx.execute(
            "SELECT s.invitation_id FROM survey_answers s WHERE s.value = '\"employed_full_time\"'"
        ) as cur:
            (employed,) = [row["invitation_id"] for row in await cur.fetchall()]
        await surveys.save_answer(tx, employed, "job_in_ict", "yes", free_text=False, language="en", now=now)
        # Person 2004 (A, male, still enrolled) drops out; Person 2008 (B, applied only) is accepted.
        await tx.execute(
            "UPDATE enrolments SET status = 'dropped' WHERE application_id ="
            " (SELECT id FROM applications WHERE full_name = 'Person 2004')"
        )
        await tx.execute("UPDATE applications SET status = 'accepted' WHERE full_name = 'Person 2008'")
    async with runtime.db.reading() as conn:
        report = await build_report(conn, catalogue_for(runtime.settings.survey_dir), now)
    total = report.total
    assert (total.accepted, total.enrolled, total.dropped_out) == (8, 7, 1)
    assert (total.placed, total.placed_job, total.placed_internship) == (2, 1, 1)
    assert (total.placed_ict, total.placed_not_ict, total.placed_ict_unknown) == (1, 0, 1)
    assert report.by_programme[A].dropped_out == 1 and report.by_programme[B].accepted == 4
    assert report.by_sex["female"].placed_ict == 1 and report.by_programme[B].placed_internship == 1
    assert figures(total) == (9, 7, 6, 5, 3, 2)  # the earlier figures do not move
