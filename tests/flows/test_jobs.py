"""/jobs: paging, filters, details, "I'm interested" once, closed openings, forged buttons."""

from __future__ import annotations

from datetime import date, timedelta

from bot.messages import InputKind, UserInput
from bot.runtime import Runtime
from storage import openings, outbox
from tests.support.chat import Chat
from tests.support.forms import choose_language, submit_application
from tests.support.openings import add_opening


def _keys(chat: Chat) -> list[str]:
    return [o.key for o in chat.prompt().options]


async def _press_key(chat: Chat, key: str) -> None:
    await chat.send(UserInput(InputKind.OPTION, key))


async def _youth(runtime: Runtime, user_id: str = "1001") -> Chat:
    chat = Chat(runtime, user_id)
    await choose_language(chat)
    return chat


async def test_list_pages_newest_first(runtime: Runtime, clock) -> None:
    for n in range(12):
        clock.advance(timedelta(minutes=1))
        await add_opening(runtime, title=f"Opening {n:02d}")
    chat = await _youth(runtime)
    await chat.send("/jobs")
    text = chat.text()
    assert "12 current openings" in text and "page 1 of 3" in text
    assert text.index("Opening 11") < text.index("Opening 07") and "Opening 06" not in text
    await chat.press("Next")
    assert "page 2 of 3" in chat.text() and "Opening 06" in chat.text() and "Opening 07" not in chat.text()
    await chat.press("Next")
    assert "page 3 of 3" in chat.text() and "Opening 00" in chat.text()
    assert not any("Next" in o.label for o in chat.prompt().options)
    await chat.press("Previous")
    assert "page 2 of 3" in chat.text()


async def test_filters_by_type_and_track(runtime: Runtime) -> None:
    await add_opening(runtime, title="Web job", kind="job", tracks=("web",))
    await add_opening(runtime, title="Network internship", kind="internship", tracks=("networks",))
    await add_opening(runtime, title="Web internship", kind="internship", tracks=("web", "mobile"))
    chat = await _youth(runtime)
    await chat.send("/jobs")
    await chat.press("Filter by type")
    await chat.press("Internships")
    assert "2 current openings (Internships)" in chat.text() and "Web job" not in chat.text()
    await chat.press("Filter by track")
    await chat.press("Web development")
    assert "1 current opening (Internships · Web development)" in chat.text() and "Web internship" in chat.text()
    await chat.press("Filter by type")
    await chat.press("jobs.list.0.job.web")
    assert "1 current opening (Jobs · Web development)" in chat.text() and "Web job" in chat.text()
    await chat.press("Show all")
    assert "3 current openings" in chat.text()
    await chat.press("Filter by track")
    await chat.press("Entrepreneurship")
    assert "No current openings match this filter (Entrepreneurship)" in chat.text()


async def test_detail_and_interest_recorded_once_with_a_staff_notice(runtime: Runtime) -> None:
    staff = Chat(runtime, user_id="999")  # the staff notice is written in the staff member's language
    await staff.send("/start")
    await staff.press("English")
    opening = await add_opening(runtime, title="Junior web developer")
    chat = await _youth(runtime)
    reference = await submit_application(chat)
    assert reference
    await chat.send("/jobs")
    await chat.press("Junior web developer")
    assert "💼 Job: Junior web developer" in chat.text() and "Apply by: 31 December 2026" in chat.text()
    assert "Where: Pristina" in chat.text() and "Tracks: Web development" in chat.text()
    await chat.press("I'm interested")
    assert "We noted your interest in “Junior web developer”" in chat.text()
    assert "https://acme.example/jobs" in chat.text()
    await _press_key(chat, f"jobs.interest.{opening.id}")  # pressed again, from the same old message
    assert "You already told us you are interested" in chat.text()
    async with runtime.db.reading() as conn:
        assert await openings.interest_count(conn, opening.id) == 1
        async with conn.execute(
            "SELECT payload FROM outbox WHERE kind = 'staff_notice' AND dedup_key LIKE 'interest:%'"
        ) as cur:
            notices = [row[0] for row in await cur.fetchall()]
    assert len(notices) == 1
    assert "Test User is interested in opening #1: Junior web developer" in notices[0] and "+38344123456" in notices[0]


async def test_closed_and_expired_openings_show_as_closed(runtime: Runtime, clock) -> None:
    closed = await add_opening(runtime, title="Closed one")
    expired = await add_opening(runtime, title="Expired one", deadline=date(2026, 11, 30))
    chat = await _youth(runtime)
    await chat.send("/jobs")
    await chat.press("Expired one")
    old_detail = chat.prompt()
    assert any(o.key == f"jobs.interest.{expired.id}" for o in old_detail.options)
    async with runtime.db.transaction() as tx:
        await openings.close(tx, closed.id, clock.now())
    clock.advance(timedelta(days=4))  # past the deadline of 30 November
    await _press_key(chat, f"jobs.interest.{expired.id}")  # the old button
    assert "Sorry, “Expired one” is closed" in chat.text()
    await _press_key(chat, f"jobs.show.{closed.id}.0.all.all")
    assert "This opening is closed" in chat.text()
    assert not any(o.key.startswith("jobs.interest") for o in chat.prompt().options)
    await chat.send("/jobs")
    assert "There are no open jobs or internships right now" in chat.text()


async def test_forged_buttons_are_refused(runtime: Runtime) -> None:
    opening = await add_opening(runtime)
    chat = await _youth(runtime)
    for key in (
        "jobs.show.99999",
        "jobs.show.x",
        "jobs.list.-1.all.all",
        "jobs.list.0.cars.all",
        "jobs.list.0.all.cooking",
        "jobs.list.99999999.all.all",
        "jobs.interest.1.2",
        "jobs.nothing",
        f"jobs.show.{opening.id}.0.job",
        "openings.confirm.1",
        "alerts.t.cooking",
    ):
        await _press_key(chat, key)
        assert "That button is no longer active." in chat.text(), key
    async with runtime.db.reading() as conn:
        assert (await openings.get(conn, opening.id)).status == "open"  # the staff-only button did nothing


async def test_staff_close_an_opening_from_its_detail(runtime: Runtime) -> None:
    opening = await add_opening(runtime, title="Cashier")
    staff = Chat(runtime, "999")
    await choose_language(staff)
    await staff.send("/jobs")
    await staff.press("Cashier")
    assert "Staff: 0 people are interested." in staff.text()
    await staff.press("Close this opening")
    assert "Close opening #1 “Cashier”?" in staff.text()
    await staff.press("Yes, close it")
    assert "Opening #1 “Cashier” is closed." in staff.text()
    await _press_key(staff, f"openings.confirm.{opening.id}")
    assert "already closed" in staff.text()
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn, f"opening:{opening.id}") == {}
