"""Languages, catalogs and locale-aware formatting.

The user's language is resolved once per update and set in a ContextVar
(aiogram's I18nMiddleware habit); every ``_()`` below it then speaks that
language. Catalogs are loaded from ``locales/<folder>/LC_MESSAGES/messages.mo``
by exact path: a missing catalog is an error, never a silent fall-back to
English.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.support import NullTranslations, Translations

from bot.errors import YouthbotError

DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


@dataclass(frozen=True)
class Language:
    code: str  # what we store: 'sq', 'sr', 'sr_Latn', 'en'
    folder: str  # catalog folder under locales/
    babel_locale: str  # formatting locale
    native_name: str  # shown on the language buttons, always in the language itself
    content_key: str  # which column of staff-written data to use ('sr' for both scripts)


# Endonyms are deliberately not translated: each language is offered in its own words.
LANGUAGES: dict[str, Language] = {
    "sq": Language("sq", "sq", "sq_XK", "Shqip", "sq"),
    "sr": Language("sr", "sr", "sr_Cyrl_XK", "Српски", "sr"),
    "sr_Latn": Language("sr_Latn", "sr_Latn", "sr_Latn_XK", "Srpski (latinica)", "sr"),
    "en": Language("en", "en", "en_GB", "English", "en"),
}
SOURCE_CATALOGS = ("sq", "sr", "en")  # edited by people; sr_Latn is generated


class CatalogError(YouthbotError, RuntimeError):
    """A catalog is missing or cannot be read."""


_catalogs: dict[str, Translations] = {}
_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")


def load_catalogs(locales_dir: Path = LOCALES_DIR) -> None:
    """Load every language's compiled catalog; raise when one is missing."""
    loaded = {}
    for lang in LANGUAGES.values():
        mo = locales_dir / lang.folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not mo.is_file():
            raise CatalogError(f"missing compiled catalog {mo} (run: youthbot catalogs compile)")
        with mo.open("rb") as fp:
            loaded[lang.code] = Translations(fp, domain=DOMAIN)
    _catalogs.clear()
    _catalogs.update(loaded)


def language_for(code: str | None, default: str) -> Language:
    return LANGUAGES.get(code or "", LANGUAGES[default])


def match_platform_language(language_code: str | None) -> str | None:
    """Map a platform's language code (Telegram's IETF tag) to one of ours."""
    if not language_code:
        return None
    tag = language_code.replace("_", "-").lower()
    if tag.startswith("sq"):
        return "sq"
    if tag.startswith("sr"):
        return "sr_Latn" if "latn" in tag else "sr"
    if tag.startswith("en"):
        return "en"
    return None


@contextmanager
def use_language(code: str) -> Iterator[Language]:
    """Run a block with ``_()`` speaking the given language."""
    if code not in LANGUAGES:
        raise KeyError(code)
    token = _current.set(code)
    try:
        yield LANGUAGES[code]
    finally:
        _current.reset(token)


def current_language() -> Language:
    return LANGUAGES[_current.get()]


def _translations() -> NullTranslations:
    code = _current.get()
    try:
        return _catalogs[code]
    except KeyError:
        raise CatalogError("catalogs are not loaded (call bot.i18n.load_catalogs)") from None


def gettext(message: str) -> str:
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return str(_translations().pgettext(context, message))


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_()``."""
    return message


_ = gettext


@cache
def _babel_locale(name: str) -> Locale:
    """Parsing a locale is costly and there are four: parse each once."""
    return Locale.parse(name)


def format_date(value: date, fmt: str = "long") -> str:
    return babel_format_date(value, format=fmt, locale=_babel_locale(current_language().babel_locale))


def format_datetime(value: datetime, tz: ZoneInfo, fmt: str = "medium") -> str:
    """Date and time in the programme's zone, with no zone name (Babel calls Belgrade 'Serbia')."""
    local = value.astimezone(tz)
    pattern = {"medium": "medium", "short": "short"}.get(fmt, fmt)
    return babel_format_datetime(
        local, format=pattern, tzinfo=tz, locale=_babel_locale(current_language().babel_locale)
    )
