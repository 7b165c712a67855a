"""Applications with chosen fields, for the console's list, decisions and exports."""

from __future__ import annotations

from datetime import datetime

from bot.runtime import Runtime
from bot.services import applications as application_service
from storage import applications, programmes, staff, users


async def add_application(
    runtime: Runtime,
    platform_id: str,
    *,
    name: str = "Arta Krasniqi",
    programme_code: str = "pro2y-software",
    birth_date: str = "2004-03-15",
    gender: str = "female",
    municipality: str = "prishtine",
    phone: str = "+38344123456",
    source: str | None = None,
    heard_from: str | None = None,
    language: str = "en",
    motivation: str = "I want to learn.",
    at: datetime | None = None,
    guardian: applications.Guardian | None = None,
) -> str:
    """A person who chose a language and applied at ``at``; returns the reference."""
    now = at or runtime.clock.now()
    async with runtime.db.transaction() as tx:
        user, _new = await users.get_or_create(tx, "telegram", platform_id, platform_id, name, now)
        await users.set_language(tx, user.id, language, now)
        programme = await programmes.by_code(tx, programme_code)
        assert programme is not None
        app = await application_service.submit(
            tx,
            applications.NewApplication(
                user_id=user.id,
                programme_id=programme.id,
                full_name=name,
                birth_date=birth_date,
                gender=gender,
                municipality=municipality,
                phone=phone,
                email=None,
                education="secondary",
                employment="unemployed",
                motivation=motivation,
                heard_from=heard_from,
                source=source,
                language=language,
                consent_at=now,
                guardian=guardian,
            ),
            now,
            runtime.settings.timezone,
        )
        return app.reference


async def add_staff(runtime: Runtime, count: int = 1) -> list[int]:
    """Console accounts (ids 1..count in a fresh database), for decisions made by staff."""
    async with runtime.db.transaction() as tx:
        made = [
            await staff.create(
                tx, email=f"staff{i}@example.org", name=f"Staff {i}", role="coordinator", language="en",
                now=runtime.clock.now(),
            )
            for i in range(count)
        ]  # fmt: skip
    return [m.id for m in made]
