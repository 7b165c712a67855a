"""Viber: signed webhook callbacks in, engine replies out, proactive messages via the outbox.

Callbacks, by ``event`` (every one must carry a valid X-Viber-Content-Signature;
a missing or wrong one gets 403 and changes nothing):
- ``webhook``: Viber checking our URL during set_webhook;
- ``conversation_started``: someone opened the chat (not yet a subscription). The
  answer, in the HTTP response body, is the one message Viber allows before they
  write: the language choice for a newcomer, the welcome menu for someone known.
  ``context`` (a deep link's parameter) is recorded as where they came from;
- ``message``: text, button presses (the button's ActionBody), shared contacts, and
  everything else (stickers, pictures, locations...) as "other" input. A person's
  first message subscribes them; Viber sends no ``subscribed`` callback for it;
- ``subscribed`` / ``unsubscribed``: whether the bot may write to them first;
- ``delivered`` / ``seen`` / ``failed``: recorded on the outbox row with that message token.
A callback that arrives twice (same event and message token: Viber retries) is handled once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.flows.engine import Incoming
from bot.handlers import jsonbody
from bot.handlers.viber import render
from bot.handlers.viber.api import (
    NOT_REGISTERED,
    NOT_SUBSCRIBED,
    TOO_MANY_REQUESTS,
    ViberApiError,
    ViberClient,
    ViberError,
    ViberUnavailable,
    signature_ok,
)
from bot.i18n import _, use_language
from bot.messages import InputKind, Reply, UserInput
from bot.outbox.worker import OutboxWorker, RetryLater, TransientError, Unreachable
from bot.runtime import Runtime

log = logging.getLogger(__name__)
CHANNEL = "viber"
RETRY_SECONDS = 10.0  # status 12 carries no retry-after; wait this long before trying again
NAME_MAX = 100


@dataclass(frozen=True)
class Answer:
    """What the webhook answers Viber: an HTTP status and, for conversation_started, a message."""

    status: int
    body: dict[str, Any] | None = None


def to_input(message: dict[str, Any]) -> UserInput:
    """A Viber message as engine input."""
    kind = message.get("type")
    if kind == "text":
        text = str(message.get("text") or "")
        return render.read_choice(text) or UserInput.parse_text(text)
    if kind == "contact":
        contact = message.get("contact")
        phone = contact.get("phone_number") if isinstance(contact, dict) else None
        if isinstance(phone, str) and phone.strip():
            return UserInput(InputKind.CONTACT, phone.strip())
    return UserInput(InputKind.OTHER, str(kind or "unknown")[:32])


class ViberSender:
    """Outbox deliveries on Viber, with Viber's statuses mapped to the outbox's errors."""

    def __init__(
        self,
        client: ViberClient,
        sender: dict[str, str],
        picture_url: Callable[[bytes], str] | None = None,
        file_url: Callable[[bytes, str], str] | None = None,
    ) -> None:
        self.client = client
        self.sender = sender
        self.picture_url = picture_url
        self.file_url = file_url

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        token = None
        try:
            for message in render.messages(reply, self.sender, self.picture_url, self.file_url):
                token = await self.client.send_message({"receiver": chat_id, **message})
        except ViberApiError as exc:
            if exc.status in (NOT_REGISTERED, NOT_SUBSCRIBED):
                raise Unreachable(str(exc)) from exc
            if exc.status == TOO_MANY_REQUESTS:
                raise RetryLater(RETRY_SECONDS) from exc
            raise
        except ViberUnavailable as exc:
            raise TransientError(str(exc)) from exc
        return token


class ViberChannel:
    def __init__(
        self,
        runtime: Runtime,
        client: ViberClient,
        worker: OutboxWorker,
        picture_url: Callable[[bytes], str] | None = None,
        file_url: Callable[[bytes, str], str] | None = None,
    ) -> None:
        settings = runtime.settings
        if settings.viber_auth_token is None:
            raise ValueError("the Viber channel needs VIBER_AUTH_TOKEN")
        self.runtime = runtime
        self.client = client
        self.worker = worker
        self.token = settings.viber_auth_token
        self.sender = {"name": settings.viber_bot_name}
        if settings.viber_bot_avatar:
            self.sender["avatar"] = settings.viber_bot_avatar
        self.picture_url = picture_url
        self.file_url = file_url
        worker.register(CHANNEL, ViberSender(client, self.sender, picture_url, file_url))
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[Answer]]] = {
            "conversation_started": self._conversation_started,
            "message": self._message,
            "subscribed": self._subscribed,
            "unsubscribed": self._unsubscribed,
            "delivered": self._receipt,
            "seen": self._receipt,
            "failed": self._receipt,
        }

    async def start(self, webhook_url: str) -> dict[str, Any]:
        """Check the token (get_account_info), then point Viber at our webhook."""
        info = await self.check_token()
        await self.point_webhook(webhook_url, info)
        return info

    async def check_token(self) -> dict[str, Any]:
        """The account's details; a ViberError here means VIBER_AUTH_TOKEN is at fault."""
        return await self.client.get_account_info()

    async def point_webhook(self, webhook_url: str, info: dict[str, Any]) -> None:
        """Set the webhook (Viber calls it once to check); a ViberError here means the URL is at fault."""
        await self.client.set_webhook(webhook_url)
        log.info("Viber bot %r receives callbacks at its webhook", info.get("name"))

    async def handle(self, body: bytes, signature: str | None) -> Answer:
        """One callback, as the web server received it (raw body and signature header)."""
        if not signature_ok(self.token, body, signature):
            return Answer(403)
        try:
            event = jsonbody.loads(body)
        except jsonbody.TooDeep:
            log.warning("viber webhook: a body nested too deeply to decode was refused")
            return Answer(400)
        except ValueError:
            return Answer(400)
        if not isinstance(event, dict):
            return Answer(400)
        handler = self._handlers.get(str(event.get("event")))
        if handler is None:  # 'webhook' (the URL check) and events we do not use
            return Answer(200, {})
        return await handler(event)

    # -- callbacks ----------------------------------------------------------------

    async def _conversation_started(self, event: dict[str, Any]) -> Answer:
        user = _dict(event.get("user"))
        user_id = _id(user.get("id"))
        if user_id is None:
            return Answer(200, {})
        context = event.get("context")
        start = UserInput(InputKind.COMMAND, "start", context.strip() if isinstance(context, str) else "")
        incoming = Incoming(CHANNEL, user_id, user_id, start, _name(user), _language(user), _key(event))
        try:
            outcome = await self.runtime.engine.handle(incoming)
        except Exception:
            log.exception("conversation_started could not be handled")
            return Answer(200, {})
        if not event.get("subscribed"):  # not subscribed yet: no proactive messages until they write
            await self.runtime.engine.unreachable(CHANNEL, user_id)
        self.worker.wake()
        with use_language(outcome.language):
            welcome = render.messages(render.combined(outcome.replies), self.sender)[0]
        return Answer(200, welcome)

    async def _message(self, event: dict[str, Any]) -> Answer:
        sender = _dict(event.get("sender"))
        user_id = _id(sender.get("id"))
        message = event.get("message")
        if user_id is None or not isinstance(message, dict):
            return Answer(200, {})
        incoming = Incoming(CHANNEL, user_id, user_id, to_input(message), _name(sender), _language(sender), _key(event))
        try:
            outcome = await self.runtime.engine.handle(incoming)
        except Exception:
            log.exception("a Viber message could not be handled")
            await self._apologise(user_id, _language(sender))
            return Answer(200, {})
        try:
            with use_language(outcome.language):
                for reply in outcome.replies:
                    for part in render.messages(reply, self.sender, self.picture_url, self.file_url):
                        await self.client.send_message({"receiver": user_id, **part})
        except ViberError as exc:
            log.warning("a reply on Viber could not be sent: %s", exc)
        self.worker.wake()
        return Answer(200, {})

    async def _subscribed(self, event: dict[str, Any]) -> Answer:
        user = _dict(event.get("user"))
        user_id = _id(user.get("id"))
        if user_id is not None:
            await self.runtime.engine.subscription_changed(CHANNEL, user_id, user_id, True, _name(user), _key(event))
        return Answer(200, {})

    async def _unsubscribed(self, event: dict[str, Any]) -> Answer:
        user_id = _id(event.get("user_id"))
        if user_id is not None:
            await self.runtime.engine.subscription_changed(CHANNEL, user_id, user_id, False, update_key=_key(event))
        return Answer(200, {})

    async def _receipt(self, event: dict[str, Any]) -> Answer:
        token = event.get("message_token")
        if token is None:
            return Answer(200, {})
        await self.runtime.engine.record_receipt(
            CHANNEL,
            str(token),
            str(event["event"]),
            _moment(event),
            str(event.get("desc") or "failed"),
            _key(event),
        )
        return Answer(200, {})

    async def _apologise(self, user_id: str, platform_language: str | None) -> None:
        language = await self.runtime.engine.language_of(CHANNEL, user_id, platform_language)
        with use_language(language):
            text = _(
                "Sorry, something went wrong on our side. Your earlier answers are saved; please try again in a moment."
            )
        try:
            await self.client.send_message({"receiver": user_id, **render.messages(Reply(text), self.sender)[0]})
        except ViberError:
            log.warning("could not tell the user about the error")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None


def _name(user: dict[str, Any]) -> str | None:
    name = user.get("name")
    return name[:NAME_MAX] if isinstance(name, str) and name.strip() else None


def _language(user: dict[str, Any]) -> str | None:
    language = user.get("language")
    return language if isinstance(language, str) else None


def _key(event: dict[str, Any]) -> str | None:
    """What makes a callback unique: its event and Viber's message token."""
    token = event.get("message_token")
    return None if token is None else f"{event.get('event')}:{token}"


def _moment(event: dict[str, Any]) -> datetime | None:
    """When Viber says the event happened; None lets the engine use its clock."""
    stamp = event.get("timestamp")
    if isinstance(stamp, int) and stamp > 0:
        return datetime.fromtimestamp(stamp / 1000, UTC)
    return None
