"""The broadcast composer, its count and preview, the stale confirmation, progress and history in the console."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from markupsafe import escape

from bot.i18n import gettext, ngettext, use_language
from bot.outbox.worker import Unreachable
from bot.runtime import Runtime
from bot.services import openings as opening_service
from bot.services import staff
from bot.services.alerts import queue_alerts
from bot.services.staff import Role
from storage import audit as audit_store
from storage import broadcasts, outbox
from storage.audit import AuditFilter
from tests.support.console import client, confirmation, make_account, signed_in
from tests.support.openings import add_opening, add_person
from tests.support.outbox import FakeSender, worker_for

TEXT = "The job fair is on Friday at the innovation centre."
EVERYONE = {"segment": "everyone", "content": "text", "text": TEXT}


async def _people(runtime: Runtime) -> list[str]:
    """Three people with alerts on, one per language, and one without alerts (never counted for "everyone")."""
    for chat_id, language in (("7001", "sq"), ("7002", "sr"), ("7003", "en")):
        await add_person(runtime, chat_id, alerts_on=True, language=language)
    await add_person(runtime, "7004", alerts_on=False)
    return ["7001", "7002", "7003"]


async def _coordinator(runtime: Runtime, http: httpx.AsyncClient, language: str = "en") -> str:
    member = await make_account(runtime, Role.COORDINATOR)
    if language != "en":
        async with runtime.db.transaction() as tx:
            await staff.set_language(tx, member, language, now=runtime.clock.now())
    return await signed_in(http, "coordinator@example.org")


def _in(language: str, singular: str, plural: str | None = None, n: int = 1) -> str:
    with use_language(language):
        text = ngettext(singular, plural, n) if plural else gettext(singular)
    return text.format(n=n)


async def test_the_count_follows_the_selection_as_json_and_with_the_count_button(runtime: Runtime) -> None:
    await _people(runtime)
    await add_person(runtime, "7005", alerts_on=True, tracks=("web",), language="en")
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        page = await http.get("/broadcasts/new")
        assert page.status_code == 200 and 'src="/static/broadcasts.js"' in page.text
        everyone = (await http.get("/broadcasts/count.json", params={"segment": "everyone"})).json()
        web = (await http.get("/broadcasts/count.json", params={"segment": "track", "track": "web"})).json()
        none = (await http.get("/broadcasts/count.json", params={"segment": "track", "track": "nope"})).json()
        assert everyone == {"count": 4, "text": "That is 4 people now."}
        assert web["count"] == 4  # three with alerts for every track, one for web only
        assert none["count"] is None
        counted = await http.post("/broadcasts/new", data={**EVERYONE, "csrf": csrf})
    assert counted.status_code == 200 and "That is 4 people now." in counted.text
    assert escape(TEXT) in counted.text  # the message typed so far is kept


async def test_the_script_is_served_from_the_console_and_no_page_has_an_inline_script(runtime: Runtime) -> None:
    async with client(runtime) as http:
        await _coordinator(runtime, http)
        script = await http.get("/static/broadcasts.js")
        page = await http.get("/broadcasts/new")
    assert script.status_code == 200 and "count.json" not in script.text  # the URL comes from the page
    assert 'data-count-url="/broadcasts/count.json"' in page.text
    assert "<script>" not in page.text and "style=" not in page.text


async def test_preview_and_count_in_the_staff_language_and_confirm_with_the_count(runtime: Runtime) -> None:
    await _people(runtime)
    woken: list[int] = []
    async with client(runtime, wake=lambda: woken.append(1)) as http:
        csrf = await _coordinator(runtime, http, language="sq")
        preview = await http.post("/broadcasts/preview", data={**EVERYONE, "csrf": csrf})
        assert preview.status_code == 200
        assert "Një mesazh nga programi:" in preview.text and escape(TEXT) in preview.text
        assert _in("sq", "That is {n} person now.", "That is {n} people now.", 3) in preview.text
        button = _in("sq", "Send to {n} person", "Send to {n} people", 3)
        assert f">{button}</button>" in preview.text
        assert 'name="expected" value="3"' in preview.text
        sent = await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
    assert (sent.status_code, sent.headers["location"]) == (303, "/broadcasts/1")
    assert woken == [1]  # inside `youthbot run` the outbox worker starts at once
    async with runtime.db.reading() as conn:
        sent_broadcast = await broadcasts.get(conn, 1)
        counts = await outbox.counts(conn, broadcasts.recipients_ref(1))
        entries = await audit_store.search(conn, AuditFilter(action="broadcast.send"))
    assert sent_broadcast is not None and sent_broadcast.text == TEXT and sent_broadcast.created_by is None
    assert counts == {"pending": 3}
    assert len(entries) == 1 and entries[0].staff_email == "coordinator@example.org"
    assert entries[0].detail == {
        "segment": "everyone",
        "segment_arg": None,
        "opening_id": None,
        "recipients": 3,
    }


async def test_a_stale_confirmation_is_shown_again_with_the_new_count(runtime: Runtime) -> None:
    await _people(runtime)
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        preview = await http.post("/broadcasts/preview", data={**EVERYONE, "csrf": csrf})
        assert "Send to 3 people" in preview.text
        await add_person(runtime, "7009", alerts_on=True)  # someone turned alerts on meanwhile
        stale = await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
        assert stale.status_code == 409
        assert "The number of people changed since the preview: it is 4 now." in stale.text
        assert "Send to 4 people" in stale.text and 'name="expected" value="4"' in stale.text
        async with runtime.db.reading() as conn:
            assert await broadcasts.list_all(conn) == []
        again = await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "4", "confirmation": confirmation(), "csrf": csrf}
        )
    assert again.status_code == 303
    async with runtime.db.reading() as conn:
        assert [b.recipients for b in await broadcasts.list_all(conn)] == [4]


async def test_forged_posts_send_nothing(runtime: Runtime) -> None:
    await _people(runtime)
    opening = await add_opening(runtime)
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        no_token = await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation()}
        )
        wrong_token = await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation(), "csrf": "forged"}
        )
        unknown_segment = await http.post(
            "/broadcasts/send",
            data={
                "segment": "all_users",
                "content": "text",
                "text": TEXT,
                "expected": "3",
                "confirmation": confirmation(),
                "csrf": csrf,
            },
        )
        unknown_track = await http.post(
            "/broadcasts/send",
            data={
                "segment": "track",
                "track": "nope",
                "content": "text",
                "text": TEXT,
                "expected": "3",
                "confirmation": confirmation(),
                "csrf": csrf,
            },
        )
        too_short = await http.post(
            "/broadcasts/send",
            data={**EVERYONE, "text": "x", "expected": "3", "confirmation": confirmation(), "csrf": csrf},
        )
        async with runtime.db.transaction() as tx:
            await opening_service.close(tx, opening.id, runtime.clock.now())
        closed = await http.post(
            "/broadcasts/send",
            data={
                "segment": "everyone",
                "content": "opening",
                "opening": str(opening.id),
                "expected": "3",
                "confirmation": confirmation(),
                "csrf": csrf,
            },
        )
    assert [no_token.status_code, wrong_token.status_code] == [403, 403]
    assert [unknown_segment.status_code, unknown_track.status_code, too_short.status_code] == [400, 400, 400]
    assert "That is too short: please write at least 2 characters." in too_short.text
    assert closed.status_code == 400 and "Which opening?" in closed.text  # a closed opening is no longer offered
    async with runtime.db.reading() as conn:
        assert await broadcasts.list_all(conn) == []
        assert await outbox.counts(conn) == {}


async def test_an_opening_is_previewed_as_its_card_and_leaves_out_who_its_alert_reached(runtime: Runtime) -> None:
    await _people(runtime)
    opening = await add_opening(runtime, title="Junior tester")
    async with runtime.db.transaction() as tx:
        alerted = await queue_alerts(tx, opening, runtime.settings, runtime.clock.now())
    assert alerted == 3
    await add_person(runtime, "7010", alerts_on=True)
    form = {"segment": "everyone", "content": "opening", "opening": str(opening.id)}
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        count = (await http.get("/broadcasts/count.json", params=form)).json()
        preview = await http.post("/broadcasts/preview", data={**form, "csrf": csrf})
    assert count["count"] == 1
    assert "An opening from the programme:" in preview.text and "Junior tester" in preview.text
    assert "I&#39;m interested" in preview.text and "Send to 1 person" in preview.text


async def test_progress_json_shows_the_outbox_figures_and_the_finished_report(runtime: Runtime) -> None:
    chats = await _people(runtime)
    sender = FakeSender()
    sender.errors[chats[1]] = [Unreachable("Forbidden: bot was blocked by the user")]
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
        before = (await http.get("/broadcasts/1/progress.json")).json()
        page = await http.get("/broadcasts/1")
        assert 'data-progress-url="/broadcasts/1/progress.json"' in page.text and 'href="/broadcasts/1"' in page.text
        worker, _ticks = worker_for(runtime, sender)
        await worker.run_once()
        runtime.clock.advance(timedelta(seconds=1))
        after = (await http.get("/broadcasts/1/progress.json")).json()
        report = await http.get("/broadcasts/1")
        unknown = await http.get("/broadcasts/99/progress.json")
    async with runtime.db.reading() as conn:
        by_status = await outbox.counts(conn, broadcasts.recipients_ref(1))
    assert (before["sent"], before["remaining"], before["finished"], before["state"]) == (0, 3, False, "Sending…")
    assert by_status == {"sent": 2, "unreachable": 1}
    assert after["sent"] == by_status["sent"] and after["not_delivered"] == by_status["unreachable"]
    assert (after["remaining"], after["blocked"], after["finished"], after["state"]) == (0, 1, True, "Finished")
    assert "data-progress-url" not in report.text and "Of them, have blocked the bot" in report.text
    assert unknown.status_code == 404


async def test_each_recipient_gets_it_in_their_language_while_staff_saw_theirs(runtime: Runtime) -> None:
    chats = await _people(runtime)
    sender = FakeSender()
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http, language="sr")
        preview = await http.post("/broadcasts/preview", data={**EVERYONE, "csrf": csrf})
        assert "Програм вам шаље поруку:" in preview.text
        await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
    worker, _ticks = worker_for(runtime, sender)
    await worker.run_once()
    got = dict(sender.sent)
    assert set(got) == set(chats)
    assert got["7001"].startswith("Një mesazh nga programi:") and TEXT in got["7001"]
    assert got["7002"].startswith("Програм вам шаље поруку:")
    assert got["7003"].startswith("A message from the programme:") and "send STOP" in got["7003"]


async def test_the_history_lists_every_broadcast_with_its_counts(runtime: Runtime) -> None:
    await _people(runtime)
    await add_person(runtime, "7011", alerts_on=True, tracks=("web",))
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "4", "confirmation": confirmation(), "csrf": csrf}
        )
        only_web = {"segment": "track", "track": "networks", "content": "text", "text": "Networks meetup."}
        await http.post(
            "/broadcasts/send", data={**only_web, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
        history = await http.get("/broadcasts")
    assert history.status_code == 200
    rows = history.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    assert "People with alerts for Networks" in rows[0] and "<td>3</td>" in rows[0]
    assert "Everyone with alerts" in rows[1] and "<td>4</td>" in rows[1] and "Sending…" in rows[1]


async def test_viewers_and_signed_out_people_get_neither_pages_nor_json(runtime: Runtime) -> None:
    await _people(runtime)
    await make_account(runtime, Role.VIEWER)
    async with client(runtime) as http:
        signed_out = await http.get("/broadcasts/count.json", params={"segment": "everyone"})
        csrf = await signed_in(http, "viewer@example.org")
        count = await http.get("/broadcasts/count.json", params={"segment": "everyone"})
        progress = await http.get("/broadcasts/1/progress.json")
        send = await http.post(
            "/broadcasts/send", data={**EVERYONE, "expected": "3", "confirmation": confirmation(), "csrf": csrf}
        )
        home = await http.get("/")
    assert signed_out.status_code == 303
    assert [count.status_code, progress.status_code, send.status_code] == [403, 403, 403]
    assert "/broadcasts" not in home.text and "/openings" not in home.text  # no menu entry either
    async with runtime.db.reading() as conn:
        assert await broadcasts.list_all(conn) == []


async def test_the_same_confirmation_twice_sends_once_and_none_sends_nothing(runtime: Runtime) -> None:
    await _people(runtime)
    async with client(runtime) as http:
        csrf = await _coordinator(runtime, http)
        without = await http.post("/broadcasts/send", data={**EVERYONE, "expected": "3", "csrf": csrf})
        preview = await http.post("/broadcasts/preview", data={**EVERYONE, "csrf": csrf})
        match = re.search(r'name="confirmation" value="([^"]+)"', preview.text)
        assert match is not None
        confirm = {**EVERYONE, "expected": "3", "confirmation": match.group(1), "csrf": csrf}
        first = await http.post("/broadcasts/send", data=confirm)
        again = await http.post("/broadcasts/send", data=confirm)  # a double click, or the POST reloaded
    assert without.status_code == 400
    assert first.headers["location"] == again.headers["location"] == "/broadcasts/1"
    async with runtime.db.reading() as conn:
        assert len(await broadcasts.list_all(conn)) == 1
        assert await outbox.counts(conn, broadcasts.recipients_ref(1)) == {"pending": 3}
        assert len(await audit_store.search(conn, AuditFilter(action="broadcast.send"))) == 1
