"""Done when, tried as a new user would on the real channels: a person who applied, trained,
answered a survey and set alerts sees all of it in /mydata and as a file; after /forget
nothing identifying remains (table by table) and the report counts the same; a 15-year-old
goes through the guardian steps. And on Viber the file comes as a file message."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.handlers.telegram.channel import serve
from bot.reports.indicators import build_report
from bot.runtime import Runtime, open_runtime
from bot.services import enrolment
from bot.services.campaigns import graduate_cohort
from bot.surveys.loader import catalogue_for
from storage import cohorts, programmes, surveys, trainees, users
from tests.support.fake_telegram import FakeTelegram, TgUser
from tests.support.fake_viber import FakeViber, ViberUser
from tests.support.privacy import every_row, traces
from tests.support.telegram_harness import TelegramUser
from tests.support.viber_harness import ViberPerson
from tests.support.webhook_harness import RunningServer, running_webhooks

STAFF_ID = 999
NAME = "Vjosa Berisha"
EMPLOYER = "Gjirafa, with my mentor Arben"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def bot(settings: Settings, fake: FakeTelegram, clock: ManualClock) -> AsyncIterator[Runtime]:
    tg = replace(
        settings, telegram_token=fake.token, telegram_api_url=fake.base_url, staff_telegram_ids=frozenset({STAFF_ID})
    )
    stop = asyncio.Event()
    async with open_runtime(tg, clock=clock) as runtime:
        task = asyncio.create_task(serve(runtime, stop))
        yield runtime
        stop.set()
        await asyncio.wait_for(task, 15)


async def apply(user: TelegramUser, name: str, born: str, guardian: bool = False) -> str:
    await user.say("/start", "Shqip")
    await user.press("English", "Language set to English.")
    await user.say("/apply", "Which training")
    await user.press_index(0, "full name")
    await user.say(name, "date of birth")
    if guardian:
        await user.say(born, "a parent or guardian must agree")
        await user.say("Drita", "first and last name")
        await user.say("Drita Berisha", "phone number")
        await user.say("049 111 222", "Does your parent or guardian agree")
        await user.press("Not yet", "talk to your parent or guardian first")
        await user.press("Yes, they agree", "gender")
    else:
        await user.say(born, "gender")
    await user.press("Female", "municipality")
    await user.say("Prishtinë", "phone number")
    user.fake.send_contact(user.user, "+38344123987")
    await user.expect("e-mail")
    await user.say("vjosa@example.com", "education")
    await user.press("Secondary school", "employment")
    await user.press("Looking for work", "why do you want")
    await user.say("I want to build software for schools in Kosovo.", "How did you hear")
    await user.press("Social media", "/privacy")
    await user.press("Yes, I agree", "Please check your answers")
    (confirmation,) = await user.press("Submit", "reference number is")
    assert confirmation.text is not None
    return confirmation.text.split("reference number is ", 1)[1].split(".", 1)[0]


async def enrol_graduate_and_answer(runtime: Runtime, reference: str) -> None:
    """Staff accept the applicant into a cohort that graduated three months ago; the first
    follow-up survey is answered (survey answering itself is tested in tests/flows)."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        programme = await programmes.by_code(tx, "pro2y-software")
        assert programme is not None
        cohort = await cohorts.create(tx, programme.id, "web-2026-1", "Web 2026 1", now, date(2026, 3, 1))
        applicant = await trainees.applicant(tx, reference)
        assert applicant is not None and applicant.user_id is not None
        assert await enrolment.accept(tx, applicant, cohort, runtime.settings, now) is not None
        await graduate_cohort(
            tx, cohort, date(2026, 8, 27), catalogue_for(runtime.settings.survey_dir), runtime.settings, now
        )
        (first, *_rest) = await surveys.of_user(tx, applicant.user_id)
        for question, value, typed in (
            ("employment_status", "employed_full_time", False),
            ("employer", EMPLOYER, True),
            ("job_in_ict", "yes", False),
        ):
            await surveys.save_answer(tx, first.id, question, value, free_text=typed, language="en", now=now)
        await surveys.complete(tx, first.id, "en", now)


async def test_done_when(fake: FakeTelegram, bot: Runtime) -> None:
    runtime = bot
    person = TelegramUser(fake, TgUser(id=6100, first_name="Vjosa", language_code="sq"))
    reference = await apply(person, NAME, "15.03.2004")
    await enrol_graduate_and_answer(runtime, reference)
    await person.say("/alerts", "Job alerts are off")
    await person.press("Turn on job alerts", "Job alerts are on")

    new = await person.say("/mydata", "The same data as a file")
    text = "\n".join(m.text or "" for m in new)
    for seen in (
        reference,
        NAME,
        "Two-year professional programme",
        "Pristina",
        "15 March 2004",
        "Applications",
        "Trainings and attendance",
        "Web 2026 1",
        "Job alerts and interests",
        "New-opening alerts: on",
        "Employment follow-up survey",
        "Employed full-time",
        EMPLOYER,
        "Counted as placed in a job or internship: Yes",
    ):
        assert seen in text, seen
    (document,) = [m for m in new if m.method == "sendDocument"]
    assert document.document is not None and document.document["file_name"].endswith(".json")
    copy = json.loads(document.document["content"])
    assert copy["applications"][0]["reference"] == reference and copy["applications"][0]["full_name"] == NAME
    assert copy["enrolments"][0]["cohort"] == "web-2026-1" and copy["job_alerts"]["alerts"] is True
    assert copy["surveys"][0]["answers"]["employer"] == EMPLOYER

    catalogue = catalogue_for(runtime.settings.survey_dir)
    moment = runtime.clock.now() + timedelta(days=1)
    async with runtime.db.reading() as conn:
        before = await build_report(conn, catalogue, moment)
        user = await users.find(conn, "telegram", "6100")
    assert user is not None
    everything = await every_row(runtime)
    needles = [NAME, "+38344123987", "vjosa@example.com", reference, EMPLOYER, "schools in Kosovo"]
    assert traces(everything, needles, [user.id])  # there before

    await person.say("/forget", "Do you really want to delete all your data?")
    await person.press("Yes, delete my data", "Your data has been deleted")
    after = await every_row(runtime)
    assert traces(after, needles, [user.id]) == []
    async with runtime.db.reading() as conn:
        assert await build_report(conn, catalogue, moment) == before

    # a 15-year-old goes through the guardian steps
    minor = TelegramUser(fake, TgUser(id=6101, first_name="Era", language_code="sq"))
    young = await apply(minor, "Era Gashi", "01.12.2010", guardian=True)
    staff = TelegramUser(fake, TgUser(id=STAFF_ID))
    notice = (await staff.expect(young))[-1]
    assert notice.text is not None and "Drita Berisha" in notice.text and "+38349111222" in notice.text


@pytest.fixture
async def viber() -> AsyncIterator[FakeViber]:
    async with FakeViber() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def viber_server(settings: Settings, clock: ManualClock, viber: FakeViber) -> AsyncIterator[RunningServer]:
    on_viber = replace(settings, viber_auth_token=viber.token, viber_api_url=viber.base_url)
    async with running_webhooks(on_viber, clock, ready=lambda: viber.webhook_url is not None) as running:
        yield running


async def test_on_viber_the_copy_comes_as_a_file_message(viber: FakeViber, viber_server: RunningServer) -> None:
    person = ViberPerson(viber, ViberUser("mydata00000000000000000=", language="en"))
    await person.open(expect="Please choose your language")
    await person.press("English", "Language set to English.")
    new = await person.say("/mydata", "The same data as a file")
    (file_message,) = [m for m in new if m.body.get("type") == "file"]
    media = file_message.body["media"]
    assert media.startswith(f"{viber_server.base_url}/files/") and media.endswith(".json")
    assert file_message.body["file_name"].endswith(".json")
    async with httpx.AsyncClient() as client:
        fetched = await client.get(media)
        wrong_name = await client.get(media.rsplit("/", 1)[0] + "/other.json")
        guessed = await client.get(f"{viber_server.base_url}/files/guessed/my-data.json")
    assert fetched.status_code == 200 and fetched.headers["cache-control"] == "no-store"
    assert file_message.body["size"] == len(fetched.content)
    copy = json.loads(fetched.content)
    assert copy["account"]["channel"] == "viber" and copy["account"]["platform_id"] == person.user.id
    assert wrong_name.status_code == 404 and guessed.status_code == 404
