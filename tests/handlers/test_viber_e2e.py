"""End to end on Viber: signed callbacks into the real web server, replies to the fake Viber API.

The fake checks every request the bot makes (auth header, message and keyboard
shape); any violation fails the test.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import _, use_language
from storage import Database, applications, conversations, users
from tests.support.fake_viber import FakeViber, ViberUser
from tests.support.telegram_harness import consent, prompt, text
from tests.support.viber_harness import ViberPerson
from tests.support.webhook_harness import RunningServer, running_webhooks, snapshot

STAFF_VIBER_ID = "staffStaffStaff0000000=="


@pytest.fixture
async def fake() -> AsyncIterator[FakeViber]:
    async with FakeViber() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
def viber_settings(settings: Settings, fake: FakeViber) -> Settings:
    return replace(
        settings, viber_auth_token=fake.token, viber_api_url=fake.base_url, viber_staff_ids=frozenset({STAFF_VIBER_ID})
    )


@pytest.fixture
async def server(viber_settings: Settings, clock: ManualClock, fake: FakeViber) -> AsyncIterator[RunningServer]:
    async with running_webhooks(viber_settings, clock, ready=lambda: fake.webhook_url is not None) as running:
        yield running


def sq(msgid: str) -> str:
    with use_language("sq"):
        return _(msgid)


async def test_start_up_checks_the_account_and_sets_the_webhook(fake: FakeViber, server: RunningServer) -> None:
    assert [c.method for c in fake.calls[:2]] == ["get_account_info", "set_webhook"]
    assert fake.webhook_url == f"{server.base_url}/viber/webhook"
    assert set(fake.event_types) == {
        "delivered",
        "seen",
        "failed",
        "subscribed",
        "unsubscribed",
        "conversation_started",
    }


async def test_application_in_albanian(fake: FakeViber, server: RunningServer, viber_settings: Settings) -> None:
    person = ViberPerson(fake, ViberUser("arta0000000000000000000=", name="Arta", language="en"))
    welcome = await person.open(context="fb_campaign", expect="Please choose your language")
    assert "receiver" not in welcome.body and {b["Text"] for b in welcome.buttons()} >= {"Shqip", "✓ English"}
    await person.press("Shqip", sq("Language set to English."))
    await person.press(sq("Apply for a training"), prompt("programme", "sq", viber_settings))
    await person.press_index(0, prompt("full_name", "sq", viber_settings))
    await person.say("Arta Krasniqi", prompt("birth_date", "sq", viber_settings))
    await person.say("15.03.2004", prompt("gender", "sq", viber_settings))
    await person.press_index(0, prompt("municipality", "sq", viber_settings))
    asked = await person.say("Prishtinë", prompt("phone", "sq", viber_settings))
    share = asked[-1]
    assert share.body["min_api_version"] >= 3
    assert [b["ActionType"] for b in share.buttons()] == ["share-phone"]
    await person.share_phone("+38344123456", prompt("email", "sq", viber_settings))
    await person.press_index(0, prompt("education", "sq", viber_settings))  # skip the e-mail
    await person.press_index(1, prompt("employment", "sq", viber_settings))
    await person.press_index(0, prompt("motivation", "sq", viber_settings))
    await person.say("Qëllimi: të punoj si zhvilluese softueri.", consent("sq"))  # a colon is typed text, not a button
    await person.press_index(0, text("Please check your answers:", "sq"))
    await person.press_index(0, "YB-")
    async with Database(viber_settings.database_path) as db, db.reading() as conn:
        (row,) = await applications.export_rows(conn)
        user = await users.find(conn, "viber", person.user.id)
    assert row["full_name"] == "Arta Krasniqi" and row["language"] == "sq" and row["phone"] == "+38344123456"
    assert row["source"] == "fb_campaign" and row["heard_from"] == "link"  # the deep link's context
    assert row["motivation"].startswith("Qëllimi:")
    assert user is not None and user.reachable and user.language == "sq"


async def test_bad_input_gets_clear_answers(fake: FakeViber, server: RunningServer, viber_settings: Settings) -> None:
    person = ViberPerson(fake, ViberUser("jane0000000000000000000=", language="en"))
    await person.open(expect="Please choose your language")
    await person.press("English", "Language set to English.")
    await person.say("/apply", "Which training")
    await person.press_index(0, "full name")
    await person.say("Jane Doe", "date of birth")
    await person.send(fake.sticker(person.user), "not stickers")
    await person.send(fake.location(person.user), "date of birth")
    await person.say("zz:forged", "couldn't read that date")  # not one of our buttons: ordinary text
    await person.say("abc123:female", "earlier message")  # a button of an old prompt
    await person.say("x" * 7000, "couldn't read that date")
    await person.say("15.03.2004", "gender")


async def test_a_repeated_callback_is_handled_once(
    fake: FakeViber, server: RunningServer, viber_settings: Settings
) -> None:
    person = ViberPerson(fake, ViberUser("twice000000000000000000=", language="en"))
    await person.open(expect="Please choose your language")
    await person.press("English", "Language set to English.")
    await person.say("/apply", "Which training")
    await person.press_index(0, "full name")
    event = fake.text(person.user, "Jane Doe")
    await person.send(event, "date of birth")
    await person.send(event, "date of birth")  # Viber retries: the current question again, nothing more
    assert not any("couldn't read that date" in m.text for m in fake.sent_to(person.user.id))
    async with Database(viber_settings.database_path) as db, db.reading() as conn:
        user = await users.find(conn, "viber", person.user.id)
        assert user is not None
        state = await conversations.load(conn, user.id)
    assert state is not None and state.step == "birth_date" and state.answers["full_name"] == "Jane Doe"


async def test_forged_and_unsigned_callbacks_are_refused(
    fake: FakeViber, server: RunningServer, viber_settings: Settings
) -> None:
    person = ViberPerson(fake, ViberUser("victim00000000000000000=", language="en"))
    await person.open(expect="Please choose your language")
    await person.press("English", "Language set to English.")
    before = snapshot(viber_settings.database_path)
    sent_before = len(fake.sent_to(person.user.id))
    for event in (
        fake.text(person.user, "/forget"),
        fake.unsubscribed(person.user.id),
        fake.subscribed(ViberUser("new0000000000000000000=")),
    ):
        for signature in (None, "", "0" * 64, "not hex at all"):
            response = await fake.callback(event, signature=signature)
            assert response.status_code == 403
    signed_for_another_body = fake.text(person.user, "/help")
    response = await fake.callback(
        fake.text(person.user, "/forget"), signature=_signature_of(fake, signed_for_another_body)
    )
    assert response.status_code == 403
    assert snapshot(viber_settings.database_path) == before
    assert len(fake.sent_to(person.user.id)) == sent_before


def _signature_of(fake: FakeViber, event: dict) -> str:
    import hashlib
    import hmac
    import json

    return hmac.new(fake.token.encode(), json.dumps(event).encode(), hashlib.sha256).hexdigest()


async def test_staff_export_on_viber_explains_where_to_get_the_file(fake: FakeViber, server: RunningServer) -> None:
    staff = ViberPerson(fake, ViberUser(STAFF_VIBER_ID, language="en"))
    await staff.open(expect="Please choose your language")
    await staff.press("English", "Language set to English.")
    new = await staff.say("/export", "cannot be sent in Viber")
    assert "0 applications" in new[0].text
    other = ViberPerson(fake, ViberUser("notstaff000000000000000=", language="en"))
    await other.open(expect="Please choose your language")
    await other.press("English", "Language set to English.")
    await other.say("/export", "only for the programme's staff")


async def test_opening_the_chat_is_not_a_subscription(
    fake: FakeViber, server: RunningServer, viber_settings: Settings
) -> None:
    person = ViberPerson(fake, ViberUser("opener00000000000000000=", language="sq"))
    welcome = await person.open(expect=sq("Please choose your language:"))
    assert welcome.buttons()[0]["Text"] == "✓ Shqip"  # the phone's language first
    assert not await _reachable(viber_settings, person.user.id)  # no proactive messages yet
    await person.press("English", "Language set to English.")
    assert await _reachable(viber_settings, person.user.id)  # writing subscribes
    again = await person.open(expect="Welcome!", subscribed=True)  # someone known: the welcome menu
    assert "Apply for a training" in [b["Text"] for b in again.buttons()]
    assert await _reachable(viber_settings, person.user.id)


async def _reachable(settings: Settings, viber_id: str) -> bool:
    async with Database(settings.database_path) as db, db.reading() as conn:
        user = await users.find(conn, "viber", viber_id)
    assert user is not None
    return user.reachable


async def test_staff_report_on_viber_shows_the_chart_as_a_picture(fake: FakeViber, server: RunningServer) -> None:
    staff = ViberPerson(fake, ViberUser(STAFF_VIBER_ID, language="en"))
    await staff.open(expect="Please choose your language")
    await staff.press("English", "Language set to English.")
    new = await staff.say("/report", "Placement rate by programme and sex")
    (picture,) = [m for m in new if m.body.get("type") == "picture"]
    assert picture.text == "Placement rate by programme and sex"
    media = picture.body["media"]
    assert media.startswith(f"{server.base_url}/pictures/") and media.endswith(".png")
    async with httpx.AsyncClient() as client:
        fetched = await client.get(media)
        guessed = await client.get(f"{server.base_url}/pictures/not-a-token.png")
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/png"
    assert fetched.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert guessed.status_code == 404
    assert [m for m in new if m.body.get("type") == "text"], "the figures come as text before the picture"


async def test_signed_deeply_nested_json_is_a_400_not_a_crash(
    fake: FakeViber, server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert fake.webhook_url is not None
    body = b"[" * 50_000 + b"]" * 50_000  # 100 KB of nesting, validly signed
    signature = hmac.new(fake.token.encode(), body, hashlib.sha256).hexdigest()
    async with httpx.AsyncClient() as client:
        answer = await client.post(fake.webhook_url, content=body, headers={"X-Viber-Content-Signature": signature})
        healthy = await client.get(f"{server.base_url}/healthz")
    assert answer.status_code == 400
    assert healthy.status_code == 200  # the server goes on serving


async def test_a_huge_chunked_body_from_a_real_client_is_refused_and_the_server_goes_on(
    fake: FakeViber, server: RunningServer
) -> None:
    """How much the app reads is counted at the ASGI level (tests/handlers/test_webhook_bodies.py);
    this sends the same 64 MiB from a real client through the real server."""
    assert fake.webhook_url is not None

    async def sixty_four_mebibytes() -> AsyncIterator[bytes]:
        chunk = b"x" * 65_536
        for _n in range(1024):  # without a Content-Length: chunked
            yield chunk

    async with httpx.AsyncClient() as client:
        try:
            answer = await client.post(fake.webhook_url, content=sixty_four_mebibytes())
            status: int | None = answer.status_code
        except httpx.HTTPError:  # the server may close the connection while the body still comes
            status = None
        healthy = await client.get(f"{server.base_url}/healthz")
    assert status in (413, None)
    assert healthy.status_code == 200
