"""Planning reminders as outbox rows: who, when (also across DST), and never twice."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime import Runtime
from bot.services import reminders as reminder_plan
from bot.services import sessions as session_changes
from storage import links, sessions, trainees, users
from tests.support.training import add_session, enrol, make_applicant, make_cohort, outbox_rows, trainee, utc


async def test_one_row_per_trainee_and_offset(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    await trainee(runtime, cohort, "2002", "Arta Krasniqi")
    session = await add_session(runtime, cohort, "15.03.2027 17:30", "15.03.2027 19:00")
    rows = await outbox_rows(runtime, reminder_plan.REMINDER)
    assert len(rows) == 4
    start = utc(2027, 3, 15, 16, 30)  # 17:30 in Kosovo, winter time (UTC+1)
    assert {r["not_before"] for r in rows} == {"2027-03-14T16:30:00.000000Z", "2027-03-15T15:30:00.000000Z"}
    assert all(r["expires_at"] == "2027-03-15T16:30:00.000000Z" for r in rows)
    assert all(r["ref"] == f"session:{session.id}" and r["status"] == "pending" for r in rows)
    assert session.starts_at == start
    keys = {r["dedup_key"] for r in rows}
    assert len(keys) == 4 and all(k.startswith(f"reminder:{session.id}.0:") for k in keys)
    async with runtime.db.transaction() as tx:  # planning again adds nothing
        assert (
            await reminder_plan.plan_session(tx, session, runtime.settings.reminder_offsets, runtime.clock.now()) == 0
        )
    assert len(await outbox_rows(runtime, reminder_plan.REMINDER)) == 4


async def test_24h_reminder_is_24_real_hours_across_spring_change(runtime: Runtime) -> None:
    """Sunday 28 March 2027, 10:00 summer time = 08:00 UTC; 24 h earlier is 08:00 UTC on the 27th
    (09:00 winter time on the local clock)."""
    runtime.clock.set(utc(2027, 3, 20, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "28.03.2027 10:00")
    assert session.starts_at == utc(2027, 3, 28, 8, 0)
    due = sorted(r["not_before"] for r in await outbox_rows(runtime, reminder_plan.REMINDER))
    assert due == ["2027-03-27T08:00:00.000000Z", "2027-03-28T07:00:00.000000Z"]


async def test_24h_reminder_across_autumn_change(runtime: Runtime) -> None:
    """Sunday 31 October 2027, 10:00 winter time = 09:00 UTC; 24 h earlier is 09:00 UTC on the 30th."""
    runtime.clock.set(utc(2027, 10, 20, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "31.10.2027 10:00")
    assert session.starts_at == utc(2027, 10, 31, 9, 0)
    due = sorted(r["not_before"] for r in await outbox_rows(runtime, reminder_plan.REMINDER))
    assert due == ["2027-10-30T09:00:00.000000Z", "2027-10-31T08:00:00.000000Z"]


async def test_session_in_the_repeated_autumn_hour_uses_summer_time(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 10, 20, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "31.10.2027 02:30")
    assert session.starts_at == utc(2027, 10, 31, 0, 30)  # fold=0: 02:30 CEST
    due = sorted(r["not_before"] for r in await outbox_rows(runtime, reminder_plan.REMINDER))
    assert due == ["2027-10-30T00:30:00.000000Z", "2027-10-30T23:30:00.000000Z"]


async def test_only_reminders_still_ahead_are_planned(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 15, 13, 0))  # 14:00 local, 3.5 hours before the session
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    rows = await outbox_rows(runtime, reminder_plan.REMINDER)
    assert [r["not_before"] for r in rows] == ["2027-03-15T15:30:00.000000Z"]


async def test_enrolment_after_the_sessions_exist_plans_their_reminders(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    other = await make_cohort(runtime, "web-2027-2")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    await add_session(runtime, cohort, "17.03.2027 17:30")
    await add_session(runtime, other, "16.03.2027 17:30")
    assert await outbox_rows(runtime, reminder_plan.REMINDER) == []
    await trainee(runtime, cohort, "2001", "Jane Doe")
    rows = await outbox_rows(runtime, reminder_plan.REMINDER)
    assert len(rows) == 4  # two sessions of their cohort, two offsets each
    notices = await outbox_rows(runtime, reminder_plan.ENROLLED)
    assert len(notices) == 1 and notices[0]["chat_id"] == "2001"


async def test_trainee_with_reminders_off_gets_none_planned(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    reference = await make_applicant(runtime, "2001", "Jane Doe")
    async with runtime.db.transaction() as tx:
        applicant = await trainees.applicant(tx, reference)
        assert applicant is not None and applicant.user_id is not None
        await trainees.set_reminders(tx, applicant.user_id, False, runtime.clock.now())
    await enrol(runtime, reference, cohort)
    await add_session(runtime, cohort, "15.03.2027 17:30")
    assert await outbox_rows(runtime, reminder_plan.REMINDER) == []


async def test_a_moved_session_gets_fresh_rows_and_old_ones_are_withdrawn(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    new_start = session.starts_at + timedelta(days=1)
    async with runtime.db.transaction() as tx:
        moved, planned = await session_changes.move(
            tx, session, new_start, new_start + timedelta(hours=2), runtime.settings, runtime.clock.now()
        )
    assert planned == 2 and moved.revision == 1
    rows = await outbox_rows(runtime, reminder_plan.REMINDER)
    assert sorted((r["status"], r["not_before"]) for r in rows) == [
        ("cancelled", "2027-03-14T16:30:00.000000Z"),
        ("cancelled", "2027-03-15T15:30:00.000000Z"),
        ("pending", "2027-03-15T16:30:00.000000Z"),
        ("pending", "2027-03-16T15:30:00.000000Z"),
    ]
    (notice,) = await outbox_rows(runtime, reminder_plan.MOVED)
    assert notice["status"] == "pending" and notice["chat_id"] == "2001"
    async with runtime.db.transaction() as tx:  # moving back to the first time plans anew (revision 2)
        _back, planned = await session_changes.move(
            tx, moved, session.starts_at, session.ends_at, runtime.settings, runtime.clock.now()
        )
        assert planned == 2 and (await sessions.get(tx, session.id)).revision == 2  # type: ignore[union-attr]


async def test_planning_again_after_link_moved_the_trainee_adds_no_duplicates(runtime: Runtime) -> None:
    runtime.clock.set(utc(2027, 3, 1, 8, 0))
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "2001", "Jane Doe")
    await add_session(runtime, cohort, "15.03.2027 17:30")
    async with runtime.db.transaction() as tx:
        old = await users.find(tx, "telegram", "2001")
        new, _created = await users.get_or_create(tx, "viber", "vb-2001=", "vb-2001=", "Jane", runtime.clock.now())
        assert old is not None
        await links.move_records(tx, old.id, new.id, "viber", new.chat_id)
        for cohort_id in await trainees.enrolled_cohort_ids(tx, new.id):
            assert (
                await reminder_plan.plan_for_trainee(
                    tx, cohort_id, new.id, runtime.settings.reminder_offsets, runtime.clock.now()
                )
                == 0
            )
    rows = await outbox_rows(runtime, reminder_plan.REMINDER)
    assert [(r["channel"], r["chat_id"], r["status"]) for r in rows] == [("viber", "vb-2001=", "pending")] * 2
