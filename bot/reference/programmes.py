"""The programme catalogue file: read, check, and load into the database."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config import ConfigError
from storage.programmes import ProgrammeRecord

KINDS = ("professional", "ict", "entrepreneurship", "certification", "incubation")
SHORT_MAX = 24  # a button label that fits the narrowest chat list rows


def read_programmes(path: Path) -> list[ProgrammeRecord]:
    """Parse the file; any mistake raises ConfigError naming the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    entries = data.get("programme")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[programme]] entries")
    records, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: programme #{number}"
        code = entry.get("code")
        if not isinstance(code, str) or not code or len(code) > 40 or not code.replace("-", "").isalnum():
            raise ConfigError(f"{where}: code must be 1-40 letters, digits or '-'")
        where = f"{path}: programme {code!r}"
        if code in seen:
            raise ConfigError(f"{where}: the code is used twice")
        seen.add(code)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
        titles = entry.get("title", {})
        for lang in ("sq", "sr", "en"):
            if not isinstance(titles.get(lang), str) or not titles[lang].strip():
                raise ConfigError(f"{where}: title.{lang} is missing")
        shorts = entry.get("short", {})
        if not isinstance(shorts, dict):
            raise ConfigError(f"{where}: short must be a table (short.sq, short.sr, short.en)")
        for lang in ("sq", "sr", "en"):
            short = shorts.get(lang, "")
            if not isinstance(short, str) or len(short.strip()) > SHORT_MAX:
                raise ConfigError(f"{where}: short.{lang} must be text of at most {SHORT_MAX} characters")
            if not short.strip() and len(titles[lang].strip()) > SHORT_MAX:
                raise ConfigError(f"{where}: short.{lang} is missing (the title is too long for a button)")
        is_open = entry.get("open", True)
        if not isinstance(is_open, bool):
            raise ConfigError(f"{where}: open must be true or false")
        records.append(
            ProgrammeRecord(
                code,
                kind,
                titles["sq"].strip(),
                titles["sr"].strip(),
                titles["en"].strip(),
                is_open,
                *(shorts.get(lang, "").strip() for lang in ("sq", "sr", "en")),
            )
        )
    return records
