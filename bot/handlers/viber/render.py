"""How a flow's Reply looks on Viber: text messages with a keyboard of reply buttons.

A button's ActionBody is the same ``<token>:<key>`` string the Telegram
channel puts in callback_data, so a press comes back as a text message that
``bot.messages.decode_choice`` reads. Buttons are silent: the user does not
see that string posted in the chat. The 'share my phone number' button needs
Viber API level 3.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.handlers.textsplit import split_text
from bot.i18n import _
from bot.messages import Document, Option, Reply, UserInput, decode_choice, encode_choice

MAX_TEXT = 7000
MAX_PICTURE_TEXT = 768  # a picture message's description
MAX_BUTTON_TEXT = 250
SHARE_PHONE_API_VERSION = 3
GRID_COLUMNS = 6  # a Viber keyboard row is six columns wide
# What our buttons send: 'm' (a menu button) or a 6-hex prompt token, ':', a key without spaces.
# Typed text such as "Goal: learn" or "10:30" is not mistaken for a button.
_CHOICE_RE = re.compile(r"^(m|[0-9a-f]{6}):\S+$")


def read_choice(text: str) -> UserInput | None:
    """A pressed button's ActionBody as engine input; None for ordinary typed text."""
    if not _CHOICE_RE.match(text):
        return None
    return decode_choice(text)


def option_buttons(options: list[Option], token: str | None) -> list[dict[str, Any]]:
    """Short labels three to a row, medium two, long ones on a row of their own."""
    longest = max(len(o.label) for o in options)
    columns = 2 if longest <= 12 else 3 if longest <= 20 else GRID_COLUMNS
    return [
        {
            "Columns": columns,
            "Rows": 1,
            "ActionType": "reply",
            "ActionBody": encode_choice(token, o.key),
            "Text": o.label[:MAX_BUTTON_TEXT],
            "Silent": True,
        }
        for o in options
    ]


def keyboard(reply: Reply) -> dict[str, Any] | None:
    buttons: list[dict[str, Any]] = []
    if reply.ask_contact:
        buttons.append(
            {
                "Columns": GRID_COLUMNS,
                "Rows": 1,
                "ActionType": "share-phone",
                "ActionBody": "share-phone",
                "Text": _("📱 Share my phone number"),
            }
        )
    if reply.options:
        buttons += option_buttons(reply.options, None if reply.menu else reply.token)
    if not buttons:
        return None
    return {"Type": "keyboard", "DefaultHeight": False, "Buttons": buttons}


def document_text(document: Document) -> str:
    """Viber sends files only from a public URL; personal data is never put at one."""
    note = _(
        "The file {filename} cannot be sent in Viber. Please use the same command in Telegram, or ask the administrator to export it on the server with the command {command}."
    ).format(filename=document.filename, command="youthbot export")
    return f"{document.caption}\n\n{note}" if document.caption else note


def messages(
    reply: Reply,
    sender: dict[str, str],
    picture_url: Callable[[bytes], str] | None = None,
    file_url: Callable[[bytes, str], str] | None = None,
) -> list[dict[str, Any]]:
    """The Viber messages (without ``receiver``) for one reply; the keyboard goes with the last.

    A picture document becomes a picture message when ``picture_url`` can give it a public address;
    a person's own data (/mydata) becomes its caption and a file message when ``file_url`` can.
    """
    document = reply.document
    if document is not None and document.own_data and file_url is not None:
        caption = (
            [
                {"min_api_version": 1, "sender": sender, "type": "text", "text": chunk}
                for chunk in split_text(document.caption, MAX_TEXT)
            ]
            if document.caption
            else []
        )
        file_message: dict[str, Any] = {
            "min_api_version": 1,
            "sender": sender,
            "type": "file",
            "media": file_url(document.content, document.filename),
            "size": len(document.content),
            "file_name": document.filename,
        }
        board = keyboard(reply)
        if board is not None:
            file_message["keyboard"] = board
        return [*caption, file_message]
    if document is not None and document.picture and picture_url is not None:
        picture: dict[str, Any] = {
            "min_api_version": 1,
            "sender": sender,
            "type": "picture",
            "text": document.caption[:MAX_PICTURE_TEXT],
            "media": picture_url(document.content),
        }
        board = keyboard(reply)
        if board is not None:
            picture["keyboard"] = board
        return [picture]
    text = document_text(document) if document is not None else reply.text
    out: list[dict[str, Any]] = [
        {"min_api_version": 1, "sender": sender, "type": "text", "text": chunk} for chunk in split_text(text, MAX_TEXT)
    ]
    board = keyboard(reply)
    if board is not None:
        out[-1]["keyboard"] = board
        if reply.ask_contact:
            out[-1]["min_api_version"] = SHARE_PHONE_API_VERSION
    return out


def combined(replies: list[Reply]) -> Reply:
    """Several replies as one message (the welcome answer to conversation_started allows only one)."""
    texts = [r.document.caption if r.document is not None else r.text for r in replies]
    text = split_text("\n\n".join(t for t in texts if t.strip()), MAX_TEXT)[0]
    with_buttons = [r for r in replies if r.options or r.ask_contact]
    last = with_buttons[-1] if with_buttons else None
    if last is None:
        return Reply(text)
    return Reply(text, last.options, menu=last.menu, ask_contact=last.ask_contact, token=last.token)
