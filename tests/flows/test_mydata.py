"""/mydata: every stored fact in the person's language, and the same as a JSON file."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.i18n import _, format_date, use_language
from bot.reference.texts import application_status, programme_title
from bot.reference.tracks import track_label
from bot.runtime import Runtime
from bot.surveys.loader import catalogue_for
from storage import programmes
from tests.support.chat import Chat
from tests.support.privacy import (
    EMAIL,
    GUARDIAN,
    GUARDIAN_PHONE,
    MOTIVATION,
    NAME,
    PHONE,
    PLACEMENT_EMPLOYER,
    full_person,
)

LANGUAGES = ("sq", "sr", "en")


async def expected_words(runtime: Runtime, language: str) -> list[str]:
    """What the reader must see, as their language writes it."""
    async with runtime.db.reading() as conn:
        programme = await programmes.by_code(conn, "pro2y-software")
    assert programme is not None
    municipality = runtime.engine.municipalities.get("prishtine")
    assert municipality is not None
    survey = catalogue_for(runtime.settings.survey_dir).get("employment-followup")
    assert survey is not None
    status_question = survey.question("employment_status")
    assert status_question is not None
    with use_language(language):
        return [
            programme_title(programme),
            municipality.name(language),
            format_date(date(2010, 1, 20)),
            application_status("accepted"),
            _("Full name"),
            _("Date of birth"),
            _("Municipality"),
            _("Parent or guardian"),
            _("Female"),
            _("Secondary school"),
            _("Student, not working"),
            _("Trainings and attendance"),
            _("I will attend"),
            _("Register, {date}: {came}").format(date=format_date(date(2027, 3, 15)) + ", 17:30", came=_("came")),
            _("Placement: {kind} at {employer}, from {date}, in ICT: {ict} ({confirmed})").format(
                kind=_("internship"),
                employer=PLACEMENT_EMPLOYER,
                date=format_date(date(2026, 12, 1)),
                ict=_("Yes"),
                confirmed=_("confirmed by staff"),
            ),
            _("Session reminders: {state}").format(state=_("off")),
            _("New-opening alerts: {state}").format(state=_("on")),
            track_label("web"),
            track_label("software"),
            "Junior web developer",
            survey.title.get(),
            status_question.label.get(),
            status_question.choices[0].text.get(),
            _("Counted as placed in a job or internship: {answer}").format(answer=_("Yes")),
            _("Came through the link: {source}").format(source="fb_spring"),
            NAME,
            PHONE,
            EMAIL,
            GUARDIAN,
            GUARDIAN_PHONE,
            MOTIVATION,
        ]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_mydata_shows_everything_in_the_readers_language(runtime: Runtime, language: str) -> None:
    person = await full_person(runtime, language=language)
    chat = Chat(runtime, person.platform_id)
    replies = await chat.send("/mydata")
    text = "\n".join(r.text for r in replies)
    for word in await expected_words(runtime, language):
        assert word in text, (language, word)
    assert person.reference in text
    # no stored codes or raw dates in the readable view
    for code in ("pro2y-software", "prishtine", "employed_full_time", "2010-01-20", "secondary", "_finished"):
        assert code not in text, code
    assert len(replies) >= 7  # one message per group, each within the platforms' limits
    assert all(len(r.text) < 4096 for r in replies)
    (document,) = [r.document for r in replies if r.document is not None]
    assert document.own_data and document.filename.endswith(".json")


async def test_the_json_copy_matches_the_database(runtime: Runtime) -> None:
    person = await full_person(runtime)
    chat = Chat(runtime, person.platform_id)
    replies = await chat.send("/mydata")
    (document,) = [r.document for r in replies if r.document is not None]
    copy = json.loads(document.content.decode("utf-8"))
    assert copy["format"] == "youthbot-personal-data/1"
    async with runtime.db.reading() as conn:
        user = dict((await conn.execute_fetchall("SELECT * FROM users WHERE id = ?", (person.user_id,)))[0])
        (app,) = [
            dict(r)
            for r in await conn.execute_fetchall(
                "SELECT a.*, p.code FROM applications a JOIN programmes p ON p.id = a.programme_id WHERE user_id = ?",
                (person.user_id,),
            )
        ]
        history = await conn.execute_fetchall(
            "SELECT to_status, personal_note FROM application_status_history WHERE application_id = ? ORDER BY at, id",
            (app["id"],),
        )
        (enrolment,) = await conn.execute_fetchall(
            "SELECT e.status, c.code FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE e.user_id = ?",
            (person.user_id,),
        )
        rsvps = await conn.execute_fetchall("SELECT answer FROM session_answers WHERE user_id = ?", (person.user_id,))
        tracks = await conn.execute_fetchall(
            "SELECT track FROM alert_tracks WHERE user_id = ? ORDER BY track", (person.user_id,)
        )
        interests = await conn.execute_fetchall(
            "SELECT opening_id FROM opening_interest WHERE user_id = ?", (person.user_id,)
        )
        invitations = await conn.execute_fetchall(
            "SELECT id, wave, status FROM survey_invitations WHERE user_id = ? ORDER BY due_at, id", (person.user_id,)
        )
        answers = {
            r[0]: json.loads(r[1])
            for r in await conn.execute_fetchall(
                "SELECT question_id, value FROM survey_answers WHERE invitation_id = ?", (invitations[0][0],)
            )
        }
    account = copy["account"]
    assert (account["channel"], account["platform_id"], account["display_name"], account["language"]) == (
        user["channel"],
        user["platform_id"],
        user["display_name"],
        user["language"],
    )
    assert copy["came_from"]["source"] == user["source"]
    (stored,) = copy["applications"]
    for key, column in (
        ("reference", "reference"),
        ("programme", "code"),
        ("status", "status"),
        ("full_name", "full_name"),
        ("birth_date", "birth_date"),
        ("gender", "gender"),
        ("municipality", "municipality"),
        ("phone", "phone"),
        ("email", "email"),
        ("education", "education"),
        ("employment", "employment"),
        ("motivation", "motivation"),
        ("heard_from", "heard_from"),
        ("source", "source"),
        ("language", "language"),
    ):
        assert stored[key] == app[column], key
    assert stored["guardian"]["name"] == app["guardian_name"] and stored["guardian"]["phone"] == app["guardian_phone"]
    assert [(h["to"], h["message"]) for h in stored["status_history"]] == [tuple(h) for h in history]
    (enrolled,) = copy["enrolments"]
    assert (enrolled["status"], enrolled["cohort"]) == tuple(enrolment)
    assert [a["answer"] for a in enrolled["attendance"]] == [r[0] for r in rsvps]
    assert [r["present"] for r in enrolled["register"]] == [True]
    assert [(p["kind"], p["employer"]) for p in enrolled["placements"]] == [("internship", PLACEMENT_EMPLOYER)]
    assert copy["reminders"] == {"on": False}
    assert copy["job_alerts"]["tracks"] == [r[0] for r in tracks] and copy["job_alerts"]["alerts"] is True
    assert [i["opening_id"] for i in copy["interests"]] == [r[0] for r in interests]
    assert [(s["wave"], s["status"]) for s in copy["surveys"]] == [(r[1], r[2]) for r in invitations]
    assert copy["surveys"][0]["answers"] == answers and copy["surveys"][0]["placed"] is True
    assert copy["linked_accounts"] == [{"channel": "viber", "linked_at": copy["linked_accounts"][0]["linked_at"]}]
    assert copy["form_in_progress"]["answers"] == {"full_name": NAME}


async def test_mydata_of_someone_who_only_said_hello(runtime: Runtime) -> None:
    chat = Chat(runtime, "5150")
    await chat.send("/start")
    await chat.press("English")
    replies = await chat.send("/mydata")
    text = "\n".join(r.text for r in replies)
    assert "Account and language" in text and "Language: English" in text
    assert "Applications" not in text
    document = replies[-1].document
    assert document is not None
    copy = json.loads(document.content)
    assert copy["applications"] == [] and copy["account"]["platform_id"] == "5150"
