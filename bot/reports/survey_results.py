"""A survey's results for the console: per wave invited, answered and the response rate; per question
its answers counted (choices, yes/no, scales, numbers) or listed (typed text and dates).

Counted over completed responses only, the ones the response rate calls answered.
The listed texts carry no name; the page shows them to coordinators and admins only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.i18n import _
from bot.reports.indicators import WaveCounts, wave_counts, wave_key
from bot.surveys.definition import Question, QuestionType, Survey
from storage import survey_reports

COUNTED = (
    QuestionType.SINGLE_CHOICE,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.YES_NO,
    QuestionType.SCALE,
    QuestionType.NUMBER,
)


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # completed responses with an answer to it
    skipped: int = 0  # asked but skipped (optional questions)
    counts: list[tuple[str, int]] = field(default_factory=list)  # (answer, responses), for counted types
    texts: list[str] = field(default_factory=list)  # typed answers and dates, oldest first

    @property
    def counted(self) -> bool:
        return self.question.type in COUNTED


@dataclass
class SurveyResults:
    survey: Survey
    waves: list[WaveCounts]
    wave: str | None  # the wave shown, None for all
    responses: int
    questions: list[QuestionResult]


def _labels(question: Question) -> list[tuple[str, str]]:
    """(stored key, label) of each possible answer, in the order asked."""
    if question.type == QuestionType.YES_NO:
        return [("yes", _("Yes")), ("no", _("No"))]
    if question.type == QuestionType.SCALE:
        low = f" ({question.low.get()})" if question.low is not None else ""
        high = f" ({question.high.get()})" if question.high is not None else ""
        return [("1", "1" + low), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5" + high)]
    return [(choice.key, choice.text.get()) for choice in question.choices]


def _result(question: Question, values: list[object]) -> QuestionResult:
    result = QuestionResult(question)
    given = [v for v in values if v is not None]
    result.answered, result.skipped = len(given), len(values) - len(given)
    if question.type == QuestionType.NUMBER:
        numbers = Counter(int(v) for v in given if isinstance(v, (int, float, str)) and str(v).lstrip("-").isdigit())
        result.counts = [(str(n), numbers[n]) for n in sorted(numbers)]
    elif question.type in COUNTED:
        tally: Counter[str] = Counter()
        for value in given:
            tally.update(str(v) for v in (value if isinstance(value, list) else [value]))
        result.counts = [(label, tally[key]) for key, label in _labels(question)]
    else:
        result.texts = [str(v) for v in given]
    return result


async def survey_results(
    conn: aiosqlite.Connection, survey: Survey, now: datetime, wave: str | None = None
) -> SurveyResults:
    invitations = [inv for inv in await survey_reports.invitation_rows(conn) if inv.survey_id == survey.id]
    answers = [
        a for a in await survey_reports.completed_survey_answers(conn, survey.id) if wave in (None, wave_key(a.wave))
    ]
    by_response: dict[int, dict[str, object]] = {}
    for answer in answers:
        by_response.setdefault(answer.invitation_id, {})[answer.question_id] = answer.value
    results = []
    for question in survey.questions:
        values = [given[question.id] for given in by_response.values() if question.id in given]
        results.append(_result(question, values))
    return SurveyResults(survey, wave_counts(invitations, now), wave, len(by_response), results)
