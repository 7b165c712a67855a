"""Answering a survey: each answer, the submission, and closing invitations past their end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from storage import surveys


async def save_answer(
    tx: aiosqlite.Connection,
    invitation_id: int,
    question_id: str,
    value: Any,
    *,
    free_text: bool,
    language: str,
    now: datetime,
) -> None:
    await surveys.save_answer(tx, invitation_id, question_id, value, free_text=free_text, language=language, now=now)


async def submit(tx: aiosqlite.Connection, invitation_id: int, stale: list[str], language: str, now: datetime) -> bool:
    """Drop answers that no longer apply and complete; False when it was completed before."""
    await surveys.drop_answers(tx, invitation_id, stale)
    return await surveys.complete(tx, invitation_id, language, now)


async def close_expired(tx: aiosqlite.Connection, now: datetime) -> int:
    return await surveys.close_expired(tx, now)
