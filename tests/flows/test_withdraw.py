"""/status shows every status in the applicant's language and offers to withdraw while it may."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from bot.services import decisions
from bot.services.decisions import Decision
from storage import application_lifecycle, trainees
from tests.support.applicants import add_application, add_staff
from tests.support.chat import Chat


@pytest.fixture(autouse=True)
async def accounts(runtime: Runtime) -> None:
    """Staff members 1..1, whom the decisions below are made by."""
    await add_staff(runtime, 1)


async def test_withdraw_from_status_after_a_confirmation(runtime: Runtime) -> None:
    ref = await add_application(runtime, "1001")
    chat = Chat(runtime, "1001")
    await chat.send("/status")
    assert "status: received, under review" in chat.text()
    await chat.press(f"Withdraw {ref}")
    assert f"Withdraw your application {ref}?" in chat.text()
    await chat.press("No, keep it")
    assert "status: received, under review" in chat.text()
    await chat.press(f"Withdraw {ref}")
    await chat.press("Yes, withdraw")
    assert f"Your application {ref} has been withdrawn" in chat.text()
    await chat.send("/status")
    assert "status: withdrawn" in chat.text() and not chat.last[-1].options
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, ref)
        assert found is not None
        (change,) = await application_lifecycle.history(conn, found.application_id)
    assert (change.from_status, change.to_status, change.by_applicant) == ("submitted", "withdrawn", True)


async def test_only_submitted_and_shortlisted_applications_can_be_withdrawn(runtime: Runtime) -> None:
    ref = await add_application(runtime, "1001", language="sr")
    chat = Chat(runtime, "1001")
    await chat.send("/status")
    stale = chat.prompt()
    async with runtime.db.transaction() as tx:
        await decisions.decide(
            tx, ref, Decision.WAITLISTED, staff_id=1, settings=runtime.settings, now=runtime.clock.now()
        )
    await chat.send("/status")
    assert "статус: на листи чекања" in chat.text() and not chat.last[-1].options
    chat.last = [stale]
    await chat.press(f"Повуци {ref}")  # an old button
    assert f"Пријава {ref} више не може да се повуче." in chat.text()


async def test_a_shortlisted_application_in_albanian(runtime: Runtime) -> None:
    ref = await add_application(runtime, "1001", language="sq")
    async with runtime.db.transaction() as tx:
        await decisions.decide(
            tx, ref, Decision.SHORTLISTED, staff_id=1, settings=runtime.settings, now=runtime.clock.now(), notify=False
        )
    chat = Chat(runtime, "1001")
    await chat.send("/status")
    assert "në listën e ngushtë, në shqyrtim" in chat.text()
    await chat.press(f"Tërhiq {ref}")
    await chat.press("Po, tërhiqe")
    assert "u tërhoq" in chat.text()
