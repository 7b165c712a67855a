"""Answering a survey: each answer, the submission, and closing invitations past their end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from bot.services import placements
from bot.surveys.definition import Survey
from storage import surveys
from storage.surveys import Invitation


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


async def submit(
    tx: aiosqlite.Connection, invitation: Invitation, survey: Survey, language: str, now: datetime
) -> bool:
    """Drop answers that no longer apply and complete; False when it was completed before.
    A response that reports a job or an internship becomes a placement for staff to confirm."""
    answers = await surveys.answers(tx, invitation.id)
    stale = survey.stale(answers)
    await surveys.drop_answers(tx, invitation.id, stale)
    if not await surveys.complete(tx, invitation.id, language, now):
        return False
    kept = {question: value for question, value in answers.items() if question not in stale}
    await placements.from_survey(tx, invitation, survey, kept, now)
    return True


async def close_expired(tx: aiosqlite.Connection, now: datetime) -> int:
    return await surveys.close_expired(tx, now)
