"""The audit trail's write path (interface of the console-core branch).

Stand-in until that branch lands: the same signature, recording nothing. A merge
of console-core replaces this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import aiosqlite


async def record(
    tx: aiosqlite.Connection,
    *,
    staff_id: int | None,
    action: str,
    target_kind: str | None = None,
    target_id: str | None = None,
    detail: Mapping[str, object] | None = None,
    now: datetime,
) -> None:
    """Record one staff action (no-op stand-in)."""
    del tx, staff_id, action, target_kind, target_id, detail, now
