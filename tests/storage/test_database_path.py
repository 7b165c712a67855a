"""DATABASE_PATH pointing somewhere odd: one clear line, no hang, and nothing the bot did not create changes mode."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Database, StorageError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _open(path: Path) -> None:
    # The guard only keeps a hang from stalling the suite; the assertion is on the error.
    async with asyncio.timeout(20):
        async with Database(path):
            pass


async def test_an_existing_folder_is_refused_and_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    with pytest.raises(StorageError, match=r"DATABASE_PATH.*is a folder"):
        await _open(folder)
    assert _mode(folder) == 0o755
    assert list(folder.iterdir()) == []


async def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list: bread, milk\n" * 100)
    os.chmod(notes, 0o644)
    with pytest.raises(StorageError, match=r"DATABASE_PATH.*not an SQLite database"):
        await _open(notes)
    assert _mode(notes) == 0o644
    assert notes.read_text().startswith("shopping list")
    assert not (tmp_path / "notes.txt-wal").exists()


async def test_a_folder_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match=r"DATABASE_PATH"):
        await _open(blocker / "data" / "bot.sqlite3")


async def test_a_new_database_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "bot.sqlite3"
    await _open(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


async def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await _open(path)
    os.chmod(path, 0o640)  # e.g. a backup group was given read access on purpose
    await _open(path)
    assert _mode(path) == 0o640


@pytest.mark.parametrize("kind", ["folder", "text file", "uncreatable"])
def test_the_cli_says_one_line_naming_the_setting_and_exits_2(tmp_path: Path, kind: str) -> None:
    if kind == "folder":
        target = tmp_path / "folder"
        target.mkdir()
    elif kind == "text file":
        target = tmp_path / "notes.txt"
        target.write_text("not a database\n")
    else:
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VIBER_", "WEBHOOK_"))}
    env["DATABASE_PATH"] = str(target)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "cohort", "list"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_PATH" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
