"""A person with something in every table the person page reads, with personal data no page should leak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.runtime import Runtime
from bot.services import applications as application_service
from storage import alerts, applications, attendance, cohorts, links, openings, programmes, surveys, users
from storage.surveys import NewInvitation
from tests.support.openings import new_opening
from tests.support.training import add_session, enrol, make_cohort

# Values that appear nowhere else in the pages, so finding one in the HTML means a leak.
NAME = "Zanafilla Qëndresë-Mirëkuptim"
PHONE = "+38349717171"
EMAIL = "zanafilla.unique@example.net"
MOTIVATION = "Dua të bëhem programuese sepse xhaxhai im Bekim ndërtoi radion e parë"
CHAT_NAME = "Zana Telegramovna"
EMPLOYER_TYPED = "Kompania Sekrete Lulëkuqe"


@dataclass(frozen=True)
class Seeded:
    user_id: int
    other_user_id: int  # the Viber account whose records moved to this person
    application_id: int
    reference: str
    cohort_id: int
    session_id: int
    opening_id: int
    invitation_id: int


async def seed_person(runtime: Runtime, platform_id: str = "70001") -> Seeded:
    """An applicant, enrolled, who answered a session, a survey and showed interest in an opening."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as tx:
        user, _ = await users.get_or_create(tx, "telegram", platform_id, platform_id, CHAT_NAME, now)
        await users.set_language(tx, user.id, "sq", now)
        programme = await programmes.by_code(tx, "pro2y-software")
        assert programme is not None
        app = await application_service.submit(
            tx,
            applications.NewApplication(
                user_id=user.id,
                programme_id=programme.id,
                full_name=NAME,
                birth_date="2003-06-01",
                gender="female",
                municipality="gjakove",
                phone=PHONE,
                email=EMAIL,
                education="secondary",
                employment="unemployed",
                motivation=MOTIVATION,
                heard_from=None,
                source=None,
                language="sq",
                consent_at=now,
            ),
            now,
            runtime.settings.timezone,
        )
        await alerts.set_alerts(tx, user.id, True, now)
        await alerts.set_tracks(tx, user.id, ["web"], now)
        other, _ = await users.get_or_create(tx, "viber", "vb-" + platform_id, "vb-" + platform_id, CHAT_NAME, now)
        code = await links.issue(tx, other.id, now, now + timedelta(minutes=10))
        found = await links.find(tx, code)
        assert found is not None
        await links.mark_used(tx, found.id, user.id, now)
    cohort = await make_cohort(runtime)
    await enrol(runtime, app.reference, cohort)
    session = await add_session(runtime, cohort, "2026-11-20 10:00")
    async with runtime.db.transaction() as tx:
        await attendance.set_answer(tx, session.id, user.id, "yes", now)
        opening = await openings.create(tx, new_opening(), None, now)
        await openings.add_interest(tx, opening.id, user.id, now)
        [enrolment] = [e.id for e in await cohorts.enrolments_of_user(tx, user.id)]
        invitation_id = await surveys.plan(
            tx,
            NewInvitation("employment-followup", "m3", enrolment, user.id, now, now + timedelta(days=14)),
            now,
        )
        assert invitation_id is not None
        await surveys.save_answer(
            tx, invitation_id, "employment_status", "employed_full_time", free_text=False, language="sq", now=now
        )
        await surveys.save_answer(tx, invitation_id, "employer", EMPLOYER_TYPED, free_text=True, language="sq", now=now)
        await surveys.save_answer(tx, invitation_id, "job_in_ict", "yes", free_text=False, language="sq", now=now)
    return Seeded(user.id, other.id, app.id, app.reference, cohort.id, session.id, opening.id, invitation_id)
