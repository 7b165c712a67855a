"""The fake Bot API server must behave like Telegram towards the real python-telegram-bot.

If the fake drifts from what PTB expects, every end-to-end test built on it would lie.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from tests.support.fake_telegram import FakeTelegram, TgUser

USER = TgUser(id=4242, first_name="Arta", language_code="sq")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def post(
    fake: FakeTelegram,
    method: str,
    data: dict[str, Any] | None = None,
    token: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> httpx.Response:
    """A raw form-encoded call, as PTB would make it, but free to be wrong."""
    url = f"{fake.base_url}{token or fake.token}/{method}"
    if client is not None:
        return await client.post(url, data=data)
    async with httpx.AsyncClient() as new_client:
        return await new_client.post(url, data=data)


async def test_real_ptb_application_round_trip(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Yes ✅", callback_data="answer:yes"),
                    InlineKeyboardButton("No", callback_data="answer:no"),
                ]
            ]
        )
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}", reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer(f"got {query.data}")
        await query.edit_message_text(f"chosen {query.data}")

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(on_button))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        assert app.bot.username == "youthbot_test_bot"
        fake.send_text(USER, "Hello /start")
        [reply] = await fake.wait_for_messages(USER.id, timeout=5)
        assert reply.text == "echo: Hello /start"
        assert [b["text"] for b in reply.buttons()] == ["Yes ✅", "No"]
        fake.press_button(USER, reply, reply.button("Yes")["callback_data"])
        [edited] = await fake.wait_for_messages(USER.id, timeout=5)
        assert (edited.method, edited.message_id, edited.text) == (
            "editMessageText",
            reply.message_id,
            "chosen answer:yes",
        )
        assert edited.buttons() == []
        assert [a["text"] for a in fake.callback_answers()] == ["got answer:yes"]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    methods = {r.method for r in fake.requests}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage", "answerCallbackQuery"} <= methods
    assert fake.violations == [] and fake.errors == []


async def test_commands_and_users_other_actions_reach_ptb(fake: FakeTelegram) -> None:
    seen: list[Update] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.ALL, record))
    app.add_handler(CallbackQueryHandler(record))
    async with app:
        await app.bot.set_my_commands([("start", "Start over"), ("help", "Help")])
        assert [c.command for c in await app.bot.get_my_commands()] == ["start", "help"]
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        fake.send_text(USER, "/start@youthbot_test_bot now")
        fake.send_contact(USER, "+38344123456")
        fake.send_contact(USER, "+38344999999", own=False)
        for action in (fake.send_sticker, fake.send_photo, fake.send_voice, fake.send_location):
            action(USER)
        last = fake.press_button(USER, None, "stale")
        async with asyncio.timeout(5):
            while not seen or seen[-1].update_id != last:
                await asyncio.sleep(0.01)
        await app.updater.stop()
        await app.stop()
    msgs = [u.effective_message for u in seen]
    assert filters.COMMAND.check_update(seen[0])
    assert msgs[0].parse_entities() and list(msgs[0].parse_entities().values()) == ["/start@youthbot_test_bot"]
    assert msgs[1].contact.user_id == USER.id and msgs[2].contact.user_id != USER.id
    assert msgs[3].sticker and msgs[4].photo and msgs[5].voice and msgs[6].location
    assert seen[7].callback_query.data == "stale" and seen[7].callback_query.message.message_id == 1
    assert [u.update_id for u in seen] == sorted({u.update_id for u in seen})
    assert fake.violations == []


INVALID_REQUESTS: list[tuple[str, dict[str, str], str]] = [
    ("sendMesage", {"chat_id": "1", "text": "hi"}, "unknown method"),
    ("sendMessage", {"text": "hi"}, "missing required field 'chat_id'"),
    ("sendmessage", {"chat_id": "1", "text": "hi", "colour": "red"}, "unknown field 'colour'"),
    ("sendMessage", {"chat_id": "1", "text": "x" * 4097}, "message is too long"),
    ("sendMessage", {"chat_id": "1", "text": "  \n"}, "message text is empty"),
    ("sendMessage", {"chat_id": "1", "text": "hi", "disable_notification": "yes"}, "expected Boolean"),
    ("sendMessage", {"chat_id": "1", "text": "a <br> b", "parse_mode": "HTML"}, "Unsupported start tag"),
    ("sendMessage", {"chat_id": "1", "text": "Done.", "parse_mode": "MarkdownV2"}, "reserved"),
    (
        "sendMessage",
        {
            "chat_id": "1",
            "text": "hi",
            "reply_markup": json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "é" * 33}]]}),
        },
        "BUTTON_DATA_INVALID",
    ),
    (
        "sendMessage",
        {
            "chat_id": "1",
            "text": "hi",
            "reply_markup": json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "x", "colour": 1}]]}),
        },
        "unknown field 'colour'",
    ),
    (
        "sendMessage",
        {"chat_id": "1", "text": "hi", "reply_markup": json.dumps({"inline_keyboard": [[{"text": "Go"}]]})},
        "exactly one action field",
    ),
    ("sendMessage", {"chat_id": "1", "text": "hi", "reply_markup": "{not json"}, "can't parse"),
    ("sendDocument", {"chat_id": "1", "document": "file-id", "caption": "c" * 1025}, "caption is too long"),
    ("setMyCommands", {"commands": json.dumps([{"command": "Start", "description": "go"}])}, "BOT_COMMAND_INVALID"),
    (
        "setMyCommands",
        {"commands": json.dumps([{"command": "start", "description": ""}])},
        "BOT_COMMAND_DESCRIPTION_INVALID",
    ),
    ("setMyCommands", {"commands": json.dumps([{"command": "start"}])}, "missing required field 'description'"),
    ("setMyCommands", {"commands": "[]", "scope": json.dumps({"type": "chat"})}, "missing required field 'chat_id'"),
    ("answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 201}, "too long"),
    ("editMessageText", {"text": "hi"}, "message identifier is not specified"),
]


async def test_validator_rejects_what_telegram_rejects(fake: FakeTelegram) -> None:
    client = httpx.AsyncClient()
    for method, data, expected in INVALID_REQUESTS:  # one server and client for all cases: fast
        fake.violations.clear()
        response = await post(fake, method, data, client=client)
        body = response.json()
        assert response.status_code == 400, (method, data, body)
        assert body["ok"] is False and body["error_code"] == 400 and body["description"].startswith("Bad Request: ")
        assert any(expected in v for v in fake.violations), (method, expected, fake.violations)
    await client.aclose()


async def test_valid_direct_requests_are_accepted(fake: FakeTelegram) -> None:
    markup = {"keyboard": [[{"text": "Share", "request_contact": True}]], "resize_keyboard": True}
    response = await post(
        fake,
        "sendMessage",
        {"chat_id": "7", "text": "<b>Hi</b> &amp; 1 &lt; 2", "parse_mode": "HTML", "reply_markup": json.dumps(markup)},
    )
    assert response.status_code == 200 and response.json()["result"]["chat"] == {
        "id": 7,
        "type": "private",
        "first_name": "Test",
    }
    async with httpx.AsyncClient() as client:  # a JSON body is accepted too
        r = await client.post(f"{fake.base_url}{fake.token}/SENDMESSAGE", json={"chat_id": 7, "text": "json"})
    assert r.status_code == 200
    [first, second] = fake.sent_to(7)
    assert first.button("Share")["request_contact"] is True and first.button_rows() == [markup["keyboard"][0]]
    assert second.text == "json" and fake.requests[-1].method == "sendMessage"
    assert fake.requests[0].params["chat_id"] == 7 and fake.requests[0].params["reply_markup"] == markup
    assert fake.violations == []


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    response = await post(fake, "getMe", token="999:wrong")
    assert response.status_code == 401 and response.json()["description"] == "Unauthorized"


async def test_injected_errors_map_to_ptb_exceptions(fake: FakeTelegram) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        fake.fail_next("sendmessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(USER.id, "hi")
        assert retry.value.retry_after == timedelta(seconds=1)  # a timedelta: bot opts in with PTB_TIMEDELTA
        await bot.send_message(USER.id, "second try works")
        fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=99)
        await bot.send_message(USER.id, "other chats are unaffected")
        with pytest.raises(Forbidden):
            await bot.send_message(99, "hi")
        fake.block_user(USER.id)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(USER.id, "hi")
    assert [m.text for m in fake.sent_to(USER.id)] == ["second try works", "other chats are unaffected"]
    assert fake.violations == []
    with pytest.raises(ValueError):
        fake.fail_next("sendMesage", 500, "typo")


async def test_send_document_multipart_keeps_bytes(fake: FakeTelegram) -> None:
    csv = "name,municipality\nArta,Prishtinë\r\n".encode() + bytes(range(256))
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        message = await bot.send_document(USER.id, io.BytesIO(csv), filename="export.csv", caption="Export")
    assert message.document is not None and message.document.file_name == "export.csv"
    [sent] = fake.sent_to(USER.id)
    assert sent.method == "sendDocument" and sent.text == "Export"
    assert sent.document is not None and sent.document["file_name"] == "export.csv"
    assert sent.document["content"] == csv
    assert fake.violations == []


async def test_wait_for_messages_times_out_with_what_arrived(fake: FakeTelegram) -> None:
    await post(fake, "sendMessage", {"chat_id": "5", "text": "only one"})
    with pytest.raises(AssertionError, match="only one"):
        await fake.wait_for_messages(5, count=2, timeout=0.1)
    fake.clear(5)
    assert fake.sent_to(5) == []
    await post(fake, "sendMessage", {"chat_id": "5", "text": "after clear"})
    [message] = await fake.wait_for_messages(5, timeout=1)
    assert message.text == "after clear" and message.message_id > 101
    with pytest.raises(AssertionError, match="no button"):
        message.button("nothing")


async def test_long_polling_confirmation_and_conflict(fake: FakeTelegram) -> None:
    async def get_updates(**data: Any) -> httpx.Response:
        return await post(fake, "getUpdates", {k: str(v) for k, v in data.items()})

    loop = asyncio.get_running_loop()
    started = loop.time()
    pending = asyncio.create_task(get_updates(timeout=5))
    await asyncio.sleep(0.05)
    first = fake.send_text(USER, "hi")
    updates = (await pending).json()["result"]
    assert loop.time() - started < 2, "a long poll must answer as soon as an update arrives"
    assert [u["update_id"] for u in updates] == [first] and updates[0]["message"]["date"] > 0
    second = fake.inject_raw_update({"message": {**updates[0]["message"], "text": "raw"}})
    assert [u["update_id"] for u in (await get_updates(offset=first)).json()["result"]] == [first, second]
    assert (await get_updates(offset=second + 1, timeout=0)).json()["result"] == []

    older = asyncio.create_task(get_updates(timeout=5))
    await asyncio.sleep(0.05)
    newer = asyncio.create_task(get_updates(timeout=5))
    assert (await older).status_code == 409  # two pollers: Telegram terminates the older one
    fake.send_text(USER, "for the newer poller")
    assert (await newer).json()["result"][0]["message"]["text"] == "for the newer poller"
    assert fake.violations == [] and any("409" in e for e in fake.errors)


async def test_edits_behave_like_telegram(fake: FakeTelegram) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sent = await bot.send_message(
            USER.id, "Pick", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        )
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("Pick", USER.id, sent.message_id, reply_markup=sent.reply_markup)
        with pytest.raises(BadRequest, match="not found"):
            await bot.edit_message_text("Gone", USER.id, 9999)
        edited = await bot.edit_message_reply_markup(USER.id, sent.message_id)
        assert isinstance(edited, Message) and edited.reply_markup is None
        fake.press_button(USER, fake.sent_to(USER.id)[0], "a")
        query = (await post(fake, "getUpdates")).json()["result"][-1]["callback_query"]
        assert query["message"]["text"] == "Pick" and "reply_markup" not in query["message"]
    assert [m.method for m in fake.sent_to(USER.id)] == ["sendMessage"]  # reply-markup edits aren't "sent"
    assert fake.violations == [] and len(fake.errors) == 2
