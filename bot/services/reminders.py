"""Planning session reminders and notices as outbox rows, in the caller's transaction.

A reminder is one outbox row per session, trainee and offset:

* ``dedup_key`` = session id and revision, enrolment, offset: planning twice
  is a no-op (also after /link moved the trainee to another account), and a
  moved session (new revision) gets fresh rows;
* ``not_before`` = the due time (start minus the offset, an exact duration:
  "24h" is 24 hours of real time, also across a daylight-saving change);
* ``expires_at`` = the session's start: after a downtime a reminder still goes
  out while the session has not started, and is dropped once it has;
* ``ref`` = ``session:<id>``, so moving or cancelling the session withdraws
  every pending row of it with one call.

Only reminders whose due time is still ahead are planned. The text is made
when the row is sent (``bot.flows.training.reminders``), in the trainee's language of
that moment, from the session as it is then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from storage import attendance, outbox, sessions, trainees
from storage.cohorts import Enrolment
from storage.outbox import NewMessage
from storage.sessions import Session
from storage.trainees import Recipient

REMINDER = "session_reminder"
MOVED = "session_moved"
CANCELLED = "session_cancelled"
ENROLLED = "enrolment_accepted"


def session_ref(session_id: int) -> str:
    return f"session:{session_id}"


def _minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)


def reminder_messages(
    session: Session, recipients: list[Recipient], offsets: tuple[timedelta, ...], now: datetime
) -> list[NewMessage]:
    """The reminder rows for these trainees; ``later`` lists the shorter offsets planned
    with each one, so a reminder that a later one overtakes (after a downtime) is dropped."""
    ahead = sorted((o for o in offsets if session.starts_at - o > now), reverse=True)
    messages = []
    for recipient in recipients:
        for offset in ahead:
            minutes = _minutes(offset)
            messages.append(
                NewMessage(
                    channel=recipient.channel,
                    chat_id=recipient.chat_id,
                    user_id=recipient.user_id,
                    kind=REMINDER,
                    payload={
                        "session_id": session.id,
                        "revision": session.revision,
                        "offset": minutes,
                        "later": [_minutes(o) for o in ahead if o < offset],
                    },
                    ref=session_ref(session.id),
                    dedup_key=f"reminder:{session.id}.{session.revision}:e{recipient.enrolment_id}:{minutes}m",
                    not_before=session.starts_at - offset,
                    expires_at=session.starts_at,
                )
            )
    return messages


async def plan_session(
    tx: aiosqlite.Connection,
    session: Session,
    offsets: tuple[timedelta, ...],
    now: datetime,
    user_id: int | None = None,
) -> int:
    """Plan a session's reminders for its cohort's trainees (or one of them); return how many are new."""
    if not session.scheduled:
        return 0
    recipients = await trainees.reminder_recipients(tx, session.cohort_id, user_id)
    return await outbox.enqueue_many(tx, reminder_messages(session, recipients, offsets, now), now)


async def plan_for_trainee(
    tx: aiosqlite.Connection, cohort_id: int, user_id: int, offsets: tuple[timedelta, ...], now: datetime
) -> int:
    """Reminders of every upcoming session of a cohort for one trainee (new enrolment, reminders back on)."""
    planned = 0
    for session in await sessions.upcoming_of_cohort(tx, cohort_id, now):
        planned += await plan_session(tx, session, offsets, now, user_id)
    return planned


async def _notify(
    tx: aiosqlite.Connection, session: Session, kind: str, key: str, payload: dict[str, object], now: datetime
) -> int:
    recipients = await trainees.notice_recipients(tx, session.cohort_id)
    messages = [
        NewMessage(
            channel=r.channel,
            chat_id=r.chat_id,
            user_id=r.user_id,
            kind=kind,
            payload=payload,
            ref=session_ref(session.id),
            dedup_key=f"{key}:e{r.enrolment_id}",
            expires_at=session.starts_at,
        )
        for r in recipients
    ]
    return await outbox.enqueue_many(tx, messages, now)


async def session_moved(
    tx: aiosqlite.Connection, before: Session, after: Session, offsets: tuple[timedelta, ...], now: datetime
) -> int:
    """Withdraw what was planned for the old time, plan the new one, tell the trainees."""
    await outbox.cancel_pending(tx, session_ref(after.id))
    planned = await plan_session(tx, after, offsets, now)
    payload = {"session_id": after.id, "revision": after.revision, "old_start": before.starts_at.isoformat()}
    await _notify(tx, after, MOVED, f"moved:{after.id}.{after.revision}", payload, now)
    return planned


async def session_cancelled(tx: aiosqlite.Connection, session: Session, now: datetime) -> int:
    """Withdraw the session's pending reminders and notices and tell the trainees; return how many were told."""
    await outbox.cancel_pending(tx, session_ref(session.id))
    return await _notify(tx, session, CANCELLED, f"cancelled:{session.id}", {"session_id": session.id}, now)


async def enrolment_notice(tx: aiosqlite.Connection, enrolment: Enrolment, recipient: Recipient, now: datetime) -> None:
    """Tell an applicant they were accepted (rendered in their language when sent)."""
    await outbox.enqueue(
        tx,
        channel=recipient.channel,
        chat_id=recipient.chat_id,
        user_id=recipient.user_id,
        kind=ENROLLED,
        payload={"enrolment_id": enrolment.id, "cohort_id": enrolment.cohort_id},
        now=now,
        ref=f"enrolment:{enrolment.id}",
        dedup_key=f"enrolled:{enrolment.id}",
    )


async def set_answer(tx: aiosqlite.Connection, session_id: int, user_id: int, answer: str, now: datetime) -> str | None:
    """A trainee's "I will come" / "I can't"; returns the earlier answer."""
    return await attendance.set_answer(tx, session_id, user_id, answer, now)


async def set_reminders(tx: aiosqlite.Connection, user_id: int, on: bool, now: datetime) -> None:
    await trainees.set_reminders(tx, user_id, on, now)
