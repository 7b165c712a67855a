"""Answering a survey in the chat: buttons and text, skip logic, summary and edits,
re-prompts, stopping and coming back (also after a restart), one response per invitation."""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import ManualClock
from bot.config import Settings
from bot.messages import InputKind, Reply, UserInput
from bot.runtime import Runtime, open_runtime
from storage import conversations, surveys
from tests.support.chat import Chat
from tests.support.surveys import RecordingSender, english_graduate, graduate, invitations_of, start_button, worker

GRADUATED = date(2026, 8, 20)  # the 3-month wave is due on 20 November, a week before the test clock


async def invited(runtime: Runtime) -> tuple[Chat, Reply]:
    """A graduate who chose English and has just received the 3-month invitation."""
    chat = await english_graduate(runtime)
    assert await graduate(runtime, ["1001"], GRADUATED) == 3
    sender = RecordingSender()
    await worker(runtime, sender).run_once()
    (invitation,) = sender.to("1001")
    return chat, invitation


async def test_the_invitation_opens_the_survey_and_a_full_answer_is_stored(runtime: Runtime) -> None:
    chat, invitation = await invited(runtime)
    assert invitation.text.startswith("Employment follow-up survey\n\nHello! We would like to know")
    assert "Open until: 20 December 2026" in invitation.text
    assert [o.label for o in invitation.options] == ["Start the survey"] and invitation.menu
    await chat.send(start_button(invitation))
    assert "Thank you for taking part!" in chat.text()
    assert chat.prompt().text == "What is your current employment status?"
    await chat.press("Employed full-time")
    assert chat.text().startswith("What is the name of your employer")
    await chat.send("Acme Sh.p.k.")
    await chat.send("Junior developer")
    assert chat.prompt().text.startswith("Is your work in information and communication technology")
    await chat.press("Yes")
    assert "for example 27.11.2026" in chat.text()
    await chat.send("01.09.2026")
    await chat.press("€500–799")
    assert "1 means not at all, 5 means very much." in chat.prompt().text
    await chat.press("4")
    await chat.press("No")  # no business of their own: the registration question is skipped
    assert chat.prompt().text.startswith("Are you continuing your education")
    await chat.press("Yes")
    assert "Choose all that apply, then press Done." in chat.prompt().text
    await chat.press("University studies")
    await chat.press("Other course/training")
    await chat.press("✓ University studies")  # untick
    labels = [o.label for o in chat.prompt().options]
    assert "University studies" in labels and "✓ Other course/training" in labels
    await chat.press("University studies")
    await chat.press("Done")
    assert chat.prompt().text.startswith("Is there anything else")
    await chat.press("Skip")
    summary = chat.prompt().text
    assert summary.startswith("Please check your answers:")
    for line in (
        "Employment status: Employed full-time",
        "Employer: Acme Sh.p.k.",
        "Job in ICT: Yes",
        "Start date: 1 September 2026",
        "Training helped: 4/5",
        "New business: No",
        "Kind of study: University studies, Another course or training",
        "Comment: (skipped)",
    ):
        assert line in summary
    assert "Business registered" not in summary
    await chat.press("Submit")
    assert chat.text().startswith("Thank you! Your answers have been saved.")
    (m3, _m6, _m12) = await invitations_of(runtime, "1001")
    assert m3.status == "completed" and m3.language == "en" and m3.wave == "m3"
    async with runtime.db.reading() as conn:
        answers = await surveys.answers(conn, m3.id)
        async with conn.execute(
            "SELECT count(*) FROM survey_answers WHERE invitation_id = ? AND answered_at IS NOT NULL", (m3.id,)
        ) as cur:
            (timed,) = await cur.fetchone()
    assert answers == {
        "employment_status": "employed_full_time",
        "employer": "Acme Sh.p.k.",
        "job_title": "Junior developer",
        "job_in_ict": "yes",
        "start_date": "2026-09-01",
        "income_band": "eur_500_799",
        "training_helped": 4,
        "started_business": "no",
        "further_study": "yes",
        "study_kind": ["university", "course"],
        "comment": None,
    }
    assert timed == len(answers)
    await chat.send(start_button(invitation))  # one response per invitation
    assert "You have already answered this survey. Thank you!" in chat.text()


async def test_changing_an_answer_follows_the_skip_logic_both_ways(runtime: Runtime) -> None:
    chat, invitation = await invited(runtime)
    await chat.send(start_button(invitation))
    await chat.press("Looking for a job")
    assert chat.prompt().text.startswith("How much did the training help")  # the job questions are skipped
    await chat.press("3")
    await chat.press("Yes")  # a business of their own
    assert chat.prompt().text == "Is the business registered?"
    await chat.press("No")
    await chat.press("No")  # no further study
    await chat.send("Thanks for everything!")
    assert chat.prompt().text.startswith("Please check your answers:")
    await chat.press("Edit an answer")
    await chat.press("Employment status")
    await chat.press("Employed part-time")  # now the job questions apply
    assert chat.text().startswith("What is the name of your employer")
    await chat.send("Kosovo ICT Ltd")
    await chat.send("Tester")
    await chat.press("Yes")
    await chat.send("1.10.2026")
    await chat.press("Prefer not to say")
    summary = chat.prompt().text
    assert "Employer: Kosovo ICT Ltd" in summary and "Comment: Thanks for everything!" in summary
    await chat.press("Edit an answer")
    await chat.press("Employment status")
    await chat.press("Studying, not working")  # the job answers no longer apply
    summary = chat.prompt().text
    assert summary.startswith("Please check your answers:") and "Employer" not in summary
    await chat.press("Submit")
    (m3, *_later) = await invitations_of(runtime, "1001")
    async with runtime.db.reading() as conn:
        answers = await surveys.answers(conn, m3.id)
    assert answers["employment_status"] == "studying" and "employer" not in answers and "income_band" not in answers


async def test_wrong_answers_get_a_reason_and_the_question_again(runtime: Runtime) -> None:
    chat, invitation = await invited(runtime)
    await chat.send(start_button(invitation))
    await chat.send(UserInput(InputKind.OTHER, "sticker"))
    assert "not stickers" in chat.text() and chat.prompt().text == "What is your current employment status?"
    await chat.send("banana")
    assert "I didn't recognise that" in chat.text()
    await chat.send("employed FULL-time")  # a typed option text is read too
    await chat.send("x" * 101)
    assert "That is 101 characters long; up to 100 characters are accepted. Please shorten it." in chat.text()
    await chat.send("   ")
    assert "Please type your answer." in chat.text()
    await chat.send("Acme")
    await chat.send("Developer")
    await chat.send("maybe")
    assert "Please answer with Yes or No." in chat.text()
    await chat.send("po")  # Albanian yes, typed
    await chat.send("31.02.2026")
    assert "I couldn't read that date" in chat.text()
    await chat.send("01.01.2030")
    assert "That date is in the future" in chat.text()
    await chat.send("15.11.2026")
    await chat.press("Unpaid")
    await chat.send("7")
    assert "Please choose a number from 1 to 5" in chat.text()
    old = chat.prompt()
    await chat.send("5")
    await chat.send(UserInput(InputKind.OPTION, "3", token=old.token))  # a button of an earlier question
    assert "That button belongs to an earlier message" in chat.text()
    await chat.press("No")
    await chat.press("Yes")
    await chat.press("Done")
    assert "Please choose at least one option, then press Done." in chat.text()
    (m3, *_later) = await invitations_of(runtime, "1001")
    async with runtime.db.reading() as conn:
        answers = await surveys.answers(conn, m3.id)
    assert answers["job_in_ict"] == "yes" and answers["training_helped"] == 5 and answers["start_date"] == "2026-11-15"


async def test_stop_for_another_form_and_come_back_later(runtime: Runtime, clock: ManualClock) -> None:
    chat, invitation = await invited(runtime)
    await chat.send(start_button(invitation))
    await chat.press("In an internship")
    await chat.send("Cacttus")
    await chat.send("/apply")  # off to something else
    assert "Which training would you like to apply for?" in chat.text()
    clock.advance(timedelta(days=3))
    await chat.send(start_button(invitation))  # the survey, from the invitation's button
    assert "Welcome back! Let's continue where you left off." in chat.text()
    assert chat.prompt().text.startswith("What is your job title")
    await chat.send("Intern")
    await chat.send("/help")
    await chat.send("/survey")  # and from the command
    assert chat.prompt().text.startswith("Is your work in information")
    await chat.send("/apply")
    await chat.send(start_button(invitation))  # the application form waits while the survey is answered
    for press in ("Yes",):
        await chat.press(press)
    await chat.send("01.11.2026")
    await chat.press("Unpaid")
    await chat.press("2")
    await chat.press("No")
    await chat.press("No")
    await chat.press("Skip")
    await chat.press("Submit")
    assert "Your answers have been saved." in chat.text()
    assert "Which training would you like to apply for?" in chat.text()  # back in the application


async def test_resume_after_a_restart(settings: Settings, clock: ManualClock) -> None:
    async with open_runtime(settings, clock=clock) as runtime:
        chat, invitation = await invited(runtime)
        await chat.send(start_button(invitation))
        await chat.press("Employed full-time")
        await chat.send("Acme")
        assert chat.prompt().text.startswith("What is your job title")
    clock.advance(timedelta(hours=5))
    async with open_runtime(settings, clock=clock) as runtime:
        chat = Chat(runtime, "1001")
        await chat.send("Data analyst")
        assert chat.prompt().text.startswith("Is your work in information")
        (m3, *_later) = await invitations_of(runtime, "1001")
        async with runtime.db.reading() as conn:
            answers = await surveys.answers(conn, m3.id)
        assert answers == {"employment_status": "employed_full_time", "employer": "Acme", "job_title": "Data analyst"}


async def test_a_closed_survey_says_so(runtime: Runtime, clock: ManualClock) -> None:
    chat, invitation = await invited(runtime)
    await chat.send(start_button(invitation))
    await chat.press("Studying, not working")
    clock.advance(timedelta(days=24))  # the 3-month wave closed on 20 December
    await chat.send(start_button(invitation))
    assert "This survey is closed (it was open until 20 December 2026). Thank you all the same!" in chat.text()
    (m3, *_later) = await invitations_of(runtime, "1001")
    assert m3.status == "expired"
    await chat.send("/survey")
    assert "You have no survey to answer right now." in chat.text()
    await chat.send(UserInput(InputKind.OPTION, "survey.999"))  # a forged button
    assert "That button is no longer active." in chat.text()


async def test_a_survey_closing_while_being_answered(runtime: Runtime, clock: ManualClock) -> None:
    chat = await english_graduate(runtime)
    await graduate(runtime, ["1001"], date(2026, 7, 30))  # the 3-month wave closes on 29 November
    sender = RecordingSender()
    await worker(runtime, sender).run_once()
    (invitation,) = sender.to("1001")
    await chat.send(start_button(invitation))
    await chat.press("Studying, not working")
    clock.advance(timedelta(days=3))
    await chat.press("5")
    assert "This survey is closed (it was open until 29 November 2026). Thank you all the same!" in chat.text()
    async with runtime.db.reading() as conn:
        assert await conversations.load(conn, 1) is None  # no survey question waits any more


async def test_a_survey_idle_past_the_conversation_timeout_keeps_its_answers(
    runtime: Runtime, clock: ManualClock
) -> None:
    chat, invitation = await invited(runtime)
    await chat.send(start_button(invitation))
    await chat.press("Employed full-time")
    await chat.send("Acme")
    clock.advance(timedelta(days=8))  # past the 7-day conversation timeout, the survey still open
    await chat.send("Data analyst")
    assert "Your survey was paused for more than 7 days. Your answers so far are saved" in chat.text()
    assert "discarded" not in chat.text()
    (m3, *_later) = await invitations_of(runtime, "1001")
    async with runtime.db.reading() as conn:
        answers = await surveys.answers(conn, m3.id)
    assert answers == {"employment_status": "employed_full_time", "employer": "Acme"}
    await chat.send("/survey")
    assert chat.prompt().text.startswith("What is your job title")
