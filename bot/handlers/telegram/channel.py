"""Telegram on python-telegram-bot 22: updates in, engine replies out.

Handlers, in order (the order matters only in that callback queries are
answered before anything else happens):
1. callback queries (button presses): answered at once, then handled;
2. private-chat messages of any kind: text, commands, contacts, and
   everything else (stickers, photos, voice...) as "other" input.
Group chats are ignored: the bot talks to people one to one.

Updates of different people are handled concurrently, each person's one
after another (update_order.py); requests go over aiohttp (aiohttp_request.py)
and getUpdates waits while the bot is busy (paced_polling.py). Why, and the
figures: docs/performance.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any, NoReturn, TypeVar

import httpx
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import ConfigError, Settings
from bot.flows.engine import Incoming
from bot.flows.registry import Registry
from bot.handlers.telegram.polling import CatchUpFirst
from bot.handlers.telegram.request import AiohttpRequest
from bot.handlers.telegram.update_order import PerPersonUpdateProcessor
from bot.handlers.textsplit import split_text
from bot.i18n import _, use_language
from bot.messages import InputKind, Option, Reply, UserInput, decode_choice, encode_choice
from bot.outbox.broadcast_monitor import BroadcastMonitor
from bot.outbox.worker import (
    DeliveryUncertain,
    OutboxWorker,
    RetryLater,
    TransientError,
    Unreachable,
)
from bot.runtime import Runtime, build_outbox_worker, run_until_signalled

log = logging.getLogger(__name__)

# The Application with python-telegram-bot's default type parameters (no persistence, the default context).
TelegramApplication = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
CHANNEL = "telegram"
TELEGRAM_LANGUAGES = (("sq", "sq"), ("sr", "sr"), ("en", "en"))  # our catalog, Telegram's language_code
ALLOWED_UPDATES = ["message", "callback_query"]
CONCURRENT_UPDATES = 256  # updates handled at once, each person's one after another; python-telegram-bot's own default for concurrent_updates=True: fewer, fuller turns of the event loop (docs/performance.md)


def bot_commands(registry: Registry, is_staff: bool) -> list[BotCommand]:
    """The command menu, in the current language."""
    return [BotCommand(c.name, c.describe()[:256]) for c in registry.visible_commands(is_staff)]


def to_input(update: Update) -> UserInput | None:
    """Translate a Telegram update into engine input; None for updates we ignore."""
    if update.callback_query is not None:
        return decode_choice(update.callback_query.data or "") or UserInput(InputKind.OPTION, "", token="forged")
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        own = (
            message.contact.user_id is not None
            and message.from_user is not None
            and message.contact.user_id == message.from_user.id
        )
        return UserInput(InputKind.CONTACT, message.contact.phone_number, contact_is_own=own)
    if message.text is not None:
        return UserInput.parse_text(message.text)
    for kind in (
        "sticker",
        "photo",
        "voice",
        "video",
        "video_note",
        "audio",
        "document",
        "location",
        "venue",
        "animation",
        "poll",
        "dice",
    ):
        if getattr(message, kind, None):
            return UserInput(InputKind.OTHER, kind)
    return UserInput(InputKind.OTHER, "unknown")


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if reply.ask_contact:
        rows = [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.options:
        return InlineKeyboardMarkup(button_rows(reply.options, None if reply.menu else reply.token))
    if reply.reset_keyboard:
        return ReplyKeyboardRemove()
    return None


def keyboard_markup(reply: Reply) -> dict[str, object] | None:
    """The same keyboard as :func:`keyboard`, as the Bot API's JSON object (no python-telegram-bot objects)."""
    markup: dict[str, object]
    if reply.ask_contact:
        button = {"text": _("📱 Share my phone number"), "request_contact": True}
        markup = {"keyboard": [[button]], "resize_keyboard": True, "one_time_keyboard": True}
    elif reply.options:
        token = None if reply.menu else reply.token
        buttons = [{"text": o.label[:64], "callback_data": encode_choice(token, o.key)} for o in reply.options]
        rows = _rows(buttons, [o.label for o in reply.options])
        markup = {"inline_keyboard": rows}
    elif reply.reset_keyboard:
        markup = {"remove_keyboard": True}
    else:
        return None
    return markup


T = TypeVar("T")


def _rows(buttons: list[T], labels: list[str]) -> list[list[T]]:
    """Short labels side by side (three or two a row), long ones on a row of their own."""
    longest = max(len(label) for label in labels)
    per_row = 3 if longest <= 12 else 2 if longest <= 20 else 1
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def button_rows(options: list[Option], token: str | None) -> list[list[InlineKeyboardButton]]:
    """The inline keyboard as python-telegram-bot's buttons (for a bot built without our client)."""
    buttons = [InlineKeyboardButton(o.label[:64], callback_data=encode_choice(token, o.key)) for o in options]
    return _rows(buttons, [o.label for o in options])


async def send_reply(
    bot: Any, chat_id: int | str, reply: Reply, paid: bool = False, request: AiohttpRequest | None = None
) -> int:
    """Send one reply (split when longer than Telegram allows); return the last message's id.

    ``paid`` sends with allow_paid_broadcast (proactive messages above the free bulk rate).
    With the bot's own ``request`` (production) text goes out as one JSON body and the answer
    is read for its message id only; python-telegram-bot's methods (which parse every sent
    message back into objects) send files, and everything for a bot built elsewhere (tests).
    """
    extra = {"allow_paid_broadcast": True} if paid else {}
    if reply.document is not None and reply.document.picture:
        sent = await bot.send_photo(
            chat_id,
            InputFile(reply.document.content, filename=reply.document.filename),
            caption=reply.document.caption[: MessageLimit.CAPTION_LENGTH] or None,
            **extra,
        )
        return int(sent.message_id)
    if reply.document is not None:
        sent = await bot.send_document(
            chat_id,
            InputFile(reply.document.content, filename=reply.document.filename),
            caption=reply.document.caption[: MessageLimit.CAPTION_LENGTH] or None,
            **extra,
        )
        return int(sent.message_id)
    chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
    if request is not None:
        fields: dict[str, object] = {"chat_id": chat_id}
        if paid:
            fields["allow_paid_broadcast"] = True
        for chunk in chunks[:-1]:
            await request.call(bot.base_url, "sendMessage", {**fields, "text": chunk})
        markup = keyboard_markup(reply)
        last = {**fields, "text": chunks[-1], **({"reply_markup": markup} if markup else {})}
        return int((await request.call(bot.base_url, "sendMessage", last))["message_id"])
    for chunk in chunks[:-1]:
        await bot.send_message(chat_id, chunk, **extra)
    sent = await bot.send_message(chat_id, chunks[-1], reply_markup=keyboard(reply), **extra)
    return int(sent.message_id)


# httpx errors raised before the request left this machine: it surely did not arrive.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _retry_seconds(exc: RetryAfter) -> float:
    """The pause Telegram asked for (a timedelta: ``bot`` opts in with PTB_TIMEDELTA)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _delivery_error(exc: TelegramError) -> Exception:
    """Telegram's error as the outbox's (see the error tree in bot/outbox/worker.py); other
    errors are returned as they are (the worker records them as failed)."""
    if isinstance(exc, RetryAfter):
        return RetryLater(_retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Unreachable(exc.message)
    if isinstance(exc, BadRequest):
        return Unreachable(exc.message) if "chat not found" in exc.message.lower() else exc
    if isinstance(exc, (TimedOut, NetworkError)):
        cause = exc.__cause__
        if cause is None or isinstance(cause, _NOT_SENT):  # an HTTP error answer, or no connection
            return TransientError(str(exc))
        return DeliveryUncertain(f"{type(cause).__name__}: {exc}")
    return exc


def _raise_mapped(exc: TelegramError) -> NoReturn:
    mapped = _delivery_error(exc)
    if mapped is exc:
        raise exc
    raise mapped from exc


class TelegramSender:
    """Outbox deliveries on Telegram, with Telegram's errors mapped to the outbox's.

    With ``paid_broadcast`` (OUTBOX_RATE_PER_SECOND above 30) every message is
    sent with allow_paid_broadcast=True, as Telegram requires beyond its free bulk rate.
    """

    def __init__(self, bot: Any, paid_broadcast: bool = False, request: AiohttpRequest | None = None) -> None:
        self.bot = bot
        self.paid_broadcast = paid_broadcast
        self.request = request

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        try:
            return str(await send_reply(self.bot, int(chat_id), reply, self.paid_broadcast, self.request))
        except TelegramError as exc:
            _raise_mapped(exc)

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Replace a sent message's text; "message is not modified" is no error."""
        try:
            await self.bot.edit_message_text(
                reply.text[: MessageLimit.MAX_TEXT_LENGTH], chat_id=int(chat_id), message_id=int(message_id)
            )
        except TelegramError as exc:
            if not (isinstance(exc, BadRequest) and "message is not modified" in exc.message.lower()):
                _raise_mapped(exc)


class TelegramChannel:
    """Handles updates however they arrive (long polling, or the web server's webhook).

    With long polling the channel runs its own outbox worker; the web server
    passes one shared worker that sends for every channel and runs it itself.
    """

    def __init__(
        self,
        runtime: Runtime,
        application: TelegramApplication,
        worker: OutboxWorker | None = None,
        request: AiohttpRequest | None = None,
    ) -> None:
        self.runtime = runtime
        self.application = application
        self.request = request  # the bot's own client, for lean text messages (see send_reply)
        settings = runtime.settings
        self.owns_worker = worker is None
        if worker is None:
            worker = build_outbox_worker(runtime)
        worker.register(CHANNEL, TelegramSender(application.bot, settings.paid_broadcasts, request))
        self.worker = worker
        self.monitor = BroadcastMonitor(
            runtime.db, runtime.clock, settings, worker.senders, worker.limiter, on_report=worker.wake
        )
        self._worker_task: asyncio.Task[None] | None = None
        self._monitor_task: asyncio.Task[None] | None = None

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:  # every press is answered, even a forged one
            await _answer_quietly(context.bot, update.callback_query, self.request)
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None or chat.type != "private":
            return
        inp = to_input(update)
        if inp is None:
            return
        outcome = await self.runtime.engine.handle(
            Incoming(
                channel=CHANNEL,
                platform_id=str(user.id),
                chat_id=str(chat.id),
                input=inp,
                display_name=user.full_name,
                platform_language=user.language_code,
                update_key=str(update.update_id),
            )
        )
        with use_language(outcome.language):
            for reply in outcome.replies:
                await send_reply(context.bot, chat.id, reply, request=self.request)
        if outcome.queued:  # a worker round costs queries: only when there is news
            self.worker.wake()

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
            return
        language = await self.runtime.engine.language_of(
            CHANNEL, str(update.effective_user.id), update.effective_user.language_code
        )
        with use_language(language):
            text = _(
                "Sorry, something went wrong on our side. Your earlier answers are saved; please try again in a moment."
            )
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            log.warning("could not tell the user about the error")

    async def post_init(self, application: TelegramApplication) -> None:
        await self.set_commands()
        if self.runtime.settings.paid_broadcasts:
            log.warning("OUTBOX_RATE_PER_SECOND is above 30: proactive messages are paid broadcasts (0.1 Stars each)")
        if self.owns_worker:
            self._worker_task = asyncio.create_task(self.worker.run_forever(), name="outbox")
        self._monitor_task = asyncio.create_task(self.monitor.run_forever(), name="broadcast-progress")

    async def post_shutdown(self, application: TelegramApplication) -> None:
        self.monitor.stop()
        if self._worker_task is not None:
            self.worker.stop()
        tasks = [t for t in (self._worker_task, self._monitor_task) if t is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def set_commands(self) -> None:
        bot = self.application.bot
        registry = self.runtime.engine.registry
        for code, tg_code in TELEGRAM_LANGUAGES:
            with use_language(code):
                await bot.set_my_commands(bot_commands(registry, False), language_code=tg_code)
        with use_language(self.runtime.settings.default_language):
            await bot.set_my_commands(bot_commands(registry, False), scope=BotCommandScopeDefault())
        for staff_id in self.runtime.settings.staff_telegram_ids:
            language = await self.runtime.engine.language_of(CHANNEL, str(staff_id), None)
            try:
                with use_language(language):
                    await bot.set_my_commands(bot_commands(registry, True), scope=BotCommandScopeChat(staff_id))
            except BadRequest as exc:  # the staff member has not opened the bot yet
                log.info("staff command menu not set for one staff member: %s", exc.message)


async def _answer_quietly(bot: Any, query: Any, request: AiohttpRequest | None) -> None:
    """Stop the button's spinner; with the bot's own ``request`` as one lean call (``send_reply``)."""
    try:
        if request is not None:
            await request.call(bot.base_url, "answerCallbackQuery", {"callback_query_id": query.id})
        else:
            await query.answer()
    except BadRequest as exc:  # "query is too old": harmless
        log.debug("callback query not answered: %s", exc.message)


def build_application(
    runtime: Runtime, worker: OutboxWorker | None = None, concurrent_updates: int = CONCURRENT_UPDATES
) -> tuple[TelegramApplication, TelegramChannel]:
    settings = runtime.settings
    assert settings.telegram_token is not None
    request = AiohttpRequest()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_api_url.removesuffix("/bot") + "/file/bot")
        .request(request)
    )
    polling: BaseRequest = AiohttpRequest(connection_pool_size=1)
    if concurrent_updates > 1:  # see update_order.py and paced_polling.py
        processor = PerPersonUpdateProcessor(concurrent_updates)
        polling = CatchUpFirst(polling, processor)
        builder = builder.concurrent_updates(processor)
    builder = builder.get_updates_request(polling)
    application = builder.build()
    channel = TelegramChannel(runtime, application, worker, request)
    application.add_handler(CallbackQueryHandler(channel.on_update))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, channel.on_update))
    application.add_error_handler(channel.on_error)
    return application, channel


async def serve(runtime: Runtime, stop: asyncio.Event, concurrent_updates: int = CONCURRENT_UPDATES) -> None:
    """Poll Telegram until ``stop`` is set; used by ``youthbot run`` and the end-to-end tests."""
    application, channel = build_application(runtime, concurrent_updates=concurrent_updates)
    if not await _initialize(application, runtime.settings.telegram_token or "", stop):
        return  # stopped while the Bot API could not be reached
    async with application:
        await channel.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        console = None
        if runtime.settings.web_enabled:
            from bot.web.serve import serve_console_until

            console = asyncio.create_task(serve_console_until(runtime, stop, channel.worker.wake), name="console")
        try:
            await stop.wait()
        finally:
            if console is not None:
                await asyncio.gather(console, return_exceptions=True)
            await application.updater.stop()
            await application.stop()
            await channel.post_shutdown(application)


TOKEN_REJECTED = "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?): copy the current token from @BotFather"
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0


async def _initialize(application: Application, token: str, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Check the token with Telegram, retrying with back-off while the Bot API cannot be reached.

    A server's network can be down for a minute at boot: one line per attempt, no traceback.
    A rejected token is a setting to fix: one line that never shows the token. False: stopped meanwhile.
    """
    delay, attempt = RETRY_FIRST_SECONDS, 1
    while True:
        try:
            await application.initialize()
            return True
        except InvalidToken:
            raise ConfigError(TOKEN_REJECTED) from None
        except NetworkError as exc:  # TimedOut included
            reason = (str(exc) or type(exc).__name__).replace(token, "<TELEGRAM_BOT_TOKEN>") if token else str(exc)
            log.warning(
                "cannot reach the Telegram Bot API (attempt %d: %s); trying again in %.0f s", attempt, reason, delay
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
            return False
        delay, attempt = min(delay * 2, RETRY_MAX_SECONDS), attempt + 1


def run_polling(settings: Settings) -> None:
    """``youthbot run``: long polling until interrupted (Ctrl-C or SIGTERM)."""

    log.info("youthbot is starting on Telegram (long polling)")
    run_until_signalled(settings, serve)
