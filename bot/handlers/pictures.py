"""Pictures held for a short while at an unguessable address of the bot's web server.

Viber shows a picture message only by fetching its media from a public URL. Only pictures
without personal data go here (the placement chart of /report: aggregate figures), each
under a random token, kept in memory for :data:`KEEP_SECONDS` and gone at a restart.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

KEEP_SECONDS = 3600.0
PATH_PREFIX = "/pictures/"


class PictureShelf:
    """PNG pictures by random token, each kept :data:`KEEP_SECONDS` from when it was put."""

    def __init__(self, base_url: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.base_url = base_url.rstrip("/")
        self._monotonic = monotonic
        self._pictures: dict[str, tuple[float, bytes]] = {}

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
