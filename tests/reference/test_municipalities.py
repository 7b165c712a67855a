"""Municipality list: loading, matching what people type, suggestions and sort order."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reference.municipalities import DEFAULT_PATH, Municipalities, Municipality

CSV_ROWS = list(csv.DictReader(DEFAULT_PATH.read_text(encoding="utf-8").splitlines()))


def _spellings() -> list[tuple[str, str]]:
    """(Albanian name, spelling) for every official name and variant in the file."""
    pairs: list[tuple[str, str]] = []
    for row in CSV_ROWS:
        texts = [row["sq"], row["sr_cyrl"], row["sr_latn"], row["en"], *row["variants"].split("|")]
        pairs.extend((row["sq"], text) for text in texts if text)
    return pairs


SPELLINGS = _spellings()


@pytest.fixture(scope="module")
def towns() -> Municipalities:
    return Municipalities.load()


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "towns.csv"
    path.write_text("sq,sr_cyrl,sr_latn,en,variants\n" + body, encoding="utf-8")
    return path


# --- loading and keys ---


def test_loads_all_rows_in_file_order(towns: Municipalities) -> None:
    assert len(CSV_ROWS) == 38
    assert [m.names["sq"] for m in towns.all()] == [row["sq"] for row in CSV_ROWS]


def test_names_per_language(towns: Municipalities) -> None:
    north = towns.get("mitrovice-e-veriut")
    assert north is not None
    assert north.name("sq") == "Mitrovicë e Veriut"
    assert north.name("sr") == "Северна Митровица"
    assert north.name("sr_Latn") == "Severna Mitrovica"
    assert north.name("en") == "North Mitrovica"
    assert north.name("de") == "North Mitrovica"
    assert "Mitrovica e Veriut" in north.variants


@pytest.mark.parametrize(
    ("key", "sq"),
    [
        ("prishtine", "Prishtinë"),
        ("mitrovice-e-jugut", "Mitrovicë e Jugut"),
        ("fushe-kosove", "Fushë Kosovë"),
        ("hani-i-elezit", "Hani i Elezit"),
        ("decan", "Deçan"),
        ("shterpce", "Shtërpcë"),
    ],
)
def test_keys_are_slugs_of_the_albanian_name(towns: Municipalities, key: str, sq: str) -> None:
    found = towns.get(key)
    assert found is not None and found.names["sq"] == sq


def test_keys_are_unique_short_ascii(towns: Municipalities) -> None:
    keys = [m.key for m in towns.all()]
    assert len(set(keys)) == len(keys) == 38
    for key in keys:
        assert key.isascii() and key == key.lower()
        assert len(key.encode()) <= 40 and ":" not in key and " " not in key
        assert not key.startswith("-") and not key.endswith("-") and "--" not in key


def test_get_unknown_key(towns: Municipalities) -> None:
    assert towns.get("atlantis") is None
    assert towns.get("") is None


def test_municipality_is_hashable(towns: Municipalities) -> None:
    assert len(set(towns.all())) == 38


def test_all_returns_a_copy(towns: Municipalities) -> None:
    towns.all().clear()
    assert len(towns.all()) == 38


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("Prishtinë,Приштина,Priština,Pristina\n", "line 2"),
        ("Prishtinë,Приштина,Priština,Pristina,x\nPejë,Пећ,,Peja,\n", "line 3"),
        ("Prishtinë,Приштина,Priština,Pristina,\nPrishtinë,Приштина,Priština,Pristina,\n", "used twice"),
        ("?!,Приштина,Priština,Pristina,\n", "line 2"),
        ("", "no municipalities"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, body: str, fragment: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ValueError) as caught:
        Municipalities.load(path)
    assert str(path) in str(caught.value)
    assert fragment in str(caught.value)


def test_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "towns.csv"
    path.write_text("sq,sr,en\nPrishtinë,Приштина,Pristina\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        Municipalities.load(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "towns.csv"
    path.write_bytes("sq,sr_cyrl,sr_latn,en,variants\nPejë,Peja,Peja,Peja,\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"towns\.csv"):
        Municipalities.load(path)


def test_too_long_key(tmp_path: Path) -> None:
    long_name = "A" * 41
    with pytest.raises(ValueError, match="line 2"):
        Municipalities.load(_write(tmp_path, f"{long_name},Б,B,B,\n"))


# --- match ---


@pytest.mark.parametrize(("sq", "text"), SPELLINGS, ids=[f"{sq}:{text}" for sq, text in SPELLINGS])
def test_every_name_and_variant_matches(towns: Municipalities, sq: str, text: str) -> None:
    for typed in (text, text.upper(), text.lower(), f"  {text}. ", f"«{text}»!"):
        found = towns.match(typed)
        assert found is not None, typed
        assert found.names["sq"] == sq, typed


@pytest.mark.parametrize(
    ("text", "sq"),
    [
        ("Prishtina", "Prishtinë"),
        ("Prishtinë", "Prishtinë"),
        ("prishtine", "Prishtinë"),
        ("Priština", "Prishtinë"),
        ("Pristina", "Prishtinë"),
        ("Приштина", "Prishtinë"),
        ("ПРИШТИНА", "Prishtinë"),
        ("PRISHTINA", "Prishtinë"),
        ("Mitrovicë e Veriut", "Mitrovicë e Veriut"),
        ("Severna Mitrovica", "Mitrovicë e Veriut"),
        ("Северна Митровица", "Mitrovicë e Veriut"),
        ("Ferizaj", "Ferizaj"),
        ("Uroševac", "Ferizaj"),
        ("Урошевац", "Ferizaj"),
        ("Urosevac", "Ferizaj"),
        ("Fushë Kosovë", "Fushë Kosovë"),
        ("Fushë-Kosovë", "Fushë Kosovë"),
        ("fushe   kosove", "Fushë Kosovë"),
        ("Kosovo Polje", "Fushë Kosovë"),
        ("Gllogoc", "Drenas"),
        ("Đakovica", "Gjakovë"),
        ("Djakovica", "Gjakovë"),
        ("Dakovica", "Gjakovë"),
        ("Ђаковица", "Gjakovë"),
        ("Djeneral Jankovic", "Hani i Elezit"),
        ("Deneral Jankovic", "Hani i Elezit"),
        ("Zveçan", "Zveçan"),
        ("ZVEČAN", "Zveçan"),
        ("Mamuşa", "Mamushë"),
        ("Štrpce", "Shtërpcë"),
        ("\tGjilan\n", "Gjilan"),
        ("Дренас", "Drenas"),  # Cyrillic spelling of a Latin-only name
        ("Феризај", "Ferizaj"),
        ("Косовска Митровица", "Mitrovicë e Jugut"),
        ("ЂЕНЕРАЛ ЈАНКОВИЋ", "Hani i Elezit"),
        ("Prishtinë?", "Prishtinë"),
    ],
)
def test_examples_match(towns: Municipalities, text: str, sq: str) -> None:
    found = towns.match(text)
    assert found is not None
    assert found.names["sq"] == sq


@pytest.mark.parametrize("text", ["Tirana", "Beograd", "", "   ", "!!!", "Prishtna", "Prishtina Peja", "12345"])
def test_unknown_text_matches_nothing(towns: Municipalities, text: str) -> None:
    assert towns.match(text) is None


def test_long_text_is_refused(towns: Municipalities) -> None:
    assert towns.match("Prishtina" + " " * 100) is None
    assert towns.suggest("Prishtina" + " " * 100) == []
    assert towns.match("  Prishtina  ") is not None


def test_shared_variant_is_ambiguous(tmp_path: Path) -> None:
    towns = Municipalities.load(_write(tmp_path, "Alfa,Алфа,Alfa,Alpha,Twin|Aa\nBeta,Бета,Beta,Beta,Twin|Bb\n"))
    assert towns.match("Twin") is None
    assert towns.match("Aa") is towns.get("alfa")
    assert [m.key for m in towns.suggest("Twin")] == ["alfa", "beta"]


def test_official_name_beats_another_towns_variant(tmp_path: Path) -> None:
    towns = Municipalities.load(_write(tmp_path, "Alfa,Алфа,Alfa,Alpha,Beta\nBeta,Бета,Beta,Beta,\n"))
    found = towns.match("beta")
    assert found is not None and found.key == "beta"


def test_official_name_of_two_goes_to_the_first(tmp_path: Path) -> None:
    towns = Municipalities.load(_write(tmp_path, "Alfa,Алфа,Alfa,Same,\nBeta,Бета,Beta,Same,\n"))
    found = towns.match("SAME")
    assert found is not None and found.key == "alfa"


def test_real_file_has_no_ambiguous_spelling(towns: Municipalities) -> None:
    for sq, text in SPELLINGS:
        assert towns.match(text) is not None, (sq, text)


# --- suggest ---


@pytest.mark.parametrize(
    ("typo", "sq"),
    [
        ("Prishtna", "Prishtinë"),
        ("Prisstina", "Prishtinë"),
        ("Ferzaj", "Ferizaj"),
        ("Gjakva", "Gjakovë"),
        ("Урошеавц", "Ferizaj"),
        ("Leposavik", "Leposaviq"),
        ("Kamenca", "Kamenicë"),
    ],
)
def test_suggest_finds_typos(towns: Municipalities, typo: str, sq: str) -> None:
    suggestions = towns.suggest(typo)
    assert suggestions, typo
    assert suggestions[0].names["sq"] == sq


def test_suggest_best_first_and_limited(towns: Municipalities) -> None:
    suggestions = towns.suggest("Mitrovica Veriut", limit=2)
    assert len(suggestions) <= 2
    assert suggestions[0].key == "mitrovice-e-veriut"
    assert towns.suggest("Prishtna", limit=0) == []
    assert len(towns.suggest("Mitrovic", limit=1)) == 1


@pytest.mark.parametrize("text", ["Tirana", "xyz", "", "123", "Shkodër"])
def test_suggest_nothing_close(towns: Municipalities, text: str) -> None:
    assert towns.suggest(text) == []


def test_suggest_exact_name_first(towns: Municipalities) -> None:
    assert towns.suggest("Peja")[0].key == "peje"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_random_text_never_raises(text: str) -> None:
    towns = _shared()
    found = towns.match(text)
    suggestions = towns.suggest(text, limit=38)
    assert len(suggestions) <= 38
    assert len(set(suggestions)) == len(suggestions)
    if found is not None:
        assert found in suggestions


_CACHE: dict[str, Municipalities] = {}


def _shared() -> Municipalities:
    """Hypothesis runs outside fixtures' scope; load once per module."""
    if "towns" not in _CACHE:
        _CACHE["towns"] = Municipalities.load()
    return _CACHE["towns"]


# --- sorted_for ---

SQ_ORDER = [
    "Deçan", "Dragash", "Drenas", "Ferizaj", "Fushë Kosovë", "Graçanicë", "Gjakovë", "Gjilan",
    "Hani i Elezit", "Istog", "Junik", "Kaçanik", "Kamenicë", "Klinë", "Kllokot", "Leposaviq",
    "Lipjan", "Malishevë", "Mamushë", "Mitrovicë e Jugut", "Mitrovicë e Veriut", "Novobërdë",
    "Obiliq", "Partesh", "Pejë", "Podujevë", "Prishtinë", "Prizren", "Rahovec", "Ranillug",
    "Skënderaj", "Suharekë", "Shtërpcë", "Shtime", "Viti", "Vushtrri", "Zubin Potok", "Zveçan",
]  # fmt: skip

# Worked out by hand, letter by letter, from the azbuka: а б в г д ђ е ж з и ј к л љ м н њ о п р с т ћ у ф х ц ч џ ш
SR_ORDER = [
    "Витина", "Вучитрн", "Глоговац", "Гњилане", "Грачаница", "Дечани", "Драгаш", "Ђаковица",
    "Ђенерал Јанковић", "Звечан", "Зубин Поток", "Исток", "Јужна Митровица", "Јуник", "Качаник",
    "Клина", "Клокот", "Косово Поље", "Косовска Каменица", "Лепосавић", "Липљан", "Малишево",
    "Мамуша", "Ново Брдо", "Обилић", "Ораховац", "Партеш", "Пећ", "Подујево", "Призрен",
    "Приштина", "Ранилуг", "Северна Митровица", "Србица", "Сува Река", "Урошевац", "Штимље", "Штрпце",
]  # fmt: skip


def _names(towns: Municipalities, language: str) -> list[str]:
    return [m.name(language) for m in towns.sorted_for(language)]


def _before(names: list[str], first: str, second: str) -> bool:
    return names.index(first) < names.index(second)


def test_sorted_for_albanian(towns: Municipalities) -> None:
    names = _names(towns, "sq")
    assert names == SQ_ORDER
    assert _before(names, "Kaçanik", "Kamenicë")  # ç right after c, not after z
    assert _before(names, "Shtërpcë", "Shtime")  # ë right after e
    assert _before(names, "Zubin Potok", "Zveçan")


def test_sorted_for_serbian_cyrillic(towns: Municipalities) -> None:
    names = _names(towns, "sr")
    assert names == SR_ORDER
    assert names.index("Драгаш") + 1 == names.index("Ђаковица")
    assert _before(names, "Ђаковица", "Звечан")
    assert _before(names, "Исток", "Јужна Митровица")  # ј after и, not before а
    assert _before(names, "Глоговац", "Гњилане") and _before(names, "Гњилане", "Грачаница")
    assert _before(names, "Лепосавић", "Липљан")
    assert names[-2:] == ["Штимље", "Штрпце"]


def test_sorted_for_serbian_latin(towns: Municipalities) -> None:
    names = _names(towns, "sr_Latn")
    assert names.index("Dragaš") + 1 == names.index("Đakovica")
    assert _before(names, "Đeneral Janković", "Glogovac")
    assert _before(names, "Srbica", "Štimlje") and _before(names, "Štrpce", "Uroševac")
    assert _before(names, "Priština", "Prizren")  # š right after s
    assert names[-2:] == ["Zubin Potok", "Zvečan"]


def test_sorted_for_english_and_unknown(towns: Municipalities) -> None:
    names = _names(towns, "en")
    assert names == sorted(names, key=str.lower)
    assert names[0] == "Decan"
    assert [m.key for m in towns.sorted_for("xx")] == [m.key for m in towns.sorted_for("en")]


def test_sorted_for_keeps_every_municipality(towns: Municipalities) -> None:
    for language in ("sq", "sr", "sr_Latn", "en"):
        assert sorted(m.key for m in towns.sorted_for(language)) == sorted(m.key for m in towns.all())


def test_municipality_type() -> None:
    town = Municipality("x", {"sq": "X", "sr": "Икс", "sr_Latn": "Iks", "en": "Ex"}, ())
    assert town.name("sr_Latn") == "Iks"
    assert town.name("fr") == "Ex"


def test_dj_spelled_both_ways(tmp_path: Path) -> None:
    towns = Municipalities.load(_write(tmp_path, "Gjurgjevc,Ђурђевац,Đurđevac,Djurdjevac,\n"))
    for typed in ("Durdevac", "Djurdjevac", "DJURDJEVAC", "Đurđevac", "Ђурђевац"):
        found = towns.match(typed)
        assert found is not None and found.key == "gjurgjevc", typed
