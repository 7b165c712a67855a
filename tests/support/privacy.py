"""A person with something in every table that can refer to them, and a look at every table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from bot.runtime import Runtime
from bot.services import applications as application_service
from bot.services.campaigns import graduate_cohort
from bot.services.notices import notify_staff
from bot.surveys.loader import catalogue_for
from storage import (
    alerts,
    application_lifecycle,
    applications,
    attendance,
    cohorts,
    conversations,
    links,
    openings,
    outbox,
    placements,
    programmes,
    register,
    surveys,
    trainees,
    users,
)
from storage.conversations import ConversationState
from tests.support.openings import new_opening
from tests.support.training import add_session, enrol, make_cohort

NAME = "Dëshira Krasniqi"
PHONE = "+38344987654"
EMAIL = "deshira@example.com"
GUARDIAN = "Shpresa Krasniqi"
GUARDIAN_PHONE = "+38349111222"
MOTIVATION = "I dream of building apps for the farmers of Drenas."
EMPLOYER_TEXT = "Kutia Sh.p.k., with Besnik Hoxha"
DISPLAY = "Deshira K."
STAFF_NOTE = "Called her mother, all fine"
PERSONAL_NOTE = "Welcome aboard, Dëshira!"
PLACEMENT_EMPLOYER = "Drenas Apps, with Ilir Berisha"


@dataclass(frozen=True)
class Person:
    user_id: int
    viber_user_id: int
    platform_id: str
    reference: str

    def identifying(self) -> list[str]:
        """Values that must appear nowhere once the person is erased."""
        return [
            NAME,
            json.dumps(NAME)[1:-1],
            PHONE,
            EMAIL,
            GUARDIAN,
            GUARDIAN_PHONE,
            MOTIVATION,
            EMPLOYER_TEXT,
            DISPLAY,
            STAFF_NOTE,
            PERSONAL_NOTE,
            PLACEMENT_EMPLOYER,
            self.reference,
            "2010-01-20",  # the birth date
        ]


async def full_person(runtime: Runtime, platform_id: str = "4242", language: str = "en") -> Person:
    """Applied (a minor, with a guardian), accepted and enrolled, answered an RSVP and a survey,
    set reminders and alerts, showed interest in an opening, linked a Viber account, has a form
    in progress, is named in a staff notice and in a staff member's form."""
    now = runtime.clock.now()
    cohort = await make_cohort(runtime)
    async with runtime.db.transaction() as tx:
        user, _new = await users.get_or_create(tx, "telegram", platform_id, platform_id, DISPLAY, now)
        await users.set_language(tx, user.id, language, now)
        await users.set_source(tx, user.id, "fb_spring", now)
        programme = await programmes.by_code(tx, "pro2y-software")
        assert programme is not None
        app = await application_service.submit(
            tx,
            applications.NewApplication(
                user_id=user.id,
                programme_id=programme.id,
                full_name=NAME,
                birth_date="2010-01-20",
                gender="female",
                municipality="prishtine",
                phone=PHONE,
                email=EMAIL,
                education="secondary",
                employment="student",
                motivation=MOTIVATION,
                heard_from="link",
                source="fb_spring",
                language=language,
                consent_at=now,
                age_at_application=16,
                guardian=applications.Guardian(GUARDIAN, GUARDIAN_PHONE, now),
            ),
            now,
            runtime.settings.timezone,
        )
        await notify_staff(
            tx,
            runtime.settings,
            now,
            lambda: f"New application {app.reference}: {NAME}, phone {PHONE}.",
            dedup_key=f"application:{app.reference}",
        )
    await enrol(runtime, app.reference, cohort)
    session = await add_session(runtime, cohort, "15.03.2027 17:30", topic="Git basics")
    async with runtime.db.transaction() as tx:
        await application_lifecycle.record_change(
            tx,
            app.id,
            from_status="accepted",
            to_status="accepted",
            staff_id=None,
            by_applicant=False,
            personal_note=PERSONAL_NOTE,
            now=now,
        )
        await application_lifecycle.add_note(tx, app.id, None, STAFF_NOTE, now)
        await attendance.set_answer(tx, session.id, user.id, "yes", now)
        (enrolled,) = await cohorts.enrolments_of_user(tx, user.id)
        await register.save(tx, session.id, [enrolled.id], {enrolled.id}, None, now)
        await placements.add(
            tx,
            placements.NewPlacement(enrolled.id, "internship", PLACEMENT_EMPLOYER, date(2026, 12, 1), True, "staff"),
            confirmed=True,
            staff_id=None,
            now=now,
        )
        await trainees.set_reminders(tx, user.id, False, now)
        await alerts.set_alerts(tx, user.id, True, now)
        await alerts.set_tracks(tx, user.id, ("web", "software"), now)
        opening = await openings.create(tx, new_opening(), None, now)
        await openings.add_interest(tx, opening.id, user.id, now)
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id="999",
            user_id=None,
            kind="staff_notice",
            payload={"text": f"{DISPLAY} is interested in opening #{opening.id}. Contact: {PHONE}"},
            now=now,
            dedup_key=f"interest:{opening.id}:{user.id}:999",
        )
        applicant = await trainees.applicant(tx, app.reference)
        assert applicant is not None
        _graduated, _planned = await graduate_cohort(
            tx, cohort, date(2026, 11, 20), catalogue_for(runtime.settings.survey_dir), runtime.settings, now
        )
        (first, *_later) = await surveys.of_user(tx, user.id)
        later = now + timedelta(days=1)
        await surveys.save_answer(
            tx, first.id, "employment_status", "employed_full_time", free_text=False, language=language, now=later
        )
        await surveys.save_answer(tx, first.id, "employer", EMPLOYER_TEXT, free_text=True, language=language, now=later)
        await surveys.save_answer(tx, first.id, "job_in_ict", "yes", free_text=False, language=language, now=later)
        await surveys.complete(tx, first.id, language, later)
        viber, _new = await users.get_or_create(tx, "viber", "vb-" + platform_id, "vb-" + platform_id, DISPLAY, now)
        code = await links.issue(tx, viber.id, now, now + timedelta(minutes=10))
        found = await links.find(tx, code)
        assert found is not None
        await links.mark_used(tx, found.id, user.id, now)
        conversations.save(
            tx, user.id, ConversationState("apply", "motivation", "abc123", {"full_name": NAME}, {}), now
        )
        staff_user, _new = await users.get_or_create(tx, "telegram", "999", "999", "Staff", now)
        conversations.save(
            tx, staff_user.id, ConversationState("accept", "cohort", "def456", {"reference": app.reference}, {}), now
        )
    return Person(user.id, viber.id, platform_id, app.reference)


async def every_row(runtime: Runtime) -> dict[str, list[dict[str, object]]]:
    """Every row of every table, by table name."""
    async with runtime.db.reading() as conn:
        tables = [
            row[0]
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        found = {}
        for table in tables:
            async with conn.execute(f'SELECT * FROM "{table}"') as cur:
                found[table] = [dict(row) for row in await cur.fetchall()]
    return found


def traces(rows: dict[str, list[dict[str, object]]], needles: list[str], account_ids: list[int]) -> list[str]:
    """Where any of ``needles`` appears in a value, or a person column names one of the accounts."""
    person_columns = {"user_id", "used_by_user_id", "created_by"}
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            for column, value in row.items():
                text = "" if value is None else str(value)
                hits = [n for n in needles if n and n in text]
                if hits:
                    found.append(f"{table}.{column} holds {hits[0]!r}")
                if column in person_columns and value in account_ids:
                    found.append(f"{table}.{column} = {value}")
                if table == "users" and column == "id" and value in account_ids:
                    found.append(f"users row {value}")
    return found
