"""The programme file: short button titles beside the full titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.reference.programmes import read_programmes

ENTRY = """\
[[programme]]
code = "web"
kind = "certification"
title.sq = "{sq}"
title.sr = "Обука за сертификат: развој веб-апликација"
title.en = "Certification course: web development"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "programmes.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_long_title_needs_a_short_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"short\.sq is missing"):
        read_programmes(_write(tmp_path, ENTRY.format(sq="Trajnim për certifikim: zhvillim uebi")))


def test_short_titles_are_read_and_limited(tmp_path: Path) -> None:
    shorts = 'short.sq = "Certifikim: ueb"\nshort.sr = "Сертификат: веб"\nshort.en = "Certificate: web"\n'
    record = read_programmes(_write(tmp_path, ENTRY.format(sq="Trajnim për certifikim: zhvillim uebi") + shorts))[0]
    assert (record.short_sq, record.short_sr, record.short_en) == (
        "Certifikim: ueb",
        "Сертификат: веб",
        "Certificate: web",
    )
    assert record.title_en == "Certification course: web development"
    too_long = shorts.replace("Certificate: web", "Certificate: web development")
    with pytest.raises(ConfigError, match=r"short\.en must be text of at most 24 characters"):
        read_programmes(_write(tmp_path, ENTRY.format(sq="Ueb") + too_long))
