"""Pictures and files held for a short while at an unguessable address of the bot's web server.

Viber shows a picture or file message only by fetching its media from a public URL. Pictures
without personal data go here (the placement chart of /report: aggregate figures), each
under a random token, kept in memory for :data:`KEEP_SECONDS` and gone at a restart. The
one file with personal data that may go here is a person's own /mydata copy, sent to that
person alone: under a 32-byte random token, for :data:`OWN_DATA_KEEP_SECONDS` only.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

KEEP_SECONDS = 3600.0
OWN_DATA_KEEP_SECONDS = 600.0
PATH_PREFIX = "/pictures/"
FILES_PREFIX = "/files/"


class PictureShelf:
    """PNG pictures by random token, each kept :data:`KEEP_SECONDS` from when it was put."""

    def __init__(self, base_url: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.base_url = base_url.rstrip("/")
        self._monotonic = monotonic
        self._pictures: dict[str, tuple[float, bytes]] = {}
        self._files: dict[str, tuple[float, str, bytes]] = {}

    def put(self, content: bytes) -> str:
        """Keep ``content`` and return the public URL it can be fetched from."""
        now = self._monotonic()
        self._pictures = {t: kept for t, kept in self._pictures.items() if now - kept[0] < KEEP_SECONDS}
        token = secrets.token_urlsafe(24)
        self._pictures[token] = (now, content)
        return f"{self.base_url}{PATH_PREFIX}{token}.png"

    def get(self, token: str) -> bytes | None:
        """The picture under ``token`` while it is kept, else None."""
        kept = self._pictures.get(token)
        if kept is None or self._monotonic() - kept[0] >= KEEP_SECONDS:
            return None
        return kept[1]

    def put_own_data(self, content: bytes, filename: str) -> str:
        """Keep a person's own data file briefly and return its secret URL (ending in ``filename``)."""
        now = self._monotonic()
        self._files = {t: kept for t, kept in self._files.items() if now - kept[0] < OWN_DATA_KEEP_SECONDS}
        token = secrets.token_urlsafe(32)
        self._files[token] = (now, filename, content)
        return f"{self.base_url}{FILES_PREFIX}{token}/{filename}"

    def get_file(self, token: str, filename: str) -> bytes | None:
        """The file under ``token`` and ``filename`` while it is kept, else None."""
        kept = self._files.get(token)
        if kept is None or kept[1] != filename or self._monotonic() - kept[0] >= OWN_DATA_KEEP_SECONDS:
            return None
        return kept[2]
