"""Short notices to every staff member, each in their own language, through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import aiosqlite

from bot.config import Settings
from bot.i18n import language_for, use_language
from storage import outbox, users


async def notify_staff(
    tx: aiosqlite.Connection,
    settings: Settings,
    now: datetime,
    text: Callable[[], str],
    dedup_key: str | None = None,
) -> None:
    """Queue ``text()`` (called in each staff member's language) for every staff member.

    With ``dedup_key`` the same notice is never queued twice for one staff member.
    """
    for staff_id in sorted(settings.staff_telegram_ids):
        staff_user = await users.find(tx, "telegram", str(staff_id))
        language = language_for(staff_user.language if staff_user else None, settings.default_language)
        with use_language(language.code):
            message = text()
        await outbox.enqueue(
            tx,
            channel="telegram",
            chat_id=str(staff_id),
            user_id=staff_user.id if staff_user else None,
            kind="staff_notice",
            payload={"text": message},
            now=now,
            dedup_key=f"{dedup_key}:{staff_id}" if dedup_key else None,
        )
