"""``youthbot chat`` with piped input, and ``youthbot export applications``, as a newcomer runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LANGUAGE_NUMBER = {"sq": 1, "sr": 2, "sr_Latn": 3, "en": 4}
MUNICIPALITY = {"sq": "Prishtinë", "sr": "Приштина", "sr_Latn": "Priština", "en": "Pristina"}
NAMES = {"sq": "Arta Krasniqi", "sr": "Јована Петровић", "sr_Latn": "Milica Jović", "en": "Jane Doe"}


def script(language: str) -> str:
    lines = [
        "/start",
        str(LANGUAGE_NUMBER[language]),
        "/apply",
        "1",  # the first open programme
        NAMES[language],
        "15.03.2004",
        "1",  # female
        MUNICIPALITY[language],
        "044 123 456",
        "name@example.com",
        "2",  # secondary school
        "1",  # unemployed
        "Dua të bëhem programere / Желим да учим / I want to learn.",
        "1",  # social media
        "1",  # consent: yes
        "1",  # submit
    ]
    return "\n".join(lines) + "\n"


def run_cli(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "STAFF_"))}
    env["DATABASE_PATH"] = str(cwd / "data" / "bot.sqlite3")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("language", list(LANGUAGE_NUMBER))
def test_piped_chat_completes_an_application(language: str, tmp_path: Path) -> None:
    result = run_cli(["chat", "--user", f"tester-{language}"], tmp_path, script(language))
    assert result.returncode == 0, result.stderr
    assert "YB-" in result.stdout, result.stdout[-3000:]
    exported = run_cli(["export", "applications"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    (row,) = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert row["full_name"] == NAMES[language]
    assert row["language"] == language
    assert row["municipality"] == "prishtine"
    assert row["phone"] == "+38344123456"
    assert row["reference"] in result.stdout


def test_export_to_file_has_bom_and_every_application(tmp_path: Path) -> None:
    for language in ("sq", "sr"):
        run_cli(["chat", "--user", f"u-{language}"], tmp_path, script(language))
    out = tmp_path / "applications.csv"
    result = run_cli(["export", "applications", "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["full_name"] for r in rows} == {NAMES["sq"], NAMES["sr"]}


def test_hostile_input_never_crashes_the_console(tmp_path: Path) -> None:
    hostile = (
        "\n".join(
            [
                "hello",
                "/start",
                "99",
                "4",
                "/apply",
                "0",
                "-1",
                "1",
                "x" * 5000,
                "😀😀😀",
                "/nonsense",
                "'; DROP TABLE users; --",
                "1",
                "/cancel",
                "/status",
                "/mydata",
                "\x1b[31mred",
                "/forget",
                "2",
            ]
        )
        + "\n"
    )
    result = run_cli(["chat"], tmp_path, hostile)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Cancelled" in result.stdout


def test_mydata_in_the_console_writes_the_copy_for_the_owner_only(tmp_path: Path) -> None:
    result = run_cli(["chat", "--user", "me"], tmp_path, "/start\n4\n/mydata\n")
    assert result.returncode == 0, result.stderr
    assert "Account and language" in result.stdout
    (line,) = [line for line in result.stdout.splitlines() if ".json]" in line]
    path = tmp_path / line.strip().strip("[]")
    assert path.parent.name == "exports" and path.name.startswith("my-data-")
    assert path.stat().st_mode & 0o777 == 0o600
    copy = json.loads(path.read_text(encoding="utf-8"))
    assert copy["account"] == {**copy["account"], "channel": "console", "platform_id": "me", "language": "en"}
