"""Replies as Viber messages, button presses read back, and the fake Viber API's own checks."""

from __future__ import annotations

import httpx
import pytest

from bot.handlers.viber import render
from bot.handlers.viber.api import ViberApiError, ViberClient, signature, signature_ok
from bot.handlers.viber.channel import to_input
from bot.messages import Document, InputKind, Option, Reply, encode_choice
from tests.support.fake_viber import FakeViber, check_message

SENDER = {"name": "Youth ICT Programme"}


def test_button_presses_are_read_back_and_typed_colons_are_text() -> None:
    menu = render.read_choice(encode_choice(None, "apply"))
    assert menu is not None and menu.kind == InputKind.OPTION and menu.text == "apply" and menu.token is None
    answer = render.read_choice(encode_choice("a1b2c3", "female"))
    assert answer is not None and answer.token == "a1b2c3"
    for typed in ("Goal: learn to code", "10:30", "abc:def", "a1b2c3:two words", "m:", "hello"):
        assert render.read_choice(typed) is None
        assert to_input({"type": "text", "text": typed}).kind == InputKind.TEXT
    assert to_input({"type": "text", "text": "/link K7MX4P"}).args == "K7MX4P"
    contact = to_input({"type": "contact", "contact": {"name": "A", "phone_number": "+38344123456"}})
    assert contact.kind == InputKind.CONTACT and contact.text == "+38344123456"
    assert to_input({"type": "picture", "media": "https://x"}).kind == InputKind.OTHER
    assert to_input({"type": "contact", "contact": {}}).kind == InputKind.OTHER


def test_options_become_silent_reply_buttons_laid_out_by_length() -> None:
    (message,) = render.messages(Reply("Gender?", [Option("f", "Female"), Option("m", "Male")], token="a1b2c3"), SENDER)
    buttons = message["keyboard"]["Buttons"]
    assert [b["ActionBody"] for b in buttons] == ["a1b2c3:f", "a1b2c3:m"]
    assert all(b["ActionType"] == "reply" and b["Silent"] is True and b["Columns"] == 2 for b in buttons)
    (long,) = render.messages(Reply("Which?", [Option("x", "A rather long programme title here")], menu=True), SENDER)
    assert long["keyboard"]["Buttons"][0]["Columns"] == 6 and long["keyboard"]["Buttons"][0]["ActionBody"] == "m:x"
    assert check_message({"receiver": "r", **message}) == [] and check_message({"receiver": "r", **long}) == []


def test_share_phone_needs_api_level_3_and_keeps_other_buttons() -> None:
    (message,) = render.messages(Reply("Phone?", [Option("skip", "Skip")], ask_contact=True, token="a1b2c3"), SENDER)
    assert message["min_api_version"] == 3
    assert [b["ActionType"] for b in message["keyboard"]["Buttons"]] == ["share-phone", "reply"]
    assert check_message({"receiver": "r", **message}) == []


def test_documents_become_an_explanation_and_long_text_is_split() -> None:
    (message,) = render.messages(
        Reply("3 applications", document=Document("applications.csv", b"x", "3 applications")), SENDER
    )
    assert (
        message["text"].startswith("3 applications")
        and "applications.csv" in message["text"]
        and "Telegram" in message["text"]
    )
    parts = render.messages(Reply("word " * 3000, [Option("a", "A")], menu=True), SENDER)
    assert len(parts) == 3 and all(len(p["text"]) <= 7000 for p in parts) and "keyboard" in parts[-1]


def test_several_replies_combine_into_one_welcome() -> None:
    reply = render.combined([Reply("Cancelled."), Reply("Choose:", [Option("a", "A")], token="a1b2c3"), Reply("")])
    assert reply.text == "Cancelled.\n\nChoose:" and reply.token == "a1b2c3" and reply.options[0].key == "a"


def test_signatures() -> None:
    body = b'{"event":"webhook"}'
    good = signature("token", body)
    assert signature_ok("token", body, good) and signature_ok("token", body, good.upper())
    assert not signature_ok("token", body, None) and not signature_ok("token", body + b" ", good)
    assert not signature_ok("other", body, good)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"sender": {"name": "x" * 29}}, "sender.name"),
        ({"text": "x" * 7001}, "text must be"),
        ({"text": "  "}, "text must be"),
        ({"receiver": ""}, "receiver"),
        ({"colour": "red"}, "unknown field"),
        ({"keyboard": {"Type": "keyboard", "Buttons": [{"Columns": 7, "ActionBody": "a"}]}}, "Columns"),
        ({"keyboard": {"Type": "keyboard", "Buttons": [{"Rows": 3, "ActionBody": "a"}]}}, "Rows"),
        ({"keyboard": {"Type": "keyboard", "Buttons": [{"ActionType": "reply"}]}}, "ActionBody"),
        ({"keyboard": {"Type": "keyboard", "Buttons": [{"ActionType": "call", "ActionBody": "a"}]}}, "ActionType"),
        (
            {"keyboard": {"Type": "keyboard", "Buttons": [{"ActionType": "share-phone", "ActionBody": "p"}]}},
            "min_api_version 3",
        ),
        ({"keyboard": {"Type": "keyboard", "Buttons": []}}, "non-empty"),
    ],
)
def test_the_fake_refuses_what_viber_refuses(change: dict, complaint: str) -> None:
    message = {"receiver": "r", "min_api_version": 1, "sender": SENDER, "type": "text", "text": "Hello", **change}
    problems = check_message(message)
    assert any(complaint in p for p in problems), problems


async def test_the_fake_checks_the_auth_token() -> None:
    async with FakeViber() as fake:
        client = ViberClient(fake.base_url, "wrong-token-0123456789")
        with pytest.raises(ViberApiError) as refused:
            await client.get_account_info()
        await client.close()
        assert refused.value.status == 2
        assert fake.violations == ["get_account_info: missing or wrong X-Viber-Auth-Token"]
        async with httpx.AsyncClient() as raw:
            answer = await raw.post(
                fake.base_url + "send_message", json={"receiver": "r"}, headers={"X-Viber-Auth-Token": fake.token}
            )
        assert answer.json()["status"] == 3 and any("sender.name" in v for v in fake.violations)


def test_a_persons_own_data_becomes_its_caption_then_a_file_message() -> None:
    document = Document("my-data-2026-11-27.json", b'{"format": 1}', "The same data as a file.", own_data=True)
    urls: list[tuple[bytes, str]] = []

    def file_url(content: bytes, name: str) -> str:
        urls.append((content, name))
        return f"https://bot.example.org/files/token/{name}"

    caption, file_message = render.messages(Reply("", document=document), {"name": "Bot"}, file_url=file_url)
    assert caption["type"] == "text" and caption["text"] == "The same data as a file."
    assert file_message == {
        "min_api_version": 1,
        "sender": {"name": "Bot"},
        "type": "file",
        "media": "https://bot.example.org/files/token/my-data-2026-11-27.json",
        "size": 13,
        "file_name": "my-data-2026-11-27.json",
    }
    assert urls == [(b'{"format": 1}', "my-data-2026-11-27.json")]
    # a file that is not the person's own is never put at an address
    staff_file = Document("applications.csv", b"a,b", "2 applications")
    (only,) = render.messages(Reply("", document=staff_file), {"name": "Bot"}, file_url=file_url)
    assert only["type"] == "text" and len(urls) == 1
