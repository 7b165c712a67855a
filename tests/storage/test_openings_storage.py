"""Openings, interest, alert preferences and broadcast segments in SQLite."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.runtime import Runtime
from storage import alerts, broadcasts, openings, outbox, segments, users
from storage.segments import Segment
from tests.support.openings import add_applicant, add_opening, add_person, enrol

TODAY = date(2026, 11, 27)
CHANNELS = ("telegram",)


async def test_open_openings_newest_first_with_filters_and_paging(runtime: Runtime, clock) -> None:
    made = []
    for n in range(7):
        clock.advance(timedelta(minutes=1))
        made.append(
            await add_opening(
                runtime,
                title=f"Opening {n}",
                kind="job" if n % 2 else "internship",
                tracks=("web",) if n < 4 else ("networks", "systems"),
            )
        )
    async with runtime.db.transaction() as tx:
        assert await openings.close(tx, made[6].id, clock.now())
        assert not await openings.close(tx, made[6].id, clock.now())  # closing twice is a no-op
        listed = await openings.list_open(tx, TODAY, limit=3)
        second = await openings.list_open(tx, TODAY, limit=3, offset=3)
        jobs = await openings.list_open(tx, TODAY, kind="job")
        networks = await openings.list_open(tx, TODAY, track="networks")
        assert await openings.count_open(tx, TODAY) == 6
        assert await openings.count_open(tx, TODAY, kind="internship", track="web") == 2
    assert [o.title for o in listed] == ["Opening 5", "Opening 4", "Opening 3"]
    assert [o.title for o in second] == ["Opening 2", "Opening 1", "Opening 0"]
    assert [o.title for o in jobs] == ["Opening 5", "Opening 3", "Opening 1"]
    assert [o.title for o in networks] == ["Opening 5", "Opening 4"]
    assert networks[0].tracks == ("networks", "systems")


async def test_expired_openings_are_not_listed_but_still_found(runtime: Runtime) -> None:
    old = await add_opening(runtime, deadline=TODAY - timedelta(days=1))
    last_day = await add_opening(runtime, title="Last day", deadline=TODAY)
    async with runtime.db.reading() as conn:
        assert [o.id for o in await openings.list_open(conn, TODAY)] == [last_day.id]
        found = await openings.get(conn, old.id)
    assert found is not None and not found.is_open_on(TODAY) and last_day.is_open_on(TODAY)


async def test_interest_is_recorded_once(runtime: Runtime, clock) -> None:
    opening = await add_opening(runtime)
    person = await add_person(runtime, "2001")
    async with runtime.db.transaction() as tx:
        assert await openings.add_interest(tx, opening.id, person.id, clock.now())
        assert not await openings.add_interest(tx, opening.id, person.id, clock.now() + timedelta(hours=1))
        assert await openings.interest_since(tx, opening.id, person.id) == clock.now()
        assert await openings.interest_count(tx, opening.id) == 1


async def test_alert_preferences(runtime: Runtime, clock) -> None:
    person = await add_person(runtime, "2002")
    now = clock.now()
    async with runtime.db.transaction() as tx:
        assert await alerts.get(tx, person.id) == alerts.AlertPreferences()
        await alerts.set_alerts(tx, person.id, True, now)
        await alerts.set_tracks(tx, person.id, ["web", "mobile"], now)
        assert await alerts.get(tx, person.id) == alerts.AlertPreferences(True, False, frozenset({"web", "mobile"}))
        await alerts.stop(tx, person.id, now)
        assert await alerts.get(tx, person.id) == alerts.AlertPreferences(False, True, frozenset({"web", "mobile"}))
        await alerts.resume(tx, person.id, now)
        assert await alerts.get(tx, person.id) == alerts.AlertPreferences(False, False, frozenset({"web", "mobile"}))
        await alerts.stop(tx, person.id, now)
        await alerts.set_alerts(tx, person.id, True, now)  # turning alerts on lifts the STOP
        assert (await alerts.get(tx, person.id)).stopped is False


async def _ids(runtime: Runtime, segment: Segment, not_alerted_about: int | None = None) -> set[str]:
    async with runtime.db.reading() as conn:
        found = await segments.recipients(conn, segment, CHANNELS, not_alerted_about)
        assert await segments.count(conn, segment, CHANNELS, not_alerted_about) == len(found)
    return {r.chat_id for r in found}


async def test_each_segment(runtime: Runtime, clock) -> None:
    every_track = await add_person(runtime, "3001", alerts_on=True)
    web = await add_person(runtime, "3002", alerts_on=True, tracks=("web",))
    networks = await add_person(runtime, "3003", alerts_on=True, tracks=("networks",))
    await add_person(runtime, "3004")  # alerts off, no applications: in no segment
    stopped = await add_person(runtime, "3005", alerts_on=True)
    blocked = await add_person(runtime, "3006", alerts_on=True)
    await add_person(runtime, "3007", alerts_on=True, channel="console")  # cannot receive proactive messages
    trainee = await add_person(runtime, "3008")
    graduate = await add_person(runtime, "3009")
    dropped = await add_person(runtime, "3010")
    async with runtime.db.transaction() as tx:
        await alerts.stop(tx, stopped.id, clock.now())
        await users.mark_unreachable(tx, "telegram", blocked.chat_id, clock.now())
    await add_applicant(runtime, web, "pro2y-software", "prizren")
    await add_applicant(runtime, stopped, "pro2y-software", "prizren")
    await add_applicant(runtime, networks, "pro2y-networks", "ferizaj")
    await enrol(runtime, await add_applicant(runtime, trainee, "pro2y-software", "peje"), "web-1")
    await enrol(runtime, await add_applicant(runtime, graduate, "pro2y-software", "peje"), "web-0", graduate=True)
    dropped_app = await add_applicant(runtime, dropped, "pro2y-software", "peje")
    await enrol(runtime, dropped_app, "web-1")
    async with runtime.db.transaction() as tx:
        await tx.execute("UPDATE enrolments SET status = 'dropped' WHERE application_id = ?", (dropped_app,))

    assert await _ids(runtime, Segment("everyone")) == {"3001", "3002", "3003"}
    assert await _ids(runtime, Segment("track", "web")) == {"3001", "3002"}
    assert await _ids(runtime, Segment("track", "networks")) == {"3001", "3003"}
    assert await _ids(runtime, Segment("municipality", "prizren")) == {"3002"}
    assert await _ids(runtime, Segment("municipality", "peje")) == {"3008", "3009", "3010"}
    assert await _ids(runtime, Segment("cohort", "web-1")) == {"3008"}
    assert await _ids(runtime, Segment("graduates")) == {"3009"}
    assert await _ids(runtime, Segment("programme", "pro2y-software")) == {"3002", "3008", "3009", "3010"}
    assert await _ids(runtime, Segment("programme", "pro2y-networks")) == {"3003"}
    async with runtime.db.reading() as conn:
        for_web = await segments.alert_recipients(conn, ["web", "mobile"], CHANNELS)
    assert {r.chat_id for r in for_web} == {"3001", "3002"} and every_track.id in {r.user_id for r in for_web}


async def test_an_opening_is_not_broadcast_to_people_its_alert_reached(runtime: Runtime, clock) -> None:
    first = await add_person(runtime, "3101", alerts_on=True)
    await add_person(runtime, "3102", alerts_on=True)
    opening = await add_opening(runtime)
    async with runtime.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="3101",
            user_id=first.id,
            kind="opening_alert",
            payload={"opening": opening.id},
            now=clock.now(),
            dedup_key=segments.alert_dedup_key(opening.id, first.id),
        )
    assert await _ids(runtime, Segment("everyone"), not_alerted_about=opening.id) == {"3102"}
    assert await _ids(runtime, Segment("everyone")) == {"3101", "3102"}


def test_segments_are_checked() -> None:
    with pytest.raises(ValueError):
        Segment("track")
    with pytest.raises(ValueError):
        Segment("everyone", "web")
    with pytest.raises(ValueError):
        Segment("friends")


async def test_broadcast_counts_come_from_its_outbox_rows(runtime: Runtime, clock) -> None:
    async with runtime.db.transaction() as tx:
        broadcast = await broadcasts.create(
            tx, created_by=None, segment=Segment("everyone"), recipients=3, now=clock.now(), text="Hi"
        )
        ids = [
            await outbox.enqueue(
                tx,
                channel="telegram",
                chat_id=str(n),
                user_id=None,
                kind="broadcast",
                payload={"broadcast": broadcast.id},
                now=clock.now(),
                ref=broadcasts.recipients_ref(broadcast.id),
                dedup_key=broadcasts.recipient_key(broadcast.id, n),
            )
            for n in range(3)
        ]
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="9",
            user_id=None,
            kind="broadcast_progress",
            payload={"broadcast": broadcast.id},
            now=clock.now(),
            ref=broadcasts.report_ref(broadcast.id),
            dedup_key=broadcasts.progress_key(broadcast.id),
        )
        await outbox.mark_sending(tx, ids[0])
        await outbox.mark_sent(tx, ids[0], clock.now(), "55")
        await outbox.mark_final(tx, ids[1], "unreachable")
        counts = await broadcasts.delivery_counts(tx, broadcast.id)
        with pytest.raises(ValueError):
            await broadcasts.create(tx, created_by=None, segment=Segment("everyone"), recipients=1, now=clock.now())
    assert (counts.sent, counts.unreachable, counts.pending, counts.remaining, counts.total) == (1, 1, 1, 1, 3)
