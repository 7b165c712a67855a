"""Split long text for platforms with a message length limit, at line or word boundaries."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, none empty; cuts at a newline or space when it can."""
    text = text if text.strip() else "…"
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        head, text = text[:cut].rstrip(), text[cut:].lstrip("\n ")
        if head.strip():
            pieces.append(head)
    if text.strip():
        pieces.append(text)
    return pieces or ["…"]
