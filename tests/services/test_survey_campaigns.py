"""Campaigns on a manual clock: 3/6/12 calendar months after graduation, month ends,
late graduates, restarts and downtime, expiry, exactly one reminder, staff sends."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.services.campaigns import CampaignPlanner, GraduationError, add_months, graduate_cohort
from bot.surveys.loader import catalogue_for
from storage import cohorts, outbox, surveys
from tests.support.chat import Chat
from tests.support.surveys import (
    RecordingSender,
    applicant,
    cohort_of,
    english_graduate,
    graduate,
    invitations_of,
    start_button,
    worker,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 10, 31), 2, date(2026, 12, 31)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2027, 2, 28), 12, date(2028, 2, 28)),
    ],
)
def test_calendar_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def invitation_texts(sender: RecordingSender, chat_id: str = "1001") -> list[str]:
    return [r.text for r in sender.to(chat_id) if r.text.startswith("Employment follow-up survey")]


async def test_waves_go_out_3_6_and_12_months_after_graduation_at_month_end(
    runtime: Runtime, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 2, 2, 12, 0, tzinfo=UTC))
    await english_graduate(runtime)
    assert await graduate(runtime, ["1001"], date(2026, 1, 31)) == 3
    waves = await invitations_of(runtime, "1001")
    # 10:00 in Kosovo: CEST (UTC+2) on 30 April and 31 July, CET (UTC+1) on 31 January
    assert [(i.wave, i.due_at) for i in waves] == [
        ("m3", datetime(2026, 4, 30, 8, 0, tzinfo=UTC)),
        ("m6", datetime(2026, 7, 31, 8, 0, tzinfo=UTC)),
        ("m12", datetime(2027, 1, 31, 9, 0, tzinfo=UTC)),
    ]
    assert all(i.expires_at == i.due_at + timedelta(days=30) for i in waves)
    sender = RecordingSender()
    bot_worker = worker(runtime, sender)
    for sent, invitation in enumerate(waves, start=1):
        clock.set(invitation.due_at - timedelta(minutes=1))
        await bot_worker.run_once()
        assert len(invitation_texts(sender)) == sent - 1
        clock.set(invitation.due_at)
        await bot_worker.run_once()
        assert len(invitation_texts(sender)) == sent


async def test_a_late_graduate_gets_the_open_wave_not_the_old_ones(runtime: Runtime) -> None:
    await english_graduate(runtime)
    # graduated 10 May: the 3-month wave closed in September, the 6-month one (10 November) is still open
    assert await graduate(runtime, ["1001"], date(2026, 5, 10)) == 2
    assert [i.wave for i in await invitations_of(runtime, "1001")] == ["m6", "m12"]
    sender = RecordingSender()
    await worker(runtime, sender).run_once()
    (text,) = invitation_texts(sender)
    assert "Open until: 10 December 2026" in text


async def test_graduates_of_long_ago_get_nothing_and_planning_is_idempotent(
    runtime: Runtime, clock: ManualClock
) -> None:
    await english_graduate(runtime)
    assert await graduate(runtime, ["1001"], date(2025, 6, 1)) == 0  # every wave has closed
    assert await graduate(runtime, ["1002"], date(2026, 9, 1), code="web-2") == 3
    planner = CampaignPlanner(runtime.db, runtime.settings, clock)
    assert await planner.run_once() == (0, 0)
    assert await graduate(runtime, ["1002"], date(2026, 9, 1), code="web-2") == 0  # again: nothing new
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn) == {"pending": 3}


async def test_graduation_dates_are_checked(runtime: Runtime, clock: ManualClock) -> None:
    await graduate(runtime, ["1001"], date(2026, 9, 1))
    async with runtime.db.transaction() as tx:
        cohort = await cohorts.by_code(tx, "web-1")
        assert cohort is not None
        catalogue = catalogue_for(runtime.settings.survey_dir)
        with pytest.raises(GraduationError, match="already graduated on 2026-09-01"):
            await graduate_cohort(tx, cohort, date(2026, 9, 2), catalogue, runtime.settings, clock.now())
        with pytest.raises(GraduationError, match="is in the future"):
            await graduate_cohort(tx, cohort, date(2027, 1, 1), catalogue, runtime.settings, clock.now())


async def test_planned_waves_survive_a_restart_and_downtime_is_caught_up(
    settings: Settings, clock: ManualClock
) -> None:
    async with open_runtime(settings, clock=clock) as runtime:
        await english_graduate(runtime)
        await graduate(runtime, ["1001"], date(2026, 9, 15))  # 3-month wave: 15 December
    clock.set(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))  # the bot was down from 27 November to 20 December
    async with open_runtime(settings, clock=clock) as runtime:
        sender = RecordingSender()
        bot_worker = worker(runtime, sender)
        await bot_worker.run_once()
        await bot_worker.run_once()
        assert len(invitation_texts(sender)) == 1  # late but still useful, and only once
        async with runtime.db.reading() as conn:
            rows = await outbox.counts(conn)
        assert rows == {"sent": 1, "pending": 3}  # the m6 and m12 invitations and the m3 reminder
    clock.set(datetime(2027, 4, 20, 12, 0, tzinfo=UTC))  # down again, past the whole 6-month wave (15 March)
    async with open_runtime(settings, clock=clock) as runtime:
        sender = RecordingSender()
        await worker(runtime, sender).run_once()
        assert invitation_texts(sender) == []
        waves = {i.wave: i.status for i in await invitations_of(runtime, "1001")}
        assert waves == {"m3": "expired", "m6": "expired", "m12": "planned"}


async def test_one_reminder_exactly_once(runtime: Runtime, clock: ManualClock) -> None:
    chat = await english_graduate(runtime)
    await graduate(runtime, ["1001"], date(2026, 8, 27))  # 3-month wave due today at 10:00, closes 27 December
    sender = RecordingSender()
    bot_worker = worker(runtime, sender)
    await bot_worker.run_once()
    (_invitation,) = sender.to("1001")
    sent_at = clock.now()
    clock.set(sent_at + timedelta(days=7) - timedelta(minutes=1))
    await bot_worker.run_once()
    assert len(sender.to("1001")) == 1
    clock.set(sent_at + timedelta(days=7))
    await bot_worker.run_once()
    reminder = sender.to("1001")[-1]
    assert (
        reminder.text
        == "A reminder: we would be glad to have your answers to the survey “Employment follow-up survey”.\nOpen until: 27 December 2026"
    )
    assert [o.label for o in reminder.options] == ["Start the survey"]
    for days in (1, 5, 15, 40):
        clock.set(sent_at + timedelta(days=7 + days))
        await bot_worker.run_once()
        await CampaignPlanner(runtime.db, runtime.settings, clock).run_once()
    assert len(sender.to("1001")) == 2
    await chat.send(start_button(reminder))
    assert "This survey is closed (it was open until 27 December 2026)" in chat.text()


async def test_no_reminder_once_answered_and_continue_label_when_started(runtime: Runtime, clock: ManualClock) -> None:
    first = await english_graduate(runtime, "1001")
    second = await english_graduate(runtime, "1002")
    await graduate(runtime, ["1001", "1002"], date(2026, 8, 27))
    sender = RecordingSender()
    bot_worker = worker(runtime, sender)
    await bot_worker.run_once()
    await first.send(start_button(sender.to("1001")[0]))
    for label in ("Studying, not working", "3", "No", "No", "Skip", "Submit"):
        await first.press(label)
    await second.send(start_button(sender.to("1002")[0]))
    await second.press("Studying, not working")
    clock.advance(timedelta(days=8))
    await bot_worker.run_once()
    assert len(sender.to("1001")) == 1  # answered: the reminder was withdrawn
    assert [o.label for o in sender.to("1002")[-1].options] == ["Continue the survey"]
    async with runtime.db.reading() as conn:
        (answered,) = [i for i in await surveys.of_user(conn, 1) if i.wave == "m3"]
        assert await outbox.counts(conn, f"survey:{answered.id}") == {"sent": 1, "cancelled": 1}


async def test_no_reminder_when_the_survey_closes_first(runtime: Runtime, clock: ManualClock) -> None:
    await english_graduate(runtime)
    await graduate(runtime, ["1001"], date(2026, 7, 30))  # the 3-month wave closes in two days
    await worker(runtime, RecordingSender()).run_once()
    (m3, *_later) = await invitations_of(runtime, "1001")
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn, f"survey:{m3.id}") == {"sent": 1}


async def test_staff_send_a_survey_now_to_everyone(runtime: Runtime) -> None:
    await english_graduate(runtime, "1001")
    await english_graduate(runtime, "1002")
    await graduate(runtime, ["1001"], date(2026, 1, 10))  # every campaign wave of theirs is over
    await graduate(runtime, ["1002"], date(2026, 8, 20), code="web-2")  # their 3-month wave is open
    staff = Chat(runtime, "999")
    await staff.send("/start")
    await staff.press("English")
    await staff.send("/sendsurvey")
    await staff.press("Employment follow-up survey")
    await staff.press("All graduates")
    assert staff.prompt().text.startswith("Send “Employment follow-up survey” now to 1 person?")
    await staff.press("Send now")
    assert "Done: the survey is on its way to 1 person." in staff.text()
    sender = RecordingSender()
    await worker(runtime, sender).run_once()
    assert len(invitation_texts(sender, "1001")) == 1 and len(invitation_texts(sender, "1002")) == 1
    await staff.send("/sendsurvey")
    await staff.press("Employment follow-up survey")
    await staff.press("web-1")
    assert "Nobody in this group can get it now" in staff.text()
    graduate_chat = Chat(runtime, "1002")
    await graduate_chat.send("/sendsurvey")
    assert "only for the programme's staff" in graduate_chat.text()


def test_cli_graduate_and_send(
    settings: Settings,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def prepare() -> None:
        async with open_runtime(settings, clock=clock) as runtime:
            await english_graduate(runtime, "1001")
            await graduate(runtime, ["1001"], date(2026, 1, 10))
            async with runtime.db.transaction() as tx:
                web2 = await cohort_of(tx, "web-2", clock.now())
                app = await applicant(tx, "1003", clock.now())
                await cohorts.enrol(tx, web2.id, app.id, clock.now())

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    assert main(["graduate", "nope", "--on", "2026-01-01"]) == 2
    assert capsys.readouterr().err == "youthbot: there is no cohort 'nope'\n"
    assert main(["graduate", "web-2", "--on", "yesterday"]) == 2
    assert "is not a date like 2026-06-30" in capsys.readouterr().err
    recent = (date.today() - timedelta(days=10)).isoformat()
    assert main(["graduate", "web-2", "--on", recent]) == 0
    assert (
        capsys.readouterr().out.strip()
        == f"cohort web-2: 1 trainee(s) marked as graduates on {recent}; 3 survey invitation(s) planned"
    )
    assert main(["survey", "send", "employment-followup", "--to", "cohort:nope"]) == 2
    assert capsys.readouterr().err == "youthbot: there is no cohort 'nope'\n"
    assert main(["survey", "send", "nope", "--to", "graduates"]) == 2
    assert "there is no survey 'nope' (surveys: employment-followup)" in capsys.readouterr().err
    assert main(["survey", "send", "employment-followup", "--to", "graduates"]) == 0
    assert "queued for 2 person(s) in graduates; 0 skipped" in capsys.readouterr().out
    assert main(["survey", "send", "employment-followup", "--to", "programme:pro2y-software"]) == 0
    assert "queued for 0 person(s) in programme:pro2y-software; 2 skipped" in capsys.readouterr().out
