"""Kosovo's 38 municipalities: official names in every language, and matching what people type.

Applicants name their town in Albanian, Serbian (either script) or English, with or
without diacritics; the flow stores a stable key instead of whatever was typed.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.i18n.transliteration import to_latin

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"
HEADER = ["sq", "sr_cyrl", "sr_latn", "en", "variants"]
LANGUAGES = ("sq", "sr", "sr_Latn", "en")
MAX_INPUT = 100  # longer text is not a town name; refuse before doing any work
MAX_KEY_BYTES = 40
SUGGEST_CUTOFF = 0.75  # difflib ratio; lower lets short names "suggest" unrelated towns

# Letters in alphabet order, digraphs included where the language counts them as one
# letter (as CLDR's sq and sr_Latn collations do: Shtime after Suharekë, Njegoš after Novi).
_ALPHABETS: dict[str, tuple[str, ...]] = {
    "sq": tuple(
        [
            "a",
            "b",
            "c",
            "ç",
            "d",
            "dh",
            "e",
            "ë",
            "f",
            "g",
            "gj",
            "h",
            "i",
            "j",
            "k",
            "l",
            "ll",
            "m",
            "n",
            "nj",
            "o",
            "p",
            "q",
            "r",
            "rr",
            "s",
            "sh",
            "t",
            "th",
            "u",
            "v",
            "x",
            "xh",
            "y",
            "z",
            "zh",
        ]
    ),
    "sr": tuple(
        [
            "а",
            "б",
            "в",
            "г",
            "д",
            "ђ",
            "е",
            "ж",
            "з",
            "и",
            "ј",
            "к",
            "л",
            "љ",
            "м",
            "н",
            "њ",
            "о",
            "п",
            "р",
            "с",
            "т",
            "ћ",
            "у",
            "ф",
            "х",
            "ц",
            "ч",
            "џ",
            "ш",
        ]
    ),
    "sr_Latn": tuple(
        [
            "a",
            "b",
            "c",
            "č",
            "ć",
            "d",
            "dž",
            "đ",
            "e",
            "f",
            "g",
            "h",
            "i",
            "j",
            "k",
            "l",
            "lj",
            "m",
            "n",
            "nj",
            "o",
            "p",
            "r",
            "s",
            "š",
            "t",
            "u",
            "v",
            "z",
            "ž",
        ]
    ),
    "en": tuple("abcdefghijklmnopqrstuvwxyz"),
}
_RANKS = {lang: {letter: index for index, letter in enumerate(letters)} for lang, letters in _ALPHABETS.items()}


@dataclass(frozen=True)
class Municipality:
    key: str  # ASCII slug of the Albanian name, e.g. "mitrovice-e-jugut"; stored in the database
    names: dict[str, str]  # 'sq', 'sr' (Cyrillic), 'sr_Latn', 'en' -> official name
    variants: tuple[str, ...]  # other spellings people type

    def __hash__(self) -> int:  # names is a dict; the key alone identifies a municipality
        return hash(self.key)

    def name(self, language: str) -> str:
        """The official name in that language; English when the language is not ours."""
        return self.names.get(language, self.names["en"])


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug(albanian_name: str) -> str:
    """The stable key: diacritics dropped, anything else than a letter or digit becomes '-'."""
    plain = _strip_marks(albanian_name.casefold().replace("đ", "dj"))
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return "-".join(words)


def normal_forms(text: str) -> tuple[str, ...]:
    """The forms a text is compared by: Latin, lower case, no diacritics, no spaces or punctuation.

    'đ' gives two forms, "dj" first, since people type both Djakovica and Dakovica.
    """
    latin = to_latin(text).casefold()
    forms = [latin.replace("đ", "dj"), latin.replace("đ", "d")] if "đ" in latin else [latin]
    out: list[str] = []
    for form in forms:
        squeezed = "".join(c for c in _strip_marks(form) if c.isalnum())
        if squeezed and squeezed not in out:
            out.append(squeezed)
    return tuple(out)


def collation_key(text: str, language: str) -> tuple[tuple[int, ...], str, str]:
    """Sort key in that language's alphabet order (code-point order misplaces ç, ë, ђ, ј, љ ...)."""
    rank = _RANKS.get(language, _RANKS["en"])
    lower = unicodedata.normalize("NFC", text.casefold())
    primary: list[int] = []
    index = 0
    while index < len(lower):
        pair = lower[index : index + 2]
        if len(pair) == 2 and pair in rank:
            primary.append(rank[pair])
            index += 2
            continue
        char = lower[index]
        base = _strip_marks(char)[:1] or char
        if char in rank:
            primary.append(rank[char])
        elif base in rank:  # é sorts with e when é is not a letter of its own
            primary.append(rank[base])
        elif not char.isalnum():  # spaces and punctuation before every letter
            primary.append(-1)
        else:
            primary.append(len(rank) + ord(char))
        index += 1
    return tuple(primary), lower, text


class Municipalities:
    """The list read from the CSV, with an index of every normalised name and variant."""

    def __init__(self, items: list[Municipality]) -> None:
        self._items = list(items)
        self._by_key = {item.key: item for item in self._items}
        self._index = self._build_index(self._items)
        self._sorted: dict[str, tuple[Municipality, ...]] = {}  # every prompt needs it: sort once per language

    @classmethod
    def load(cls, path: Path | None = None) -> Municipalities:
        """Read the CSV; a malformed file raises ValueError naming the file and line."""
        source = path or DEFAULT_PATH
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{source}: not UTF-8 ({exc.reason})") from None
        return cls(_parse(text, source))

    def all(self) -> list[Municipality]:
        return list(self._items)

    def sorted_for(self, language: str) -> list[Municipality]:
        """Alphabetical by the name people see in that language."""
        lang = language if language in LANGUAGES else "en"
        if lang not in self._sorted:
            self._sorted[lang] = tuple(sorted(self._items, key=lambda item: collation_key(item.name(lang), lang)))
        return list(self._sorted[lang])

    def get(self, key: str) -> Municipality | None:
        return self._by_key.get(key)

    def match(self, text: str) -> Municipality | None:
        """The municipality a person meant, or None when unknown or ambiguous."""
        if len(text) > MAX_INPUT:
            return None
        for form in normal_forms(text):
            if form in self._index:
                return self._index[form]
        return None

    def suggest(self, text: str, limit: int = 3) -> list[Municipality]:
        """Close matches for a typo, best first; ambiguous forms offer every candidate."""
        if len(text) > MAX_INPUT or limit <= 0:
            return []
        typed = normal_forms(text)
        scored: list[tuple[float, int, Municipality]] = []
        for position, item in enumerate(self._items):
            best = 0.0
            for candidate in _item_forms(item):
                for form in typed:
                    matcher = difflib.SequenceMatcher(None, form, candidate)
                    if matcher.real_quick_ratio() >= SUGGEST_CUTOFF and matcher.quick_ratio() >= SUGGEST_CUTOFF:
                        best = max(best, matcher.ratio())
            if best >= SUGGEST_CUTOFF:
                scored.append((-best, position, item))
        scored.sort(key=lambda entry: (entry[0], entry[1]))
        return [item for _, _, item in scored[:limit]]

    @staticmethod
    def _build_index(items: list[Municipality]) -> dict[str, Municipality | None]:
        """Form -> municipality; None marks a form two municipalities claim (ambiguous).

        An official name beats someone else's variant; between official names the
        CSV's first wins; a form that is only ever a variant of several is ambiguous.
        """
        claims: dict[str, list[tuple[int, bool]]] = {}
        for position, item in enumerate(items):
            for official, texts in ((True, item.names.values()), (False, item.variants)):
                for text in texts:
                    for form in normal_forms(text):
                        claims.setdefault(form, []).append((position, official))
        index: dict[str, Municipality | None] = {}
        for form, owners in claims.items():
            positions = sorted({position for position, _ in owners})
            officials = sorted({position for position, official in owners if official})
            if len(positions) == 1:
                index[form] = items[positions[0]]
            elif officials:
                index[form] = items[officials[0]]
            else:
                index[form] = None
        return index


def _item_forms(item: Municipality) -> list[str]:
    forms: list[str] = []
    for text in (*item.names.values(), *item.variants):
        forms.extend(form for form in normal_forms(text) if form not in forms)
    return forms


def _parse(text: str, source: Path) -> list[Municipality]:
    """Rows to municipalities, checking every field the bot relies on."""
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or [cell.strip() for cell in header] != HEADER:
        raise ValueError(f"{source}: line 1: header must be {','.join(HEADER)}")
    items: list[Municipality] = []
    seen: set[str] = set()
    for row in reader:
        where = f"{source}: line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            raise ValueError(f"{where}: expected {len(HEADER)} fields, found {len(row)}")
        sq, sr_cyrl, sr_latn, en, variants = (cell.strip() for cell in row)
        if not all((sq, sr_cyrl, sr_latn, en)):
            raise ValueError(f"{where}: every official name is required")
        key = slug(sq)
        if not key or not key.isascii() or len(key.encode()) > MAX_KEY_BYTES or ":" in key:
            raise ValueError(f"{where}: {sq!r} gives no usable key ({key!r})")
        if key in seen:
            raise ValueError(f"{where}: key {key!r} is used twice")
        seen.add(key)
        names = {"sq": sq, "sr": sr_cyrl, "sr_Latn": sr_latn, "en": en}
        spellings = tuple(v.strip() for v in variants.split("|") if v.strip())
        items.append(Municipality(key, names, spellings))
    if not items:
        raise ValueError(f"{source}: no municipalities")
    return items
