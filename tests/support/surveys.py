"""Graduates, cohorts and an outbox worker for the survey tests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiosqlite

from bot.config import DEFAULT_TIMEZONE
from bot.messages import InputKind, Reply, UserInput
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime
from bot.services import applications as application_service
from bot.services.campaigns import graduate_cohort
from bot.surveys.loader import catalogue_for
from storage import applications, cohorts, programmes, surveys, users
from storage.cohorts import Cohort
from storage.surveys import Invitation
from tests.support.chat import Chat

SURVEY = "employment-followup"


class RecordingSender:
    """Records every reply the outbox sends, per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    def to(self, chat_id: str) -> list[Reply]:
        return [reply for chat, reply in self.sent if chat == chat_id]


class Ticks:
    """A limiter clock that jumps instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def worker(runtime: Runtime, sender: RecordingSender) -> OutboxWorker:
    ticks = Ticks()
    limiter = RateLimiter(1000.0, 0.0, monotonic=ticks.monotonic, sleep=ticks.sleep)
    return OutboxWorker(
        runtime.db, runtime.clock, runtime.settings, runtime.engine.registry, {"telegram": sender}, limiter
    )


async def applicant(
    tx: aiosqlite.Connection,
    platform_id: str,
    now: datetime,
    programme: str = "pro2y-software",
    gender: str = "female",
    birth_date: str = "2003-04-05",
    language: str | None = "en",
) -> applications.Application:
    """A person with a submitted application (their user row created if needed)."""
    user, _new = await users.get_or_create(tx, "telegram", platform_id, platform_id, "Test", now)
    if language is not None and user.language is None:
        await users.set_language(tx, user.id, language, now)
    found = await programmes.by_code(tx, programme)
    assert found is not None
    return await application_service.submit(
        tx,
        applications.NewApplication(
            user_id=user.id,
            programme_id=found.id,
            full_name=f"Person {platform_id}",
            birth_date=birth_date,
            gender=gender,
            municipality="prishtine",
            phone="+38344123456",
            email=None,
            education="secondary",
            employment="unemployed",
            motivation="I want to learn.",
            heard_from=None,
            source=None,
            language=language or "sq",
            consent_at=now,
        ),
        now,
        ZoneInfo(DEFAULT_TIMEZONE),
    )


async def cohort_of(tx: aiosqlite.Connection, code: str, now: datetime, programme: str = "pro2y-software") -> Cohort:
    existing = await cohorts.by_code(tx, code)
    if existing is not None:
        return existing
    found = await programmes.by_code(tx, programme)
    assert found is not None
    return await cohorts.create(tx, found.id, code, f"Cohort {code}", now)


async def graduate(
    runtime: Runtime,
    platform_ids: list[str],
    graduates_on: date,
    code: str = "web-1",
    programme: str = "pro2y-software",
) -> int:
    """Enrol the people in a cohort and graduate it (planning its surveys); returns invitations planned."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        cohort = await cohort_of(tx, code, now, programme)
        for platform_id in platform_ids:
            user = await users.find(tx, "telegram", platform_id)
            apps = await applications.for_user(tx, user.id) if user else []
            app = next((a for a in apps if a.programme_code == programme), None)
            if app is None:
                app = await applicant(tx, platform_id, now, programme)
            await cohorts.enrol(tx, cohort.id, app.id, now)
        _graduated, planned = await graduate_cohort(
            tx, cohort, graduates_on, catalogue_for(runtime.settings.survey_dir), runtime.settings, now
        )
    return planned


async def invitations_of(runtime: Runtime, platform_id: str) -> list[Invitation]:
    async with runtime.db.reading() as conn:
        user = await users.find(conn, "telegram", platform_id)
        assert user is not None
        return await surveys.of_user(conn, user.id)


def start_button(reply: Reply) -> UserInput:
    """Press the 'Start the survey' button under an invitation or a reminder."""
    (option,) = reply.options
    assert option.key.startswith("survey.")
    return UserInput(InputKind.OPTION, option.key)


async def english_graduate(runtime: Runtime, platform_id: str = "1001") -> Chat:
    chat = Chat(runtime, platform_id)
    await chat.send("/start")
    await chat.press("English")
    return chat
