"""Pictures for Viber are kept at unguessable addresses for an hour, then gone."""

from __future__ import annotations

from bot.handlers.pictures import KEEP_SECONDS, PictureShelf


def test_a_picture_is_kept_for_an_hour_under_a_random_token() -> None:
    now = [100.0]
    shelf = PictureShelf("https://bot.example.org/", monotonic=lambda: now[0])
    first = shelf.put(b"png one")
    second = shelf.put(b"png two")
    assert first.startswith("https://bot.example.org/pictures/") and first.endswith(".png")
    assert first != second
    token = first.removeprefix("https://bot.example.org/pictures/").removesuffix(".png")
    assert len(token) >= 32
    assert shelf.get(token) == b"png one"
    now[0] += KEEP_SECONDS - 1
    assert shelf.get(token) == b"png one"
    now[0] += 1
    assert shelf.get(token) is None
    assert shelf.get("guessed") is None
