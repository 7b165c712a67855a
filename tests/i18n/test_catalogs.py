"""Every user-facing string exists, translated, in every language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import (
    LANGUAGES,
    LOCALES_DIR,
    SOURCE_CATALOGS,
    _,
    format_date,
    format_datetime,
    ngettext,
    pgettext,
    use_language,
)
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
    """Keyed by (msgctxt, msgid): an entry without its context does not translate a pgettext call."""
    in_code = {(m.context or "", _ids(m)[0]) for m in extract_messages() if m.id}
    in_catalog = {(m.context or "", _ids(m)[0]) for m in _catalog(folder) if m.id}
    assert sorted(in_code - in_catalog) == []


@pytest.mark.parametrize("folder", SOURCE_CATALOGS)
def test_message_contexts_are_complete_and_distinct(folder: str) -> None:
    """Every msgctxt entry of the code is translated in the catalog, and the split says different things."""
    catalog = _catalog(folder)
    with_context = [m for m in extract_messages() if m.id and m.context]
    assert with_context, "the code uses message contexts (pgettext)"
    by_id: dict[str, set[str]] = {}
    for message in with_context:
        entry = catalog.get(message.id, context=message.context)
        assert entry is not None, (message.context, message.id)
        assert not entry.fuzzy and all(s and s.strip() for s in _strings(entry)), (message.context, message.id)
        strings = by_id.setdefault(_ids(message)[0], set())
        strings.add(_strings(entry)[0])
        plain = catalog.get(message.id)  # the same words without a context count as the other side of the split
        if plain is not None and plain.string:
            strings.add(_strings(plain)[0])
    if folder != "en":
        assert all(len(strings) > 1 for strings in by_id.values()), by_id


def test_pgettext_speaks_each_context() -> None:
    with use_language("sq"):
        assert pgettext("forget my data", "No, keep it") == "Jo, mos i fshi"
        assert pgettext("cancel a session", "No, keep it") == "Jo, mos e anulo"
    with use_language("sr_Latn"):
        assert pgettext("cancel a session", "No, keep it") == "Ne, ne otkazuj"


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
        translit = latin.get(message.id, context=message.context)
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


def test_all_capitals_ending_in_a_digraph_stay_all_capitals() -> None:
    assert to_latin("КОЊ") == "KONJ"
    assert to_latin("КОЊ И ЉУБАВ") == "KONJ I LJUBAV"
    assert to_latin("ЈЕЖ, КОЊ.") == "JEŽ, KONJ."
    assert to_latin("ОЏ") == "ODŽ"
    assert to_latin("Коњ и Љубав") == "Konj i Ljubav"
    assert to_latin("Џ") == "Dž"


def test_brand_names_come_out_as_the_brands_write_them() -> None:
    assert to_latin("Телеграм или Вајбер") == "Telegram ili Viber"
    assert to_latin("између Телеграма и Вајбера, у Телеграму, преко Вајбером") == (
        "između Telegrama i Vibera, u Telegramu, preko Viberom"
    )
    assert to_latin("ВАЈБЕР") == "VIBER"
    assert to_latin("нпр. Сиско") == "npr. Cisco"
    assert to_latin("Вајберовац") == "Viberovac"  # the stem is what counts


def test_latin_catalog_names_the_brands() -> None:
    latin = latin_serbian(_catalog("sr"))
    strings = [s for m in latin if m.id for s in _strings(m)]
    assert not [s for s in strings if re.search(r"Vajber|Sisko", s)]
    assert any("Telegram" in s and "Viber" in s for s in strings)


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


def test_serbian_texts_name_commands_and_links_exactly() -> None:
    """Commands and links reach the Cyrillic text as placeholders, so they are named, not paraphrased."""
    with use_language("sr"):
        cohort = _("There are no cohorts yet. Create one on the server with: {command}")
        place = _("Where? Type the place (room and address), or the online link starting with {prefix}")
    assert "{command}" in cohort and re.search("[\u0400-\u04ff]", cohort)
    assert cohort.format(command="youthbot cohort create").endswith("youthbot cohort create")
    assert place.format(prefix="https://").endswith("https://")
