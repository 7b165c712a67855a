"""Decisions on applications: legal moves only, the history, the one outbox message, notes,
and /accept and ``youthbot accept`` going through the same code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cli.training import accept_application
from bot.runtime import Runtime
from bot.services import decisions, notes
from bot.services.decisions import Decision, DecisionError
from storage import application_lifecycle, outbox, trainees
from tests.support.applicants import add_application, add_staff
from tests.support.training import RecordingSender, add_session, known_user, make_cohort, make_worker


@pytest.fixture(autouse=True)
async def accounts(runtime: Runtime) -> None:
    """Staff members 1..8, whom the decisions below are made by."""
    await add_staff(runtime, 8)


async def _status(runtime: Runtime, reference: str) -> str:
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, reference)
        assert found is not None
        return found.status


async def _decide(runtime: Runtime, reference: str, decision: Decision, **kwargs: object) -> decisions.Decided:
    async with runtime.db.transaction() as tx:
        return await decisions.decide(
            tx, reference, decision, staff_id=7, settings=runtime.settings, now=runtime.clock.now(), **kwargs
        )  # type: ignore[arg-type]


async def test_shortlist_then_waitlist_then_accept_keeps_the_history(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    ref = await add_application(runtime, "1")
    assert not (await _decide(runtime, ref, Decision.SHORTLISTED, notify=False)).message_queued
    await _decide(runtime, ref, Decision.WAITLISTED, personal_note="  We  liked your motivation. ")
    done = await _decide(runtime, ref, Decision.ACCEPTED, cohort_id=cohort.id)
    assert done.message_queued and await _status(runtime, ref) == "accepted"
    async with runtime.db.reading() as conn:
        applicant = await trainees.applicant(conn, ref)
        assert applicant is not None
        changes = await application_lifecycle.history(conn, applicant.application_id)
        assert await trainees.enrolled_cohort_of_application(conn, applicant.application_id) == cohort.id
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("submitted", "shortlisted"),
        ("shortlisted", "waitlisted"),
        ("waitlisted", "accepted"),
    ]
    assert changes[1].personal_note == "We liked your motivation." and changes[1].staff_id == 7
    sender = RecordingSender()
    await make_worker(runtime, sender).run_once()
    # The waitlist message was overtaken by the acceptance: only what is still true arrives.
    (text,) = sender.texts("1")
    assert "accepted into Two-year professional programme: software development, group Web 2027 1" in text


@pytest.mark.parametrize(
    ("before", "decision"),
    [
        (Decision.REJECTED, Decision.ACCEPTED),
        (Decision.REJECTED, Decision.SHORTLISTED),
        (Decision.WAITLISTED, Decision.SHORTLISTED),
    ],
)
async def test_illegal_transitions_are_refused(runtime: Runtime, before: Decision, decision: Decision) -> None:
    cohort = await make_cohort(runtime)
    ref = await add_application(runtime, "1")
    await _decide(runtime, ref, before)
    with pytest.raises(DecisionError, match=f"cannot become {decision}") as refused:
        await _decide(runtime, ref, decision, cohort_id=cohort.id)
    assert refused.value.code == "illegal_transition" and await _status(runtime, ref) == before


async def test_acceptance_needs_a_cohort_of_the_programme(runtime: Runtime) -> None:
    other = await make_cohort(runtime, "net-2027-1", "pro2y-networks")
    ref = await add_application(runtime, "1")
    with pytest.raises(DecisionError) as no_cohort:
        await _decide(runtime, ref, Decision.ACCEPTED)
    with pytest.raises(DecisionError) as wrong:
        await _decide(runtime, ref, Decision.ACCEPTED, cohort_id=other.id)
    assert (no_cohort.value.code, wrong.value.code) == ("cohort_required", "other_programme")
    assert await _status(runtime, ref) == "submitted"


async def test_decide_many_decides_what_it_can_and_lists_the_rest(runtime: Runtime) -> None:
    refs = [await add_application(runtime, str(i), phone=f"+3834400000{i}") for i in range(3)]
    await _decide(runtime, refs[0], Decision.REJECTED)
    async with runtime.db.transaction() as tx:
        result = await decisions.decide_many(
            tx,
            [*refs, "YB-00-NOPE"],
            Decision.WAITLISTED,
            staff_id=7,
            settings=runtime.settings,
            now=runtime.clock.now(),
        )
    assert [d.reference for d in result.decided] == refs[1:]
    assert {ref: e.code for ref, e in result.refused.items()} == {
        refs[0]: "illegal_transition",
        "YB-00-NOPE": "not_found",
    }
    async with runtime.db.reading() as conn:
        queued = [item.kind for item in await outbox.due(conn, ["telegram"], runtime.clock.now(), 50)]
    assert queued == [decisions.DECISION_MESSAGE] * 3  # the rejection and two waitlistings


async def test_preview_is_the_message_in_the_applicants_language(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    await add_session(runtime, cohort, "15.03.2027 17:30")
    ref = await add_application(runtime, "1", language="sq")
    async with runtime.db.reading() as conn:
        text = await decisions.preview(
            conn,
            ref,
            Decision.ACCEPTED,
            personal_note="Mirë se vjen!",
            cohort_id=cohort.id,
            settings=runtime.settings,
            now=runtime.clock.now(),
        )
    assert text is not None
    assert "Lajm i mirë" in text and "Web 2027 1" in text and "2027" in text and text.endswith("Mirë se vjen!")


async def test_a_withdrawn_application_cannot_be_decided_and_its_message_is_dropped(runtime: Runtime) -> None:
    ref = await add_application(runtime, "1")
    await _decide(runtime, ref, Decision.SHORTLISTED)
    async with runtime.db.transaction() as tx:
        applicant = await trainees.applicant(tx, ref)
        assert applicant is not None and applicant.user_id is not None
        assert await decisions.withdraw(tx, ref, user_id=applicant.user_id, now=runtime.clock.now()) == "shortlisted"
    with pytest.raises(DecisionError, match="cannot become rejected"):
        await _decide(runtime, ref, Decision.REJECTED)
    sender = RecordingSender()
    await make_worker(runtime, sender).run_once()
    assert sender.texts("1") == []  # the shortlisting message no longer applies


async def test_notes_are_kept_in_order_and_empty_ones_refused(runtime: Runtime) -> None:
    ref = await add_application(runtime, "1")
    async with runtime.db.transaction() as tx:
        await notes.add(tx, ref, "Called her: interested.", staff_id=7, now=datetime(2026, 11, 27, 9, tzinfo=UTC))
        await notes.add(tx, ref, "Prefers evening sessions.", staff_id=8, now=datetime(2026, 11, 28, 9, tzinfo=UTC))
        with pytest.raises(notes.NoteError):
            await notes.add(tx, ref, "   ", staff_id=7, now=runtime.clock.now())
        with pytest.raises(notes.NoteError):
            await notes.add(tx, "YB-00-NOPE", "x", staff_id=7, now=runtime.clock.now())
    async with runtime.db.reading() as conn:
        kept = await notes.list_for(conn, ref)
    assert [(n.staff_id, n.text) for n in kept] == [(7, "Called her: interested."), (8, "Prefers evening sessions.")]


async def _changes(runtime: Runtime, reference: str) -> list[tuple[str, str, int | None]]:
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, reference)
        assert found is not None
        return [
            (c.from_status, c.to_status, c.staff_id)
            for c in await application_lifecycle.history(conn, found.application_id)
        ]


async def test_cli_accept_goes_through_the_decision(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    ref = await add_application(runtime, "1")
    await _decide(runtime, ref, Decision.SHORTLISTED, notify=False)
    out = await accept_application(runtime.settings, ref, cohort.code, runtime.clock)
    assert f"{ref} accepted into {cohort.code}" in out
    assert await _changes(runtime, ref) == [("submitted", "shortlisted", 7), ("shortlisted", "accepted", None)]
    async with runtime.db.reading() as conn:
        (item,) = await outbox.due(conn, ["telegram"], runtime.clock.now(), 50)
    assert item.kind == decisions.DECISION_MESSAGE and item.payload["cohort_id"] == cohort.id


async def test_chat_accept_goes_through_the_decision(runtime: Runtime) -> None:
    cohort = await make_cohort(runtime)
    ref = await add_application(runtime, "1")
    staff = await known_user(runtime, "999")
    await staff.send("/accept")
    await staff.send(f"{ref} {cohort.code}")
    await staff.press("Yes, accept")
    assert await _changes(runtime, ref) == [("submitted", "accepted", None)]
