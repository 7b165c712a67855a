"""The vocabulary every layer shares: what a person sends (:class:`UserInput`) and what
the bot answers (:class:`Reply` with its :class:`Option` buttons), on every channel."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field

# Telegram allows 64 bytes of callback data; the prompt token and ':' take at most 7.
MAX_OPTION_KEY_BYTES = 56


class InputKind(enum.StrEnum):
    TEXT = "text"
    OPTION = "option"  # a button press; ``text`` is the option key
    CONTACT = "contact"  # a shared phone contact; ``text`` is the number
    COMMAND = "command"  # ``text`` is the command without '/', ``args`` what followed
    OTHER = "other"  # a sticker, photo, voice note, location...; ``text`` says which


@dataclass(frozen=True)
class UserInput:
    kind: InputKind
    text: str = ""
    args: str = ""
    token: str | None = None  # OPTION: the prompt the button was shown with; None for menu buttons
    contact_is_own: bool = True  # CONTACT: the shared contact is the sender's own

    @staticmethod
    def parse_text(text: str) -> UserInput:
        """Turn typed text into TEXT or COMMAND input (``/start fb_campaign``, ``/help@MyBot``)."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
            head, _, rest = stripped[1:].partition(" ")
            name = head.split("@", 1)[0].lower()
            if name.replace("_", "").isalnum():
                return UserInput(InputKind.COMMAND, name, rest.strip())
        return UserInput(InputKind.TEXT, text)


@dataclass(frozen=True)
class Option:
    key: str
    label: str

    def __post_init__(self) -> None:
        if len(self.key.encode()) > MAX_OPTION_KEY_BYTES or ":" in self.key:
            raise ValueError(f"option key {self.key!r} is too long or contains ':'")


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    caption: str = ""
    # A picture (a chart): shown in the chat where the channel can (Telegram sendPhoto),
    # instead of arriving as a file to open.
    picture: bool = False
    # The person's own data, for them alone (the /mydata copy): where a channel can send
    # files only from a public address (Viber), it may put it at a short-lived secret one.
    own_data: bool = False


@dataclass
class Reply:
    """One message to the user, with the options (buttons) to show under it."""

    text: str
    options: list[Option] = field(default_factory=list)
    menu: bool = False  # options are menu shortcuts valid at any time, not answers to a prompt
    ask_contact: bool = False  # offer the platform's 'share my phone number' button
    reset_keyboard: bool = False  # remove a 'share contact' keyboard shown earlier
    document: Document | None = None
    token: str | None = None  # set by the engine on prompts with options


def encode_choice(token: str | None, key: str) -> str:
    """The string a button carries back: ``<token>:<key>``; menu buttons use token 'm'."""
    return f"{token or 'm'}:{key}"


def decode_choice(data: str) -> UserInput | None:
    """Parse a button's data; None when it is not ours (forged or from an old version)."""
    token, sep, key = data.partition(":")
    if not sep or not key or not token or len(data.encode()) > 64:
        return None
    if not token.isalnum() or len(token) > 6:
        return None
    return UserInput(InputKind.OPTION, key, token=None if token == "m" else token)


_TOKEN_BYTES = 3
_random = bytearray()  # the operating system's random bytes, read a few thousand at a time


def new_token() -> str:
    """A short random prompt token (6 characters) so old buttons are recognised as old.

    From the same source as ``secrets`` (``os.urandom``), read in blocks: one system call per
    step was about 1 % of the bot's time under load (docs/performance.md)."""
    global _random
    if len(_random) < _TOKEN_BYTES:
        _random = bytearray(os.urandom(4096))
    token = _random[-_TOKEN_BYTES:].hex()
    del _random[-_TOKEN_BYTES:]
    return token
