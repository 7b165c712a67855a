"""Settings from environment variables and an optional ``.env`` file.

Every setting is checked at start-up; a bad one ends the program with one line
naming it (exit status 2), never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.i18n import LANGUAGES

DEFAULT_API_URL = "https://api.telegram.org/bot"
# Telegram's free bulk rate. Above it (OUTBOX_RATE_PER_SECOND up to 1,000) every
# proactive message is sent with allow_paid_broadcast=True, which Telegram bills
# at 0.1 Stars per message from the bot's balance.
FREE_BROADCAST_RATE = 30.0
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_path: Path = Path("data/youthbot.sqlite3")
    staff_telegram_ids: frozenset[int] = field(default_factory=frozenset)
    default_language: str = "sq"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Belgrade"))
    conversation_timeout: timedelta = timedelta(days=7)
    min_age: int = 15
    max_age: int = 29
    motivation_max_chars: int = 1000
    programmes_file: Path = PACKAGE_DATA / "programmes.toml"
    outbox_rate_per_second: float = 25.0
    outbox_per_chat_interval: float = 1.0
    log_level: str = "INFO"

    @property
    def paid_broadcasts(self) -> bool:
        """Whether proactive messages must be paid broadcasts to go out at the configured rate."""
        return self.outbox_rate_per_second > FREE_BROADCAST_RATE


_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} must be between {low} and {high}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} must be between {low} and {high}")
    return value


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
        raise ConfigError(
            f"TELEGRAM_API_URL={api_url!r} must be an http(s) URL ending in /bot, e.g. {DEFAULT_API_URL}"
        )

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

    tz_name = env.get("TIMEZONE", "").strip() or "Europe/Belgrade"
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

    return Settings(
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
    )
