"""Building openings, people and cohorts for the openings and broadcast tests."""

from __future__ import annotations

from datetime import date, timedelta

from bot.runtime import Runtime
from bot.services import applications as application_service
from storage import alerts, applications, cohorts, openings, programmes, users
from storage.openings import NewOpening, Opening
from storage.users import User


def new_opening(
    title: str = "Junior web developer",
    kind: str = "job",
    tracks: tuple[str, ...] = ("web",),
    municipality: str | None = "prishtine",
    deadline: date | None = None,
) -> NewOpening:
    return NewOpening(
        kind=kind,
        title=title,
        employer="Acme Sh.p.k.",
        description="Building web applications with a friendly team. Paid, full time.",
        municipality=municipality,
        tracks=tracks,
        deadline=deadline or date(2026, 12, 31),
        apply_how="https://acme.example/jobs",
    )


async def add_opening(runtime: Runtime, **kwargs: object) -> Opening:
    async with runtime.db.transaction() as tx:
        return await openings.create(tx, new_opening(**kwargs), None, runtime.clock.now())  # type: ignore[arg-type]


async def add_person(
    runtime: Runtime,
    platform_id: str,
    *,
    alerts_on: bool = False,
    tracks: tuple[str, ...] = (),
    language: str | None = "en",
    channel: str = "telegram",
) -> User:
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        user, _ = await users.get_or_create(tx, channel, platform_id, platform_id, f"Person {platform_id}", now)
        if language:
            await users.set_language(tx, user.id, language, now)
        if alerts_on:
            await alerts.set_alerts(tx, user.id, True, now)
        if tracks:
            await alerts.set_tracks(tx, user.id, tracks, now)
    return user


async def add_applicant(
    runtime: Runtime, user: User, programme_code: str = "pro2y-software", municipality: str = "prizren"
) -> int:
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        programme = await programmes.by_code(tx, programme_code)
        assert programme is not None
        app = await application_service.submit(
            tx,
            applications.NewApplication(
                user_id=user.id,
                programme_id=programme.id,
                full_name="Test Person",
                birth_date="2004-03-15",
                gender="female",
                municipality=municipality,
                phone="+38344123456",
                email=None,
                education="secondary",
                employment="unemployed",
                motivation="I want to learn.",
                heard_from=None,
                source=None,
                language="en",
                consent_at=now,
            ),
            now,
            runtime.settings.timezone,
        )
    return app.id


async def enrol(runtime: Runtime, application_id: int, cohort_code: str = "web-2027-1", graduate: bool = False) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        cohort = await cohorts.by_code(tx, cohort_code)
        if cohort is None:
            programme = await programmes.by_code(tx, "pro2y-software")
            assert programme is not None
            cohort = await cohorts.create(
                tx, programme.id, cohort_code, f"Cohort {cohort_code}", now, date(2027, 1, 10)
            )
        await cohorts.enrol(tx, cohort.id, application_id, now)
        if graduate:
            await cohorts.complete(tx, cohort.id, now + timedelta(days=1))
