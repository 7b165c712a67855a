"""Serbian Cyrillic to Latin, letter for letter (Љ→Lj, Џ→Dž ...).

Used to generate the Latin Serbian catalog from the Cyrillic one and to match
what people type (Приштина and Priština are the same place).
"""

from __future__ import annotations

import re

_LOWER = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
}
_DIGRAPHS = {"lj": "Lj", "nj": "Nj", "dž": "Dž"}


# Brand names heard in Cyrillic are written the brand's way in Latin (Вајбер -> Viber,
# not Vajber), with their case endings: Вајбера -> Vibera, Телеграму -> Telegramu.
_BRANDS = {"вајбер": "Viber", "телеграм": "Telegram", "сиско": "Cisco"}
_BRAND = re.compile(r"(?<![\w])(" + "|".join(_BRANDS) + r")", re.IGNORECASE)


def _upper(latin: str, previous_char: str, next_char: str) -> str:
    # Љубав -> Ljubav, but ЉУБАВ -> LJUBAV and КОЊ -> KONJ: a digraph is all caps when
    # the next letter is, or when it ends a word whose previous letter is upper case.
    if latin in _DIGRAPHS:
        if next_char.isupper() or (not next_char.isalpha() and previous_char.isupper()):
            return latin.upper()
        return _DIGRAPHS[latin]
    return latin.upper()


def _letters(text: str) -> str:
    out = []
    for index, char in enumerate(text):
        lower = char.lower()
        latin = _LOWER.get(lower)
        if latin is None:
            out.append(char)
        elif char == lower:
            out.append(latin)
        else:
            previous = text[index - 1] if index > 0 else ""
            nxt = text[index + 1] if index + 1 < len(text) else ""
            out.append(_upper(latin, previous, nxt))
    return "".join(out)


def _brand(match: re.Match[str]) -> str:
    word = match.group(1)
    latin = _BRANDS[word.lower()]
    return latin.upper() if word.isupper() and len(word) > 1 else latin


def to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic letters; every other character is kept as it is."""
    return _letters(_BRAND.sub(_brand, text))
