"""Migration 0016's tables through their typed functions: drop-outs, the register, placements."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from bot.runtime import Runtime
from bot.services import people
from storage import cohorts, placements, register, users
from storage.placements import NewPlacement
from tests.support.training import add_session, make_cohort, trainee


async def test_status_changes_only_from_enrolled_and_the_register_is_replaced(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "501", "Arta Krasniqi")
    await trainee(runtime, cohort, "502", "Blerim Gashi")
    session = await add_session(runtime, cohort, "15.03.2027 17:30")
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        arta, blerim = [t.enrolment_id for t in await register.trainees(tx, cohort.id)]
        assert await cohorts.mark_dropped(tx, arta, date(2027, 4, 1), None)
        assert not await cohorts.mark_completed(tx, arta, now)  # dropped stays dropped
        assert await cohorts.mark_completed(tx, blerim, now)
        assert await register.save(tx, session.id, [arta, blerim], {arta, blerim}, None, now) == 2
        assert await register.save(tx, session.id, [arta, blerim], {blerim}, None, now) == 1
        assert await register.marks(tx, session.id) == {arta: False, blerim: True}
        rows = {t.enrolment_id: t for t in await register.trainees(tx, cohort.id)}
    assert (rows[arta].status, rows[arta].dropped_on, rows[arta].attendance_rate) == ("dropped", date(2027, 4, 1), 0.0)
    assert (rows[blerim].status, rows[blerim].registers, rows[blerim].present) == ("completed", 1, 1)


async def test_a_survey_response_makes_at_most_one_placement(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "501", "Arta Krasniqi")
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        (arta,) = [t.enrolment_id for t in await register.trainees(tx, cohort.id)]
        await tx.execute(
            "INSERT INTO survey_invitations(id, survey_id, wave, enrolment_id, due_at, expires_at, created_at)"
            " VALUES (7, 's', 'm3', ?, '2026-01-01T00:00:00.000000Z', '2026-02-01T00:00:00.000000Z',"
            " '2026-01-01T00:00:00.000000Z')",
            (arta,),
        )
        new = NewPlacement(arta, "job", None, None, False, "survey", invitation_id=7)
        first = await placements.add(tx, new, confirmed=False, staff_id=None, now=now)
        assert first is not None
        assert await placements.add(tx, new, confirmed=False, staff_id=None, now=now) is None
        assert [p.id for p in await placements.waiting(tx)] == [first]
        assert await placements.confirmed_by_application(tx) == {}
        assert await placements.confirm(tx, first, 1, now)
        assert not await placements.confirm(tx, first, 1, now)
        with pytest.raises(ValueError):
            await placements.add(
                tx, NewPlacement(arta, "volunteer", None, None, False, "staff"), confirmed=True, staff_id=1, now=now
            )
        with pytest.raises(sqlite3.IntegrityError):
            await tx.execute("UPDATE placements SET ict = 2 WHERE id = ?", (first,))
    async with runtime.db.reading() as conn:
        (found,) = (await placements.confirmed_by_application(conn)).values()
    assert (found.kind, found.ict) == ("job", False)


async def test_forgetting_a_person_drops_what_was_typed_about_them_and_keeps_the_counts(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    await trainee(runtime, cohort, "501", "Arta Krasniqi")
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        (arta,) = await register.trainees(tx, cohort.id)
        user = await users.find(tx, "telegram", "501")
        assert user is not None
        await placements.add(
            tx,
            NewPlacement(arta.enrolment_id, "job", "Gjirafa", None, True, "staff"),
            confirmed=True,
            staff_id=1,
            now=now,
        )
        await cohorts.mark_dropped(tx, arta.enrolment_id, date(2027, 4, 1), "Moved to Germany")
        await people.erase(tx, user.id, now)
    async with runtime.db.reading() as conn:
        (after,) = await register.trainees(conn, cohort.id)
        (placement,) = await placements.of_cohort(conn, cohort.id)
        assert len(await placements.confirmed_by_application(conn)) == 1
    assert (after.status, after.dropped_on, after.dropout_reason) == ("dropped", date(2027, 4, 1), None)
    assert (placement.employer, placement.kind, placement.ict) == (None, "job", True)
