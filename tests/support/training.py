"""Cohorts, trainees, sessions and an outbox worker for the reminder tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.messages import Reply
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.worker import DeliveryError, OutboxWorker
from bot.parsing.localtime import parse_local
from bot.runtime import Runtime
from bot.services import enrolment
from bot.services import sessions as session_changes
from storage import cohorts, outbox, programmes, trainees, users
from storage.cohorts import Cohort
from storage.sessions import Session, SessionDetails
from tests.support.applicants import add_application
from tests.support.chat import Chat


class RecordingSender:
    """A channel sender that keeps what it was asked to send (or raises queued errors)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.errors: dict[str, list[DeliveryError]] = {}

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        queue = self.errors.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [r.text for c, r in self.sent if chat_id is None or c == chat_id]


class InstantTicks:
    """Rate-limiter time that jumps instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def make_worker(runtime: Runtime, sender: object, per_chat_interval: float = 0.0) -> OutboxWorker:
    ticks = InstantTicks()
    limiter = RateLimiter(1000.0, per_chat_interval, monotonic=ticks.monotonic, sleep=ticks.sleep)
    return OutboxWorker(
        runtime.db, runtime.clock, runtime.settings, runtime.engine.registry, {"telegram": sender}, limiter
    )  # type: ignore[dict-item]


def local(text: str, runtime: Runtime) -> datetime:
    return parse_local(text, runtime.settings.timezone).utc


async def make_cohort(runtime: Runtime, code: str = "web-2027-1", programme_code: str = "pro2y-software") -> Cohort:
    async with runtime.db.transaction() as tx:
        programme = await programmes.by_code(tx, programme_code)
        assert programme is not None
        return await cohorts.create(
            tx, programme.id, code, code.replace("-", " ").title(), runtime.clock.now(), date(2027, 3, 1)
        )


async def known_user(runtime: Runtime, platform_id: str, language: str = "en") -> Chat:
    """Someone who has talked to the bot before and chose a language."""
    async with runtime.db.transaction() as tx:
        user, _new = await users.get_or_create(tx, "telegram", platform_id, platform_id, "Someone", runtime.clock.now())
        await users.set_language(tx, user.id, language, runtime.clock.now())
    return Chat(runtime, platform_id)


async def make_applicant(
    runtime: Runtime, platform_id: str, name: str, programme_code: str = "pro2y-software", language: str = "en"
) -> str:
    """A person who chose a language and applied; returns the reference."""
    return await add_application(runtime, platform_id, name=name, programme_code=programme_code, language=language)


async def enrol(runtime: Runtime, reference: str, cohort: Cohort) -> None:
    async with runtime.db.transaction() as tx:
        applicant = await trainees.applicant(tx, reference)
        assert applicant is not None
        assert await enrolment.accept(tx, applicant, cohort, runtime.settings, runtime.clock.now()) is not None


async def trainee(runtime: Runtime, cohort: Cohort, platform_id: str, name: str, language: str = "en") -> Chat:
    """An enrolled trainee, as a chat that can press buttons."""
    await enrol(runtime, await make_applicant(runtime, platform_id, name, language=language), cohort)
    return Chat(runtime, platform_id)


async def add_session(
    runtime: Runtime,
    cohort: Cohort,
    start: str,
    end: str = "",
    place: str = "Room 3, ICK, Prishtina",
    topic: str | None = "Git basics",
    url: str | None = None,
) -> Session:
    starts = local(start, runtime)
    ends = local(end, runtime) if end else starts + timedelta(hours=2)
    async with runtime.db.transaction() as tx:
        session, _planned = await session_changes.add(
            tx, cohort.id, SessionDetails(starts, ends, place, url, topic), runtime.settings, runtime.clock.now()
        )
    return session


async def outbox_rows(runtime: Runtime, kind: str | None = None) -> list[dict[str, object]]:
    """Every outbox row as a dict (tests only), oldest first."""
    async with runtime.db.reading() as conn:
        sql = "SELECT * FROM outbox" + (" WHERE kind = ?" if kind else "") + " ORDER BY not_before, id"
        async with conn.execute(sql, (kind,) if kind else ()) as cur:
            return [dict(row) for row in await cur.fetchall()]


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.db.reading() as conn:
        return await outbox.counts(conn)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
