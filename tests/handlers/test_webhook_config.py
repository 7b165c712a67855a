"""WEBHOOK_* and VIBER_* settings: defaults, and one clear line for each mistake."""

from __future__ import annotations

import io
import logging

import pytest

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from bot.runtime import staff_check

TELEGRAM = "123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456"
VIBER = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"
SECRET = "s3cret_Webhook-token-0123"


def test_defaults_mean_long_polling_without_viber() -> None:
    settings = load_settings(environ={}, env_file=None)
    assert settings.webhook_base_url is None and settings.viber_auth_token is None
    assert settings.viber_api_url == "https://chatapi.viber.com/pa/"
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8080)
    assert len(settings.viber_bot_name) <= 28


def test_both_channels_by_webhook() -> None:
    settings = load_settings(
        environ={
            "TELEGRAM_BOT_TOKEN": TELEGRAM,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "WEBHOOK_BASE_URL": "https://bot.example.org/youthbot/",
            "WEBHOOK_HOST": "0.0.0.0",
            "WEBHOOK_PORT": "8443",
            "VIBER_AUTH_TOKEN": VIBER,
            "VIBER_API_URL": "http://127.0.0.1:9000/pa",
            "VIBER_BOT_NAME": "Trajnime ICT",
            "VIBER_BOT_AVATAR": "https://bot.example.org/logo.jpg",
            "VIBER_STAFF_IDS": "01234567890A=, abc+def/ghi==",
        },
        env_file=None,
    )
    assert settings.webhook_base_url == "https://bot.example.org/youthbot"
    assert settings.webhook_port == 8443 and settings.webhook_host == "0.0.0.0"
    assert settings.viber_api_url == "http://127.0.0.1:9000/pa/"
    assert settings.viber_staff_ids == {"01234567890A=", "abc+def/ghi=="}
    is_staff = staff_check(settings)
    assert (
        is_staff("viber", "01234567890A=")
        and not is_staff("viber", "someone=")
        and not is_staff("telegram", "01234567890A=")
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WEBHOOK_BASE_URL": "http://bot.example.org"}, "WEBHOOK_BASE_URL"),
        ({"WEBHOOK_BASE_URL": "bot.example.org"}, "WEBHOOK_BASE_URL"),
        ({"WEBHOOK_BASE_URL": "https://bot.example.org", "TELEGRAM_BOT_TOKEN": TELEGRAM}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "short"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces in it, 0123456789"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "x" * 257}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"VIBER_AUTH_TOKEN": VIBER}, "WEBHOOK_BASE_URL"),
        ({"VIBER_AUTH_TOKEN": "not a token!", "WEBHOOK_BASE_URL": "https://b.org"}, "VIBER_AUTH_TOKEN"),
        ({"VIBER_API_URL": "chatapi.viber.com"}, "VIBER_API_URL"),
        ({"VIBER_BOT_NAME": "A name much longer than Viber allows"}, "VIBER_BOT_NAME"),
        ({"VIBER_BOT_AVATAR": "logo.jpg"}, "VIBER_BOT_AVATAR"),
        ({"VIBER_STAFF_IDS": "ok=, not an id"}, "VIBER_STAFF_IDS"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(environ=env, env_file=None)


def test_local_http_is_allowed_for_trying_it_out() -> None:
    settings = load_settings(
        environ={"WEBHOOK_BASE_URL": "http://127.0.0.1:8080", "VIBER_AUTH_TOKEN": VIBER}, env_file=None
    )
    assert settings.webhook_base_url == "http://127.0.0.1:8080"


def test_the_webhook_secret_and_viber_token_never_reach_the_log() -> None:
    settings = load_settings(
        environ={
            "WEBHOOK_BASE_URL": "https://bot.example.org",
            "TELEGRAM_BOT_TOKEN": TELEGRAM,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "VIBER_AUTH_TOKEN": VIBER,
        },
        env_file=None,
    )
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        setup_logging(settings)
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        logging.getLogger("telegram.Bot").warning(
            "Calling setWebhook with %s", {"secret_token": SECRET, "viber": VIBER}
        )
    finally:
        root.handlers[:], root.level = saved, level
    assert SECRET not in stream.getvalue() and VIBER not in stream.getvalue()
    assert stream.getvalue().count("[secret]") == 2
