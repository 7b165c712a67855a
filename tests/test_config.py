"""Settings: defaults, validation with one clear line, and the CLI's exit status."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.logs import RedactSecrets

TOKEN = "123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456"


def test_defaults() -> None:
    settings = load_settings(environ={}, env_file=None)
    assert settings.database_path == Path("data/youthbot.sqlite3")
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert str(settings.timezone) == "Europe/Belgrade"
    assert settings.default_language == "sq"
    assert settings.conversation_timeout.days == 7
    assert (settings.min_age, settings.max_age) == (15, 29)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEFAULT_LANGUAGE=sr\nSTAFF_TELEGRAM_IDS=1, 2;3\nTIMEZONE=Europe/Tirane\n")
    settings = load_settings(environ={"TIMEZONE": "Europe/Belgrade"}, env_file=env_file)
    assert settings.default_language == "sr"
    assert settings.staff_telegram_ids == {1, 2, 3}
    assert str(settings.timezone) == "Europe/Belgrade"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_URL": "http://localhost:8081/"}, "TELEGRAM_API_URL"),
        ({"STAFF_TELEGRAM_IDS": "12,abc"}, "STAFF_TELEGRAM_IDS"),
        ({"DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"MIN_AGE": "30", "MAX_AGE": "20"}, "MIN_AGE"),
        ({"CONVERSATION_TIMEOUT_DAYS": "soon"}, "CONVERSATION_TIMEOUT_DAYS"),
        ({"PROGRAMMES_FILE": "/nonexistent/programmes.toml"}, "PROGRAMMES_FILE"),
        ({"RETENTION_MONTHS": "0"}, "RETENTION_MONTHS"),
        ({"GUARDIAN_CONSENT_UNDER": "sixteen"}, "GUARDIAN_CONSENT_UNDER"),
    ],
)
def test_invalid_settings_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(environ=env, env_file=None)


def test_local_api_url_is_accepted() -> None:
    settings = load_settings(
        environ={"TELEGRAM_API_URL": "http://127.0.0.1:8081/bot", "TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None
    )
    assert settings.telegram_api_url == "http://127.0.0.1:8081/bot"


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "STAFF_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_bad_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _cli(["run"], {"TIMEZONE": "Nowhere/Town"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_run_without_token_explains_botfather_and_chat(tmp_path: Path) -> None:
    result = _cli(["run"], {}, tmp_path)
    assert result.returncode == 2
    assert "BotFather" in result.stderr and "youthbot chat" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_never_reaches_the_log() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST https://api.telegram.org/bot%s/getMe", (TOKEN,), None
    )
    RedactSecrets([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage() and "[secret]" in record.getMessage()
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    RedactSecrets([TOKEN]).filter(record)
    assert TOKEN not in logging.Formatter().format(record)


def test_export_without_database_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "none.sqlite3"))
    assert main(["export", "applications"]) == 2
    assert "DATABASE_PATH" in capsys.readouterr().err


def test_privacy_settings() -> None:
    default = load_settings(environ={}, env_file=None)
    assert (default.retention_months, default.guardian_consent_under, default.privacy_contact) == (24, 16, None)
    custom = load_settings(
        environ={"RETENTION_MONTHS": "36", "GUARDIAN_CONSENT_UNDER": "0", "PRIVACY_CONTACT": " dpo@example.org "},
        env_file=None,
    )
    assert (custom.retention_months, custom.guardian_consent_under, custom.privacy_contact) == (
        36,
        0,
        "dpo@example.org",
    )
