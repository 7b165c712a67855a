"""One exception tree: what a person can fix reaches them as one line and exit status 2."""

from __future__ import annotations

import pytest

from bot import cli
from bot.cli.surveys import CommandError
from bot.cli.training import AdminError
from bot.config import ConfigError
from bot.errors import YouthbotError
from bot.flows.registry import RegistryError
from bot.handlers.webserver import StartupError
from bot.i18n import CatalogError
from bot.surveys.loader import SurveyError


@pytest.mark.parametrize(
    "error", [ConfigError, StartupError, SurveyError, CommandError, CatalogError, RegistryError, AdminError]
)
def test_every_fixable_mistake_is_a_youthbot_error(error: type[Exception]) -> None:
    assert issubclass(error, YouthbotError)


def test_the_cli_turns_any_youthbot_error_into_one_line_and_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RegistryError("apply defines 'apply' a second time")

    monkeypatch.setattr(cli, "load_settings", broken)
    assert cli.main(["chat"]) == 2
    err = capsys.readouterr().err
    assert err == "youthbot: apply defines 'apply' a second time\n"
