"""Every user-facing string exists, translated, in every language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, SOURCE_CATALOGS, _, format_date, format_datetime, ngettext, use_language
from bot.i18n.catalogs import extract_messages, latin_serbian
from bot.i18n.transliteration import to_latin

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
EXPECTED_PLURALS = {"sq": 2, "sr": 3, "en": 2}


def _catalog(folder: str):
    with (LOCALES_DIR / folder / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=folder)


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


@pytest.mark.parametrize("folder", SOURCE_CATALOGS)
def test_catalog_is_complete_and_not_fuzzy(folder: str) -> None:
    catalog = _catalog(folder)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = _strings(message)
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {_ids(message)[0]!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {_ids(message)[0]!r}")
    assert problems == []


@pytest.mark.parametrize("folder", SOURCE_CATALOGS)
def test_placeholders_match_the_msgid(folder: str) -> None:
    problems = []
    for message in _catalog(folder):
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in _strings(message):
            if string and set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"{_ids(message)[0]!r}: {string!r}")
    assert problems == []


@pytest.mark.parametrize("folder", SOURCE_CATALOGS)
def test_plural_forms(folder: str) -> None:
    catalog = _catalog(folder)
    assert catalog.num_plurals == EXPECTED_PLURALS[folder]
    for message in catalog:
        if message.pluralizable:
            assert len(_strings(message)) == EXPECTED_PLURALS[folder], message.id


@pytest.mark.parametrize("folder", SOURCE_CATALOGS)
def test_every_string_in_the_code_is_in_the_catalog(folder: str) -> None:
    in_code = {_ids(m)[0] for m in extract_messages() if m.id}
    in_catalog = {_ids(m)[0] for m in _catalog(folder) if m.id}
    assert sorted(in_code - in_catalog) == []


@pytest.mark.parametrize("folder", ["sq", "sr"])
def test_translations_are_not_english_left_in_place(folder: str) -> None:
    same = [
        m.id
        for m in _catalog(folder)
        if m.id and not m.pluralizable and m.string == m.id and len(m.id) > 12 and " " in m.id
    ]
    assert same == []


def test_serbian_is_cyrillic_and_latin_is_generated() -> None:
    sr = _catalog("sr")
    latin = latin_serbian(sr)
    for message in sr:
        if not message.id:
            continue
        for string in _strings(message):
            letters = PLACEHOLDER.sub("", re.sub(r"/\w+|\S+@\S+|\+?\d[\d ]+", "", string))
            assert not re.search(r"[a-zA-Z]{3,}", letters.replace("YB", "")), string
        translit = latin.get(message.id)
        assert translit is not None
        for string in _strings(translit):
            assert not re.search("[\u0400-\u04ff]", string), string


def test_plural_rules_in_use() -> None:
    with use_language("sr"):
        forms = {
            n: ngettext("{n} application", "{n} applications", n).format(n=n) for n in (1, 2, 5, 21, 22, 25, 11, 12)
        }
    assert forms[1].endswith(forms[21].split(" ", 1)[1])
    assert forms[2].split(" ", 1)[1] == forms[22].split(" ", 1)[1]
    assert (
        forms[5].split(" ", 1)[1]
        == forms[25].split(" ", 1)[1]
        == forms[11].split(" ", 1)[1]
        == forms[12].split(" ", 1)[1]
    )
    assert len({forms[1].split(" ", 1)[1], forms[2].split(" ", 1)[1], forms[5].split(" ", 1)[1]}) >= 2


def test_transliteration() -> None:
    assert to_latin("Љиљана Његош, ЏЕП, Ђаковица, Џеп") == "Ljiljana Njegoš, DŽEP, Đakovica, Džep"
    assert to_latin("{name} и /apply") == "{name} i /apply"


def test_each_language_speaks_its_own_words() -> None:
    seen = {}
    for code in LANGUAGES:
        with use_language(code):
            seen[code] = _("Language set to English.")
    assert len(set(seen.values())) == 4
    assert not re.search("[\u0400-\u04ff]", seen["sr_Latn"])
    assert re.search("[\u0400-\u04ff]", seen["sr"])


def test_dates_in_locale_without_zone_names() -> None:
    moment = datetime(2026, 3, 29, 7, 30, tzinfo=UTC)  # 09:30 in Kosovo, the day summer time starts
    tz = ZoneInfo("Europe/Belgrade")
    shown = {}
    for code in LANGUAGES:
        with use_language(code):
            shown[code] = format_datetime(moment, tz), format_date(date(2004, 3, 15))
    for text, _day in shown.values():
        assert "09:30" in text or "9:30" in text
        assert not re.search(r"Serbi|Srbij|Србиј|Europe|Belgrade", text)
    assert (
        "mars" in shown["sq"][1]
        and "март" in shown["sr"][1]
        and "mart" in shown["sr_Latn"][1]
        and "March" in shown["en"][1]
    )


def test_latin_catalog_is_not_committed() -> None:
    ignored = (Path(LOCALES_DIR).parent / ".gitignore").read_text()
    assert "locales/sr_Latn/" in ignored


def test_catalogs_compile_only_when_a_catalog_changed(capsys: pytest.CaptureFixture[str]) -> None:
    """``make chat`` and ``make test`` run it every time: quiet when nothing changed."""
    from bot.cli import main

    assert main(["catalogs", "compile"]) == 0
    capsys.readouterr()
    assert main(["catalogs", "compile"]) == 0
    assert capsys.readouterr().out == ""
