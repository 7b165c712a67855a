"""Building the gettext catalogs: extract, update, generate Latin Serbian, compile.

People edit ``locales/{sq,sr,en}/LC_MESSAGES/messages.po``. The Latin Serbian
catalog is generated from the Cyrillic one by transliteration, never edited.
``compile_catalogs`` runs at set-up and again at start-up when a ``.po`` is
newer than its ``.mo``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LOCALES_DIR, SOURCE_CATALOGS
from bot.i18n.transliteration import to_latin

PROJECT_DIR = LOCALES_DIR.parent
LATIN_SERBIAN = "sr_Latn"


def _po(locales_dir: Path, folder: str) -> Path:
    return locales_dir / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale, domain=DOMAIN)


def _write_atomically(path: Path, content: bytes) -> None:
    """Write through a temporary file, so a bot starting meanwhile never reads half a catalog."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _write_po(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False)
    _write_atomically(path, buffer.getvalue())


def extract_messages(source_dir: Path = PROJECT_DIR / "bot") -> Catalog:
    """Every translatable string in the code (``_``, ``ngettext``, ``N_`` ...) and the console's templates."""
    catalog = Catalog(domain=DOMAIN, project="youthbot", charset="utf-8")
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(source_dir),
        method_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None},
    ):
        catalog.add(message, None, [(f"bot/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def latin_serbian(cyrillic: Catalog) -> Catalog:
    """The Cyrillic Serbian catalog, transliterated message by message."""
    latin = Catalog(locale="sr_Latn", domain=DOMAIN, project="youthbot", charset="utf-8")
    for message in cyrillic:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            string: str | tuple[str, ...] = tuple(to_latin(s) for s in message.string)
        else:
            string = to_latin(message.string or "")
        latin[message.id] = Message(message.id, string, flags=message.flags, context=message.context)
    return latin


def generate_latin(locales_dir: Path = LOCALES_DIR) -> Path:
    target = _po(locales_dir, LATIN_SERBIAN)
    _write_po(latin_serbian(_read(_po(locales_dir, "sr"), "sr")), target)
    return target


def compile_catalogs(locales_dir: Path = LOCALES_DIR, force: bool = False) -> list[Path]:
    """Regenerate Latin Serbian and write every stale ``.mo``; return what was written."""
    written = []
    cyrillic = _po(locales_dir, "sr")
    latin = _po(locales_dir, LATIN_SERBIAN)
    if force or not latin.exists() or latin.stat().st_mtime < cyrillic.stat().st_mtime:
        generate_latin(locales_dir)
    for folder in (*SOURCE_CATALOGS, LATIN_SERBIAN):
        po = _po(locales_dir, folder)
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = _read(po, "sr" if folder == LATIN_SERBIAN else folder)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        _write_atomically(mo, buffer.getvalue())
        written.append(mo)
    return written


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def update_catalogs(locales_dir: Path = LOCALES_DIR) -> None:
    """For maintainers: merge newly extracted strings into the edited catalogs.

    English gets each msgid as its translation; Albanian and Serbian get empty
    entries for a translator (and the completeness test fails until filled).
    """
    template = extract_messages()
    for folder in SOURCE_CATALOGS:
        path = _po(locales_dir, folder)
        catalog = _read(path, folder) if path.exists() else Catalog(locale=folder, domain=DOMAIN, project="youthbot")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        if folder == "en":
            for message in catalog:
                if message.id and not _translated(message.string):
                    message.string = message.id
        _write_po(catalog, path)
