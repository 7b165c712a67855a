"""The register of a session: staff tick who actually came. It feeds each trainee's
attendance rate and the indicators; saving it again replaces the earlier ticks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.services import audit
from storage import register
from storage.sessions import Session


class RegisterError(ValueError):
    """The register cannot be taken for this session (it was cancelled)."""


async def take(
    tx: aiosqlite.Connection, session: Session, present: Iterable[int], *, staff_id: int | None, now: datetime
) -> int:
    """Store who came among the session's cohort's trainees (enrolled or completed, and anyone
    already on its register); ticks of other people are ignored. Returns how many came."""
    if not session.scheduled:
        raise RegisterError(f"session {session.id} was cancelled")
    earlier = await register.marks(tx, session.id)
    trainees = await register.trainees(tx, session.cohort_id)
    listed = [t.enrolment_id for t in trainees if t.status != "dropped" or t.enrolment_id in earlier]
    came = await register.save(tx, session.id, listed, set(present) & set(listed), staff_id, now)
    await audit.record(
        tx,
        staff_id=staff_id,
        action="session.register",
        target_kind="session",
        target_id=str(session.id),
        detail={"present": came, "listed": len(listed)},
        now=now,
    )
    return came
