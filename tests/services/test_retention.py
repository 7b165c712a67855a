"""Retention with the injectable clock: nothing goes a day early, everything a day late."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.reports.indicators import build_report
from bot.runtime import Runtime, open_runtime
from bot.services import retention
from bot.services.retention import RetentionKeeper
from bot.surveys.loader import catalogue_for
from storage import outbox
from tests.support.applicants import add_application
from tests.support.openings import add_person
from tests.support.privacy import every_row, full_person, traces
from tests.support.training import known_user

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TWO_YEARS_LATER = datetime(2028, 11, 27, 9, 0, tzinfo=UTC)  # RETENTION_MONTHS = 24 from START
DAY = timedelta(days=1)


async def run(runtime: Runtime) -> retention.RetentionPlan:
    return await RetentionKeeper(runtime.db, runtime.settings, runtime.clock).run_once()


async def plan(runtime: Runtime) -> retention.RetentionPlan:
    async with runtime.db.reading() as conn:
        return await retention.plan(conn, runtime.settings, runtime.clock.now())


async def test_an_application_never_accepted_goes_after_the_period(runtime: Runtime, clock: ManualClock) -> None:
    reference = await add_application(runtime, "3001", name="Blerina Hoti", phone="+38344000111")
    clock.set(TWO_YEARS_LATER - DAY)
    assert (await plan(runtime)).applications == 0
    assert (await run(runtime)).applications == 0
    (row,) = (await every_row(runtime))["applications"]
    assert row["full_name"] == "Blerina Hoti" and row["reference"] == reference
    clock.set(TWO_YEARS_LATER + DAY)
    assert (await plan(runtime)).applications == 1
    assert (await every_row(runtime))["applications"][0]["full_name"] == "Blerina Hoti"  # a plan changes nothing
    assert (await run(runtime)).applications == 1
    (row,) = (await every_row(runtime))["applications"]
    assert row["full_name"] is None and row["phone"] is None and row["birth_date"] is None
    assert row["reference"] != reference and row["status"] == "submitted"  # the status stays as it was
    assert row["gender"] == "female" and row["birth_year"] == 2004 and row["anonymised_at"]
    assert (await run(runtime)).applications == 0  # once


async def test_a_graduate_goes_after_their_last_survey_wave(runtime: Runtime, clock: ManualClock) -> None:
    person = await full_person(runtime)  # graduated 20 November 2026: waves until 20 November 2027
    catalogue = catalogue_for(runtime.settings.survey_dir)
    two_years_after_last_wave = datetime(2029, 11, 20, 9, 0, tzinfo=UTC)  # the m12 wave went out at 10:00 in Kosovo
    clock.set(two_years_after_last_wave - DAY)
    async with runtime.db.reading() as conn:
        before = await build_report(conn, catalogue, clock.now())
    assert (await run(runtime)).former_trainees == 0
    assert traces(await every_row(runtime), person.identifying(), [person.user_id]) != []
    clock.set(two_years_after_last_wave + DAY)
    assert (await plan(runtime)).former_trainees == 1
    assert (await run(runtime)).former_trainees == 1
    rows = await every_row(runtime)
    assert traces(rows, person.identifying(), [person.user_id, person.viber_user_id]) == []
    assert [a["status"] for a in rows["applications"]] == ["accepted"]  # not withdrawn: nobody asked
    async with runtime.db.reading() as conn:
        after = await build_report(conn, catalogue, two_years_after_last_wave - DAY)
    assert after == before  # the report counts the same


async def test_old_conversations_and_settled_messages_go(runtime: Runtime, clock: ManualClock) -> None:
    chat = await known_user(runtime, "3002")
    await chat.send("/apply")  # a form left open
    async with runtime.db.transaction() as tx:
        for status in ("sent", "pending"):
            item = await outbox.enqueue(
                tx, channel="telegram", chat_id="3002", user_id=None, kind="staff_notice",
                payload={"text": status}, now=clock.now(), dedup_key=f"test:{status}",
            )  # fmt: skip
            assert item is not None
            if status == "sent":
                await outbox.mark_sent(tx, item, clock.now(), "1")
    clock.set(TWO_YEARS_LATER - DAY)
    early = await run(runtime)
    assert (early.conversations, early.messages) == (0, 0)
    clock.set(TWO_YEARS_LATER + DAY)
    assert (await plan(runtime)).conversations == 1
    late = await run(runtime)
    assert (late.conversations, late.messages) == (1, 1)
    rows = await every_row(runtime)
    assert rows["conversations"] == []
    assert [r["status"] for r in rows["outbox"]] == ["pending"]  # a message whose fate is open stays


async def test_the_keeper_runs_daily_on_the_injectable_clock(
    runtime: Runtime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_application(runtime, "3003", name="Blerina Hoti")
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", 0.01)
    keeper = RetentionKeeper(runtime.db, runtime.settings, clock)
    task = asyncio.create_task(keeper.run_daily())
    try:
        clock.set(TWO_YEARS_LATER + DAY)
        for _ in range(500):
            if (await every_row(runtime))["applications"][0]["full_name"] is None:
                break
            await asyncio.sleep(0.01)
        assert (await every_row(runtime))["applications"][0]["full_name"] is None
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_the_command_says_what_it_would_do_then_does_it(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with open_runtime(settings, clock=ManualClock(datetime(2020, 1, 10, tzinfo=UTC))) as runtime:
        await add_application(runtime, "3004", name="Blerina Hoti")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    assert await asyncio.to_thread(main, ["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 application(s) never accepted would be anonymised." in out and "24 months" in out
    async with open_runtime(settings, clock=ManualClock(datetime(2020, 1, 10, tzinfo=UTC))) as runtime:
        assert (await every_row(runtime))["applications"][0]["full_name"] == "Blerina Hoti"
    assert await asyncio.to_thread(main, ["retention"]) == 0
    assert "1 application(s) never accepted were anonymised." in capsys.readouterr().out
    async with open_runtime(settings, clock=ManualClock(datetime(2020, 1, 10, tzinfo=UTC))) as runtime:
        assert (await every_row(runtime))["applications"][0]["full_name"] is None


async def test_an_account_with_no_trace_for_the_period_goes(runtime: Runtime, clock: ManualClock) -> None:
    quiet = await known_user(runtime, "3005")
    await quiet.send("/help")  # leaves no trace: nothing is planned or kept for this person
    await add_person(runtime, "3006", alerts_on=True)  # asked for alerts: an ongoing wish
    await add_application(runtime, "3007", name="Blerina Hoti")
    clock.set(TWO_YEARS_LATER - DAY)
    assert (await run(runtime)).dormant_accounts == 0
    clock.set(TWO_YEARS_LATER + DAY)
    assert (await plan(runtime)).dormant_accounts == 1
    done = await run(runtime)
    assert (done.dormant_accounts, done.applications) == (1, 1)
    assert sorted(r["platform_id"] for r in (await every_row(runtime))["users"]) == ["3006", "3007"]
    clock.set(TWO_YEARS_LATER + 2 * DAY)  # the applicant's account, left without its application, goes next
    assert (await run(runtime)).dormant_accounts == 1
    assert [r["platform_id"] for r in (await every_row(runtime))["users"]] == ["3006"]
