"""Pictures for Viber are kept at unguessable addresses for an hour, then gone."""

from __future__ import annotations

from bot.handlers.pictures import KEEP_SECONDS, OWN_DATA_KEEP_SECONDS, PictureShelf


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


def test_a_persons_own_data_is_kept_ten_minutes_under_its_name_and_a_long_token() -> None:
    now = [100.0]
    shelf = PictureShelf("https://bot.example.org", monotonic=lambda: now[0])
    url = shelf.put_own_data(b'{"format": 1}', "my-data-2026-11-27.json")
    assert url.startswith("https://bot.example.org/files/") and url.endswith("/my-data-2026-11-27.json")
    token = url.removeprefix("https://bot.example.org/files/").split("/", 1)[0]
    assert len(token) >= 43
    assert shelf.get_file(token, "my-data-2026-11-27.json") == b'{"format": 1}'
    assert shelf.get_file(token, "other.json") is None
    assert shelf.get(token) is None  # not among the pictures
    now[0] += OWN_DATA_KEEP_SECONDS - 1
    assert shelf.get_file(token, "my-data-2026-11-27.json") is not None
    now[0] += 1
    assert shelf.get_file(token, "my-data-2026-11-27.json") is None
