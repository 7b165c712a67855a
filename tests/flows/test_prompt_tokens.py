"""Prompt tokens (bot.messages.new_token): short, random, read from the OS in blocks."""

from __future__ import annotations

import string

from bot.messages import new_token


def test_tokens_are_six_hex_characters_and_do_not_repeat_across_refills() -> None:
    tokens = [new_token() for _ in range(4000)]  # about three blocks of the OS's random bytes
    assert all(len(t) == 6 and set(t) <= set(string.hexdigits.lower()) for t in tokens)
    # 4,000 draws from 16.7 million: a handful of coincidences at most, never a replayed block
    assert len(set(tokens)) >= 3990
