"""Webhook bodies as JSON, refusing deep nesting before the decoder sees it.

The C decoder answers 100 KB of ``[[[…`` with a RecursionError, and on Python 3.11 a
caught RecursionError can leave the interpreter's recursion bookkeeping off (a later
``ast`` call fails). So the depth is measured first, without recursion.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # Telegram's and Viber's updates nest a handful of levels


class TooDeep(ValueError):
    """The body nests arrays or objects deeper than ``MAX_DEPTH``."""


def _depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects, strings skipped."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # cannot be too deep: skip the scan
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def loads(body: bytes) -> Any:
    """``json.loads`` for untrusted bodies; raises TooDeep or another ValueError."""
    if _depth(body) > MAX_DEPTH:
        raise TooDeep(f"nested deeper than {MAX_DEPTH} levels")
    return json.loads(body)
