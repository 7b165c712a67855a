"""Recording staff actions: every write path of the console, the CLI and chat staff commands calls ``record``.

It writes in the caller's transaction, so an action and its record commit
together or not at all. ``detail`` holds what was done (filters, counts,
the new status), never an applicant's name, phone or free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import aiosqlite

from storage import audit as audit_store


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
    """Append one entry; ``staff_id`` None for actions from the command line or a chat id without an account."""
    await audit_store.append(
        tx,
        at=now,
        staff_id=staff_id,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        detail=detail or {},
    )
