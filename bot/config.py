"""Settings from environment variables and an optional ``.env`` file.

Every setting is checked at start-up; a bad one ends the program with one line
naming it (exit status 2), never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import YouthbotError
from bot.i18n import LANGUAGES

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_VIBER_API_URL = "https://chatapi.viber.com/pa/"
DEFAULT_TIMEZONE = "Europe/Belgrade"  # the programme's time zone when TIMEZONE is not set (Kosovo)
VIBER_NAME_MAX = 28  # Viber's limit for sender.name
# Telegram's free bulk rate. Above it (OUTBOX_RATE_PER_SECOND up to 1,000) every
# proactive message is sent with allow_paid_broadcast=True, which Telegram bills
# at 0.1 Stars per message from the bot's balance.
FREE_BROADCAST_RATE = 30.0
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
SURVEYS_DIR = Path(__file__).resolve().parent.parent / "surveys"


class ConfigError(YouthbotError, ValueError):
    """A setting is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_path: Path = Path("data/youthbot.sqlite3")
    staff_telegram_ids: frozenset[int] = field(default_factory=frozenset)
    default_language: str = "sq"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    conversation_timeout: timedelta = timedelta(days=7)
    min_age: int = 15
    max_age: int = 29
    motivation_max_chars: int = 1000
    programmes_file: Path = PACKAGE_DATA / "programmes.toml"
    outbox_rate_per_second: float = 25.0
    outbox_per_chat_interval: float = 1.0
    log_level: str = "INFO"
    webhook_base_url: str | None = None  # set: webhooks for both channels; unset: Telegram long polling
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    telegram_webhook_secret: str | None = None
    viber_auth_token: str | None = None
    viber_api_url: str = DEFAULT_VIBER_API_URL
    viber_bot_name: str = "Youth ICT Programme"
    viber_bot_avatar: str | None = None
    viber_staff_ids: frozenset[str] = field(default_factory=frozenset)
    survey_dir: Path = SURVEYS_DIR
    survey_reminder_days: int = 7
    survey_expiry_days: int = 30
    survey_send_hour: int = 10
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))  # longest first
    web_enabled: bool = False  # serve the staff console inside `youthbot run`
    web_host: str = "127.0.0.1"
    web_port: int = 8090
    web_base_url: str | None = None  # the console's address, for links; https gives Secure cookies
    retention_months: int = 24  # then old applications, conversations and messages are anonymised
    guardian_consent_under: int = 16  # applicants younger than this need a guardian's consent; 0: off
    privacy_contact: str | None = None  # whom to ask about one's data, shown by /privacy

    @property
    def web_secure_cookies(self) -> bool:
        return (self.web_base_url or "").startswith("https://")

    @property
    def paid_broadcasts(self) -> bool:
        """Whether proactive messages must be paid broadcasts to go out at the configured rate."""
        return self.outbox_rate_per_second > FREE_BROADCAST_RATE


_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


def _number(
    env: Mapping[str, str], name: str, default: float, low: float, high: float, kind: type[float] | type[int] = float
) -> float:
    """A numeric setting within bounds; ``kind=int`` for whole numbers."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a {'whole number' if kind is int else 'number'}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} must be between {low} and {high}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    return int(_number(env, name, default, low, high, kind=int))


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    return _number(env, name, default, low, high)


_OFFSET_RE = re.compile(r"^(\d{1,4})\s*([dhm])$")
_OFFSET_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def parse_reminder_offsets(raw: str) -> tuple[timedelta, ...]:
    """``"24h,1h"`` -> (24 h, 1 h): how long before a session its reminders go, longest first."""
    offsets: set[timedelta] = set()
    for part in raw.split(","):
        part = part.strip().lower()
        if not part:
            continue
        match = _OFFSET_RE.match(part)
        if match is None:
            raise ConfigError(
                f"REMINDER_OFFSETS has {part!r}; write durations like 24h, 90m or 2d, separated by commas"
            )
        offset = int(match.group(1)) * _OFFSET_UNITS[match.group(2)]
        if not timedelta(minutes=5) <= offset <= timedelta(days=14):
            raise ConfigError(f"REMINDER_OFFSETS has {part!r}; each must be between 5m and 14d")
        offsets.add(offset)
    if not offsets or len(offsets) > 5:
        raise ConfigError(f"REMINDER_OFFSETS={raw!r} must list 1 to 5 different durations, e.g. 24h,1h")
    return tuple(sorted(offsets, reverse=True))


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Read settings: real environment variables win over the ``.env`` file."""
    env: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        env.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a token from BotFather (digits:letters)")

    api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^/\s]+(/\S*)?/bot$", api_url):
        raise ConfigError(f"TELEGRAM_API_URL={api_url!r} must be an http(s) URL ending in /bot, e.g. {DEFAULT_API_URL}")

    staff: set[int] = set()
    for part in env.get("STAFF_TELEGRAM_IDS", "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"STAFF_TELEGRAM_IDS has {part!r}, which is not a Telegram user id (a number)")
        staff.add(int(part))

    language = env.get("DEFAULT_LANGUAGE", "").strip() or "sq"
    if language not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE={language!r} must be one of {', '.join(LANGUAGES)}")

    tz_name = env.get("TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE={tz_name!r} is not a known time zone, e.g. Europe/Belgrade") from None

    min_age = _int(env, "MIN_AGE", 15, 10, 99)
    max_age = _int(env, "MAX_AGE", 29, 10, 120)
    if min_age > max_age:
        raise ConfigError(f"MIN_AGE={min_age} is greater than MAX_AGE={max_age}")

    programmes = Path(env.get("PROGRAMMES_FILE", "").strip() or PACKAGE_DATA / "programmes.toml")
    if not programmes.is_file():
        raise ConfigError(f"PROGRAMMES_FILE={str(programmes)!r} does not exist")

    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL={log_level!r} must be DEBUG, INFO, WARNING or ERROR")

    survey_dir = Path(env.get("SURVEY_DIR", "").strip() or SURVEYS_DIR)
    if not survey_dir.is_dir():
        raise ConfigError(f"SURVEY_DIR={str(survey_dir)!r} is not a folder")
    reminder_days = _int(env, "SURVEY_REMINDER_DAYS", 7, 1, 365)
    expiry_days = _int(env, "SURVEY_EXPIRY_DAYS", 30, 1, 365)
    if reminder_days >= expiry_days:
        raise ConfigError(f"SURVEY_REMINDER_DAYS={reminder_days} must be less than SURVEY_EXPIRY_DAYS={expiry_days}")

    settings = Settings(
        telegram_token=token,
        telegram_api_url=api_url,
        database_path=Path(env.get("DATABASE_PATH", "").strip() or "data/youthbot.sqlite3"),
        staff_telegram_ids=frozenset(staff),
        default_language=language,
        timezone=tz,
        conversation_timeout=timedelta(days=_float(env, "CONVERSATION_TIMEOUT_DAYS", 7, 0.001, 365)),
        min_age=min_age,
        max_age=max_age,
        motivation_max_chars=_int(env, "MOTIVATION_MAX_CHARS", 1000, 50, 3500),
        programmes_file=programmes,
        outbox_rate_per_second=_float(env, "OUTBOX_RATE_PER_SECOND", 25.0, 0.1, 1000.0),
        outbox_per_chat_interval=_float(env, "OUTBOX_PER_CHAT_INTERVAL", 1.0, 0.0, 60.0),
        log_level=log_level,
        **_webhook_settings(env, token),
        survey_dir=survey_dir,
        survey_reminder_days=reminder_days,
        survey_expiry_days=expiry_days,
        survey_send_hour=_int(env, "SURVEY_SEND_HOUR", 10, 0, 23),
        reminder_offsets=parse_reminder_offsets(env.get("REMINDER_OFFSETS", "").strip() or "24h,1h"),
        retention_months=_int(env, "RETENTION_MONTHS", 24, 1, 240),
        guardian_consent_under=_int(env, "GUARDIAN_CONSENT_UNDER", 16, 0, 99),
        privacy_contact=env.get("PRIVACY_CONTACT", "").strip() or None,
    )
    return _with_web_settings(settings, env)


def _with_web_settings(settings: Settings, env: Mapping[str, str]) -> Settings:
    """WEB_* settings: the staff console."""
    raw = env.get("WEB_ENABLED", "").strip().lower()
    if raw not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ConfigError(f"WEB_ENABLED={raw!r} must be true or false")
    base = env.get("WEB_BASE_URL", "").strip().rstrip("/") or None
    if base is not None:
        host = re.match(r"^(https?)://([^/:\s]+|\[[^\]]+\])(:\d+)?(/\S*)?$", base)
        if host is None or (host.group(1) == "http" and host.group(2) not in _LOCAL_HOSTS):
            raise ConfigError(
                f"WEB_BASE_URL={base!r} must be the console's https:// address (http:// only for 127.0.0.1 or localhost)"
            )
    return replace(
        settings,
        web_enabled=raw in ("1", "true", "yes"),
        web_host=env.get("WEB_HOST", "").strip() or "127.0.0.1",
        web_port=_int(env, "WEB_PORT", 8090, 1, 65535),
        web_base_url=base,
    )


_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_VIBER_TOKEN_RE = re.compile(r"^[A-Za-z0-9-]{16,128}$")
_VIBER_ID_RE = re.compile(r"^[A-Za-z0-9+/=_-]{1,64}$")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class _WebhookSettings(TypedDict):
    """The fields of :class:`Settings` that :func:`_webhook_settings` reads, by name and type."""

    webhook_base_url: str | None
    webhook_host: str
    webhook_port: int
    telegram_webhook_secret: str | None
    viber_auth_token: str | None
    viber_api_url: str
    viber_bot_name: str
    viber_bot_avatar: str | None
    viber_staff_ids: frozenset[str]


def _webhook_settings(env: Mapping[str, str], telegram_token: str | None) -> _WebhookSettings:
    """WEBHOOK_* and VIBER_* settings: the web server and the Viber channel."""
    base = env.get("WEBHOOK_BASE_URL", "").strip().rstrip("/") or None
    if base is not None:
        host = re.match(r"^(https?)://([^/:\s]+|\[[^\]]+\])(:\d+)?(/\S*)?$", base)
        if host is None or (host.group(1) == "http" and host.group(2) not in _LOCAL_HOSTS):
            raise ConfigError(
                f"WEBHOOK_BASE_URL={base!r} must be the bot's public https:// address, e.g. https://bot.example.org"
            )
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not _SECRET_RE.match(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -")
    if base is not None and telegram_token is not None and secret is None:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is needed with WEBHOOK_BASE_URL (16 to 256 characters of A-Z, a-z, 0-9, _ and -)"
        )
    viber_token = env.get("VIBER_AUTH_TOKEN", "").strip() or None
    if viber_token is not None and not _VIBER_TOKEN_RE.match(viber_token):
        raise ConfigError("VIBER_AUTH_TOKEN does not look like a Viber bot token (letters, digits and -)")
    if viber_token is not None and base is None:
        raise ConfigError(
            "VIBER_AUTH_TOKEN is set but WEBHOOK_BASE_URL is not: Viber delivers messages only to a public https:// address"
        )
    viber_url = env.get("VIBER_API_URL", "").strip() or DEFAULT_VIBER_API_URL
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", viber_url):
        raise ConfigError(f"VIBER_API_URL={viber_url!r} must be an http(s) URL, e.g. {DEFAULT_VIBER_API_URL}")
    name = env.get("VIBER_BOT_NAME", "").strip() or Settings.viber_bot_name
    if len(name) > VIBER_NAME_MAX:
        raise ConfigError(f"VIBER_BOT_NAME={name!r} is longer than Viber's {VIBER_NAME_MAX} characters")
    avatar = env.get("VIBER_BOT_AVATAR", "").strip() or None
    if avatar is not None and not re.match(r"^https?://\S+$", avatar):
        raise ConfigError(f"VIBER_BOT_AVATAR={avatar!r} must be an http(s) URL of a picture")
    staff: set[str] = set()
    for part in env.get("VIBER_STAFF_IDS", "").replace(";", ",").split(","):
        part = part.strip()
        if part and not _VIBER_ID_RE.match(part):
            raise ConfigError(f"VIBER_STAFF_IDS has {part!r}, which is not a Viber user id")
        if part:
            staff.add(part)
    return {
        "webhook_base_url": base,
        "webhook_host": env.get("WEBHOOK_HOST", "").strip() or "127.0.0.1",
        "webhook_port": _int(env, "WEBHOOK_PORT", 8080, 1, 65535),
        "telegram_webhook_secret": secret,
        "viber_auth_token": viber_token,
        "viber_api_url": viber_url if viber_url.endswith("/") else viber_url + "/",
        "viber_bot_name": name,
        "viber_bot_avatar": avatar,
        "viber_staff_ids": frozenset(staff),
    }
