"""Webhook mode: one web server (starlette on uvicorn) for Telegram and Viber.

Routes:
- ``POST /telegram/webhook``: Telegram's updates. The secret given to set_webhook
  comes back in X-Telegram-Bot-Api-Secret-Token; missing or wrong → 403. The update
  is handled before the answer, one at a time as in long polling, so an update cut
  off by a crash is sent again by Telegram (and recognised if it was finished).
- ``POST /viber/webhook``: Viber's signed callbacks (see ``bot.handlers.viber.channel``).
- ``GET /healthz``: 200 when the database answers and the outbox scheduler runs, else 503.

Start-up order matters: listen first (Viber calls the URL during set_webhook),
then register the webhooks. Stopping: stop listening, then the outbox and PTB.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import Callable, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.config import ConfigError, Settings
from bot.flows.engine import Engine
from bot.handlers import jsonbody
from bot.handlers.pictures import FILES_PREFIX, PATH_PREFIX, PictureShelf
from bot.handlers.telegram.channel import ALLOWED_UPDATES, TOKEN_REJECTED, TelegramChannel, build_application
from bot.handlers.viber.api import ViberClient, ViberError
from bot.handlers.viber.channel import ViberChannel
from bot.outbox.worker import OutboxWorker
from bot.runtime import Runtime, build_outbox_worker, run_until_signalled

log = logging.getLogger(__name__)
TELEGRAM_PATH = "/telegram/webhook"
VIBER_PATH = "/viber/webhook"
MAX_BODY_BYTES = 1_000_000
HEALTH_TIMEOUT_SECONDS = 5.0


class StartupError(ConfigError):
    """A platform refused the start-up (bad token, unreachable URL...): one line, exit status 2."""


class TelegramWebhook:
    def __init__(self, application: Application, secret: str) -> None:  # type: ignore[type-arg]
        self.application = application
        self.secret = secret
        self._one_at_a_time = asyncio.Lock()

    def authentic(self, given_secret: str | None) -> bool:
        """Checked before the body is read: an unsigned request costs no memory."""
        return hmac.compare_digest((given_secret or "").encode(), self.secret.encode())

    async def handle(self, body: bytes, given_secret: str | None) -> int:
        if not self.authentic(given_secret):
            return 403
        try:
            data = jsonbody.loads(body)
            update = Update.de_json(data, self.application.bot) if isinstance(data, dict) else None
        except jsonbody.TooDeep:
            log.warning("telegram webhook: a body nested too deeply to decode was refused")
            update = None
        except (ValueError, KeyError, TypeError):
            update = None
        if update is None:
            return 400
        async with self._one_at_a_time:
            await self.application.process_update(update)  # errors go to the channel's error handler
        return 200


class Health:
    def __init__(self, engine: Engine, worker: OutboxWorker) -> None:
        self.engine = engine
        self.worker = worker
        self.worker_task: asyncio.Task[None] | None = None

    async def report(self) -> dict[str, bool]:
        database = False
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                database = await self.engine.database_answers()
        except Exception:  # locked, closed, corrupt: all mean "not healthy"
            log.warning("health check: the database does not answer", exc_info=True)
        task = self.worker_task
        scheduler = self.worker.scheduler.running and task is not None and not task.done()
        return {"database": database, "scheduler": scheduler}


async def _body(request: Request) -> bytes | None:
    """The body, or None when it is larger than the limit: read as a stream, never beyond the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None  # the rest stays unread; the server closes the connection
    return bytes(body)


def build_app(
    telegram: TelegramWebhook | None,
    viber: ViberChannel | None,
    checks: Health,
    console: Starlette | None = None,
    pictures: PictureShelf | None = None,
) -> Starlette:
    """The routes of the enabled channels, the health check, and the staff console (WEB_ENABLED) beside them."""

    async def telegram_webhook(request: Request) -> Response:
        assert telegram is not None
        secret = request.headers.get("x-telegram-bot-api-secret-token")
        if not telegram.authentic(secret):
            return Response(status_code=403)
        body = await _body(request)
        if body is None:
            return Response(status_code=413)
        return Response(status_code=await telegram.handle(body, secret))

    async def viber_webhook(request: Request) -> Response:
        assert viber is not None
        body = await _body(request)
        if body is None:
            return Response(status_code=413)
        answer = await viber.handle(body, request.headers.get("x-viber-content-signature"))
        if answer.body is None:
            return Response(status_code=answer.status)
        return JSONResponse(answer.body, status_code=answer.status)

    async def healthz(request: Request) -> Response:
        report = await checks.report()
        return JSONResponse(report, status_code=200 if all(report.values()) else 503)

    async def picture(request: Request) -> Response:
        content = pictures.get(request.path_params["token"]) if pictures is not None else None
        if content is None:
            return Response(status_code=404)
        return Response(content, media_type="image/png", headers={"Cache-Control": "no-store"})

    async def own_file(request: Request) -> Response:
        params = request.path_params
        content = pictures.get_file(params["token"], params["filename"]) if pictures is not None else None
        if content is None:
            return Response(status_code=404)
        return Response(content, media_type="application/json", headers={"Cache-Control": "no-store"})

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if pictures is not None:
        routes.append(Route(PATH_PREFIX + "{token}.png", picture, methods=["GET"]))
        routes.append(Route(FILES_PREFIX + "{token}/{filename}", own_file, methods=["GET"]))
    if telegram is not None:
        routes.append(Route(TELEGRAM_PATH, telegram_webhook, methods=["POST"]))
    if viber is not None:
        routes.append(Route(VIBER_PATH, viber_webhook, methods=["POST"]))
    if console is not None:
        routes.append(Mount("", app=console))  # last: the webhook paths match first
    return Starlette(routes=routes)


class _Server(uvicorn.Server):
    """Signals are ours (``run_webhooks``), not uvicorn's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on WEBHOOK_HOST={host} WEBHOOK_PORT={port}: {exc.strerror}") from exc
    return sock


async def serve_webhooks(runtime: Runtime, stop: asyncio.Event, sock: socket.socket | None = None) -> None:
    """Serve both channels' webhooks until ``stop`` is set; used by ``youthbot run`` and the tests."""
    settings = runtime.settings
    base = settings.webhook_base_url
    if base is None:
        raise StartupError("WEBHOOK_BASE_URL is not set")
    sock = sock or listen(settings.webhook_host, settings.webhook_port)
    worker = build_outbox_worker(runtime)
    application, telegram = build_application(runtime, worker) if settings.telegram_token else (None, None)
    client = ViberClient(settings.viber_api_url, settings.viber_auth_token) if settings.viber_auth_token else None
    pictures = PictureShelf(base)
    viber = ViberChannel(runtime, client, worker, pictures.put, pictures.put_own_data) if client is not None else None
    checks = Health(runtime.engine, worker)
    hook = TelegramWebhook(application, settings.telegram_webhook_secret or "") if application else None
    server = _Server(
        uvicorn.Config(
            build_app(hook, viber, checks, _console(runtime, worker.wake), pictures),
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=10,
        )
    )
    server_task: asyncio.Task[None] | None = None
    try:
        if application is not None and telegram is not None:
            await _start_telegram(application, telegram)
        server_task = asyncio.create_task(server.serve(sockets=[sock]), name="webhooks")
        while not server.started:
            if server_task.done():
                raise StartupError(
                    f"the web server did not start on WEBHOOK_HOST={settings.webhook_host} WEBHOOK_PORT={settings.webhook_port}"
                )
            await asyncio.sleep(0.01)
        checks.worker_task = asyncio.create_task(worker.run_forever(), name="outbox")
        if application is not None:
            await _telegram_webhook(application, base + TELEGRAM_PATH, settings.telegram_webhook_secret or "")
        if viber is not None:
            await _viber_webhook(viber, base + VIBER_PATH)
        log.info("youthbot is serving webhooks at %s", base)
        await stop.wait()
    finally:
        server.should_exit = True
        if server_task is not None:
            await asyncio.gather(server_task, return_exceptions=True)
        worker.stop()
        if checks.worker_task is not None:
            await asyncio.gather(checks.worker_task, return_exceptions=True)
        if application is not None and telegram is not None:
            await _stop_telegram(application, telegram)
        if client is not None:
            await client.close()
        sock.close()


async def _start_telegram(application: Application, telegram: TelegramChannel) -> None:  # type: ignore[type-arg]
    try:
        await application.initialize()
        await telegram.post_init(application)
        await application.start()
    except InvalidToken:
        raise StartupError(TOKEN_REJECTED) from None  # its message holds the token itself
    except TelegramError as exc:
        raise StartupError(f"Telegram refused the start-up: {exc} (check TELEGRAM_BOT_TOKEN)") from exc


async def _telegram_webhook(application: Application, url: str, secret: str) -> None:  # type: ignore[type-arg]
    try:
        await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    except TelegramError as exc:
        raise StartupError(f"Telegram refused the webhook {url}: {exc} (check WEBHOOK_BASE_URL)") from exc


async def _viber_webhook(viber: ViberChannel, url: str) -> None:
    try:
        info = await viber.check_token()
    except ViberError as exc:
        raise StartupError(f"Viber refused the start-up: {exc} (check VIBER_AUTH_TOKEN)") from exc
    try:
        await viber.point_webhook(url, info)
    except ViberError as exc:
        raise StartupError(f"Viber refused the webhook {url}: {exc} (check WEBHOOK_BASE_URL)") from exc


async def _stop_telegram(application: Application, telegram: TelegramChannel) -> None:  # type: ignore[type-arg]
    if application.running:
        await application.stop()
    await telegram.post_shutdown(application)
    await application.shutdown()


def _console(runtime: Runtime, wake: Callable[[], None]) -> Starlette | None:
    if not runtime.settings.web_enabled:
        return None
    from bot.web.app import create_app

    return create_app(runtime.db, runtime.settings, runtime.clock, wake)


def run_webhooks(settings: Settings) -> None:
    """``youthbot run`` with WEBHOOK_BASE_URL: serve until interrupted (Ctrl-C or SIGTERM)."""

    run_until_signalled(settings, serve_webhooks)
