"""The start of a person's step, read in one hop to the database thread.

Every message of a person begins the same way: record the update as handled, find
(or add) the person and mark their last contact, find a staff account linked to
their chat, load their conversation. Five look-ups of a few microseconds each; as
separate statements they were five hops of about 80 µs (``storage.connection``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage import conversations, staff, updates, users
from storage.connection import run
from storage.conversations import ConversationState
from storage.staff import StaffRow
from storage.users import User


@dataclass(frozen=True)
class StepStart:
    first_time: bool  # False: the platform delivered this update before, and it was handled
    user: User
    new_user: bool
    staff_account: StaffRow | None  # linked to this chat, disabled or not
    state: ConversationState | None


async def start(
    conn: aiosqlite.Connection,
    channel: str,
    platform_id: str,
    chat_id: str,
    display_name: str | None,
    update_key: str | None,
    now: datetime,
) -> StepStart:
    """What a step of this person starts from; the first statements of its transaction."""

    def read(raw: sqlite3.Connection) -> StepStart:
        first_time = update_key is None or updates.claim_sync(raw, channel, update_key, now)
        user, new_user = users.get_or_create_sync(raw, channel, platform_id, chat_id, display_name, now)
        return StepStart(
            first_time=first_time,
            user=user,
            new_user=new_user,
            staff_account=staff.by_chat_sync(raw, channel, platform_id),
            state=conversations.load_sync(raw, user.id),
        )

    return await run(conn, read, here=True)
