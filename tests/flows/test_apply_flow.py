"""The application form through the engine: no network, a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.messages import InputKind, UserInput
from bot.runtime import Runtime, open_runtime
from storage import applications, conversations, outbox, users
from tests.support.chat import Chat
from tests.support.forms import answer_until_consent, choose_language, submit_application


async def _stored_answers(runtime: Runtime, chat: Chat) -> dict:
    async with runtime.db.reading() as conn:
        user = await users.find(conn, chat.channel, chat.user_id)
        assert user is not None
        state = await conversations.load(conn, user.id)
    return state.answers if state else {}


async def test_first_start_asks_language_with_platform_language_first(runtime: Runtime) -> None:
    chat = Chat(runtime, platform_language="sr-RS")
    await chat.send("/start")
    options = chat.prompt().options
    assert options[0].key == "sr" and options[0].label.startswith("✓")
    assert {o.key for o in options} == {"sq", "sr", "sr_Latn", "en"}


async def test_complete_application_in_english(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    reference = await submit_application(chat)
    assert reference.startswith("YB-26-")
    async with runtime.db.reading() as conn:
        rows = await applications.export_rows(conn)
    assert len(rows) == 1
    row = rows[0]
    assert row["full_name"] == "Jane Doe"
    assert row["birth_date"] == "2004-03-15"
    assert row["municipality"] == "prishtine"
    assert row["phone"] == "+38344123456"
    assert row["email"] == "jane@example.com"
    assert row["gender"] == "female"
    assert row["heard_from"] == "social_media"
    assert row["programme_code"] == "pro2y-software"
    assert row["consent_at"] is not None
    assert await _stored_answers(runtime, chat) == {}  # the form is done


async def test_staff_are_notified_through_the_outbox(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    reference = await submit_application(chat)
    async with runtime.db.reading() as conn:
        items = await outbox.due(conn, ["telegram"], runtime.clock.now(), 10)
    assert [i.chat_id for i in items] == ["999"]
    assert reference in items[0].payload["text"]
    assert items[0].kind == "staff_notice"


async def test_wrong_answers_are_re_asked_and_earlier_answers_kept(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Jane Doe")
    await chat.send("yesterday")
    assert "couldn't read that date" in chat.text()
    assert "date of birth" in chat.prompt().text
    await chat.send(UserInput(InputKind.OTHER, "sticker"))
    assert "not stickers" in chat.text()
    await chat.send("'; DROP TABLE applications; --")
    assert "couldn't read that date" in chat.text()
    answers = await _stored_answers(runtime, chat)
    assert answers == {"programme": "pro2y-software", "full_name": "Jane Doe"}


async def test_age_outside_range_is_explained_kindly(chat: Chat) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Old Timer")
    await chat.send("01.01.1980")
    assert "aged 15 to 29" in chat.text() and "you are 46" in chat.text()
    await chat.send("01.01.2010")  # 16: accepted
    assert "gender" in chat.prompt().text


async def test_sql_looking_name_is_stored_verbatim(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Robert'); DROP TABLE users;--")
    assert "doesn't look like a name" in chat.text()
    await chat.send("O'Brien-Krasniqi Jr.")
    assert (await _stored_answers(runtime, chat))["full_name"] == "O'Brien-Krasniqi Jr."


async def test_stale_and_forged_buttons_get_a_clear_answer(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    programme_prompt = chat.prompt()
    await chat.press("pro2y-software")
    # pressing a button of the programme question again, now that we are at the name
    await chat.send(UserInput(InputKind.OPTION, "ict-2m", token=programme_prompt.token))
    assert "earlier message" in chat.text()
    assert "full name" in chat.prompt().text
    # a forged button with the right token but a key that is not offered
    name_token = await _token(runtime, chat)
    await chat.send("Jane Doe")
    await chat.send("15.03.2004")
    gender_token = await _token(runtime, chat)
    assert gender_token != name_token
    await chat.send(UserInput(InputKind.OPTION, "admin", token=gender_token))
    assert "not one of the choices" in chat.text()
    await chat.send(UserInput(InputKind.OPTION, "delete_everything"))  # a forged menu button
    assert "no longer active" in chat.text()
    assert (await _stored_answers(runtime, chat))["birth_date"] == "2004-03-15"


async def _token(runtime: Runtime, chat: Chat) -> str:
    async with runtime.db.reading() as conn:
        user = await users.find(conn, chat.channel, chat.user_id)
        state = await conversations.load(conn, user.id)
    return state.token


async def test_restart_mid_application_continues_at_the_same_question(settings, clock: ManualClock) -> None:
    async with open_runtime(settings, clock=clock) as first:
        chat = Chat(first)
        await choose_language(chat)
        await chat.send("/apply")
        await chat.press("pro2y-software")
        await chat.send("Jane Doe")
    async with open_runtime(settings, clock=clock) as second:
        chat = Chat(second)
        await chat.send("15.03.2004")
        assert "gender" in chat.prompt().text
        assert (await _stored_answers(second, chat))["full_name"] == "Jane Doe"


async def test_consent_refused_discards_everything(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await answer_until_consent(chat)
    await chat.press("no")
    assert "nothing was saved" in chat.text()
    async with runtime.db.reading() as conn:
        assert await applications.export_rows(conn) == []
    assert await _stored_answers(runtime, chat) == {}


async def test_edit_a_single_answer_from_the_summary(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await answer_until_consent(chat)
    await chat.press("yes")
    await chat.press("edit")
    await chat.press("Phone number")
    await chat.send("+383 49 555 666")
    assert "Please check your answers" in chat.prompt().text
    assert "+38349555666" in chat.prompt().text
    await chat.press("submit")
    async with runtime.db.reading() as conn:
        (row,) = await applications.export_rows(conn)
    assert row["phone"] == "+38349555666"
    assert row["full_name"] == "Jane Doe"


async def test_applying_twice_to_the_same_programme_shows_the_status(chat: Chat) -> None:
    await choose_language(chat)
    reference = await submit_application(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    assert "already applied" in chat.text() and reference in chat.text()
    assert "received, under review" in chat.text()


async def test_deep_link_source_is_stored_and_not_asked(runtime: Runtime) -> None:
    chat = Chat(runtime, user_id="2002")
    await chat.send("/start fb_campaign")
    await chat.press("English")
    await answer_until_consent(chat)
    assert "consent" in chat.prompt().text.lower()
    await chat.press("yes")
    assert "How you heard" not in chat.prompt().text
    await chat.press("submit")
    async with runtime.db.reading() as conn:
        (row,) = await applications.export_rows(conn)
    assert row["source"] == "fb_campaign"
    assert row["heard_from"] == "link"


async def test_cancel_leaves_the_form(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("/cancel")
    assert "Cancelled" in chat.text()
    assert await _stored_answers(runtime, chat) == {}
    await chat.send("/cancel")
    assert "nothing to cancel" in chat.text()


async def test_idle_conversation_expires_politely(chat: Chat, runtime: Runtime, clock: ManualClock) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    clock.advance(timedelta(days=8))
    await chat.send("Jane Doe")
    assert "idle for more than 7 days" in chat.text()
    assert await _stored_answers(runtime, chat) == {}


async def test_conversation_within_timeout_is_kept(chat: Chat, runtime: Runtime, clock: ManualClock) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    clock.advance(timedelta(days=6))
    await chat.send("Jane Doe")
    assert "date of birth" in chat.prompt().text


async def test_language_change_mid_form_resumes_in_the_new_language(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("/language")
    await chat.press("sq")
    answers = await _stored_answers(runtime, chat)
    assert answers == {"programme": "pro2y-software"}
    assert chat.prompt().text != "What is your full name (first and last name)?"
    await chat.send("Arta Krasniqi")
    assert (await _stored_answers(runtime, chat))["full_name"] == "Arta Krasniqi"


async def test_help_in_the_middle_of_the_form_asks_the_question_again(chat: Chat) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("/help")
    assert "/apply" in chat.text()
    assert "full name" in chat.last[-1].text
    await chat.send("/whatever")
    assert "don't know the command /whatever" in chat.text()


async def test_redelivered_update_is_handled_once(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply", update_key="u1")
    await chat.press("pro2y-software")
    await chat.send("Jane Doe", update_key="u2")
    await chat.send("Jane Doe", update_key="u2")  # the same update again after a crash
    assert "date of birth" in chat.prompt().text
    assert "doesn't look like" not in chat.text()
    answers = await _stored_answers(runtime, chat)
    assert answers == {"programme": "pro2y-software", "full_name": "Jane Doe"}


async def test_municipality_by_paging_buttons(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Jane Doe")
    await chat.send("15.03.2004")
    await chat.press("Female")
    first_page = [o.label for o in chat.prompt().options]
    await chat.press("Next ▶")
    second_page = [o.label for o in chat.prompt().options]
    assert not set(first_page[:10]) & set(second_page[:10])
    await chat.press(second_page[0])
    assert (await _stored_answers(runtime, chat))["municipality"]


async def test_phone_from_shared_contact(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    for text in ("Jane Doe", "15.03.2004"):
        await chat.send(text)
    await chat.press("Female")
    await chat.send("Ferizaj")
    assert chat.prompt().ask_contact
    await chat.send(UserInput(InputKind.CONTACT, "38345111222", contact_is_own=False))
    assert "someone else's" in chat.text()
    await chat.send(UserInput(InputKind.CONTACT, "38345111222"))
    assert (await _stored_answers(runtime, chat))["phone"] == "+38345111222"
    assert any(r.reset_keyboard for r in chat.last)


async def test_status_and_mydata_and_forget(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    reference = await submit_application(chat)
    await chat.send("/status")
    assert reference in chat.text()
    await chat.send("/mydata")
    assert "Jane Doe" in chat.text() and "+38344123456" in chat.text()
    # the stored fields in the reader's words, not database keys and codes
    assert "Gender: Female" in chat.text() and "Municipality: Pristina" in chat.text()
    assert "Status: received, under review" in chat.text() and "Sent on: " in chat.text()
    assert "gender:" not in chat.text() and "social_media" not in chat.text()
    assert "Programme: Two-year professional programme: software development" in chat.text()
    await chat.send("/forget")
    await chat.press("No, keep it")
    assert "Nothing was deleted" in chat.text()
    await chat.send("/forget")
    await chat.press("Yes, delete")
    assert "deleted" in chat.text()
    async with runtime.db.reading() as conn:
        assert await users.find(conn, "telegram", chat.user_id) is None
        (row,) = await applications.export_rows(conn)
    assert row["full_name"] is None and row["phone"] is None
    assert row["gender"] == "female" and row["status"] == "withdrawn"


async def test_export_is_for_staff_only(runtime: Runtime) -> None:
    applicant = Chat(runtime, user_id="1001")
    await choose_language(applicant)
    await submit_application(applicant)
    await applicant.send("/export")
    assert "only for the programme's staff" in applicant.text()
    assert all(r.document is None for r in applicant.last)
    staff = Chat(runtime, user_id="999")
    await choose_language(staff)
    await staff.send("/export")
    (document,) = [r.document for r in staff.last if r.document]
    assert document.content.startswith(b"\xef\xbb\xbf")
    assert "Jane Doe" in document.content.decode("utf-8-sig")


async def test_no_open_programme_says_so(chat: Chat, runtime: Runtime) -> None:
    async with runtime.db.transaction() as tx:
        await tx.execute("UPDATE programmes SET is_open = 0")
    await choose_language(chat)
    await chat.send("/apply")
    assert "no trainings open" in chat.text()


async def test_first_language_choice_is_followed_by_the_welcome(runtime: Runtime) -> None:
    chat = Chat(runtime, user_id="3003")
    await chat.send("/start")
    await chat.press("English")
    assert "Language set to English." in chat.text()
    assert "Welcome!" in chat.text()
    assert not any(o.key == "sq" for r in chat.last for o in r.options)  # not asked again


async def test_a_single_word_is_not_taken_for_the_full_name(chat: Chat, runtime: Runtime) -> None:
    await choose_language(chat)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Gashi")
    assert "your first and your last name" in chat.text()
    await chat.send("Gjon van der Berg-Gashi")  # particles, hyphens and several parts pass
    assert (await _stored_answers(runtime, chat))["full_name"] == "Gjon van der Berg-Gashi"


async def test_first_start_without_a_platform_language_asks_in_every_language(runtime: Runtime) -> None:
    chat = Chat(runtime, user_id="4242", platform_language=None)
    await chat.send("/start")
    assert chat.prompt().text.split("\n") == ["Zgjidhni gjuhën:", "Изаберите језик:", "Please choose your language:"]
    assert not any(o.label.startswith("✓") for o in chat.prompt().options)
