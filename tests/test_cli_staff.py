"""``youthbot staff``: the first admin's set-password link, listing, role changes, disabling."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def test_staff_add_prints_a_link_then_list_role_disable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("WEB_BASE_URL", "https://console.example.org")
    assert main(["staff", "add", "Ana@Example.org", "--name", "Ana", "--role", "admin"]) == 0
    assert "https://console.example.org/password/" in capsys.readouterr().out
    assert main(["staff", "add", "ana@example.org", "--name", "Ana", "--role", "admin"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["staff", "role", "ana@example.org", "viewer"]) == 0
    assert main(["staff", "link", "ana@example.org", "--telegram", "777"]) == 0
    assert main(["staff", "disable", "ana@example.org"]) == 0
    capsys.readouterr()
    assert main(["staff", "list"]) == 0
    assert capsys.readouterr().out == "ana@example.org\tAna\tviewer\tdisabled\n"
    assert main(["staff", "reset", "nobody@example.org"]) == 2
