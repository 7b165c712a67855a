"""Serbian Cyrillic to Latin, letter for letter (Љ→Lj, Џ→Dž ...).

Used to generate the Latin Serbian catalog from the Cyrillic one and to match
what people type (Приштина and Priština are the same place).
"""

from __future__ import annotations

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


def _upper(cyr: str, latin: str, next_char: str) -> str:
    # Љубав -> Ljubav, but ЉУБАВ -> LJUBAV: a digraph is all caps when the next letter is.
    if latin in _DIGRAPHS:
        return latin.upper() if next_char.isupper() else _DIGRAPHS[latin]
    return latin.upper()


def to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic letters; every other character is kept as it is."""
    out = []
    for index, char in enumerate(text):
        lower = char.lower()
        latin = _LOWER.get(lower)
        if latin is None:
            out.append(char)
        elif char == lower:
            out.append(latin)
        else:
            nxt = text[index + 1] if index + 1 < len(text) else ""
            out.append(_upper(char, latin, nxt))
    return "".join(out)
