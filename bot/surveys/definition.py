"""What a survey is once its YAML file has been read and checked.

Answers are kept as JSON values: an option key (single choice), a list of
keys (multiple choice), 'yes' or 'no', a whole number (number, scale), an
ISO date, typed text, or None for a question the person skipped. Skip logic
is a list of conditions on earlier answers: a question is asked only when
every condition holds.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import current_language
from bot.i18n.transliteration import to_latin

SCALE_POINTS = ("1", "2", "3", "4", "5")
YES_NO = ("yes", "no")


class QuestionType(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    SCALE = "scale"
    DATE = "date"
    TEXT = "text"


# The types whose answers come from a fixed list, so that a skip rule can test them.
TESTABLE = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.YES_NO, QuestionType.SCALE)


@dataclass(frozen=True)
class Text:
    """One text of a survey in every language (Serbian in Cyrillic; Latin is made from it)."""

    sq: str
    sr: str
    en: str

    def get(self) -> str:
        """The text in the current language."""
        language = current_language()
        if language.content_key == "sr":
            return to_latin(self.sr) if language.code == "sr_Latn" else self.sr
        return self.sq if language.content_key == "sq" else self.en

    def spellings(self) -> tuple[str, ...]:
        """Every way the text is shown, for recognising it when typed."""
        return (self.sq, self.sr, to_latin(self.sr), self.en)


@dataclass(frozen=True)
class Choice:
    key: str
    text: Text
    short: Text | None = None  # the button label when the text is too long for a button

    def button(self) -> str:
        """The label on the answer's button, in the current language."""
        return (self.short or self.text).get()


@dataclass(frozen=True)
class Condition:
    """'The answer to ``question_id`` is one of ``values``' (any of them, for multiple choice)."""

    question_id: str
    values: frozenset[str]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.question_id)
        if value is None:
            return False
        given = value if isinstance(value, list) else [value]
        return any(str(v) in self.values for v in given)


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    label: Text  # short, for the summary and the list of answers to change
    text: Text  # the question as asked
    line: int  # where it starts in its file, for error messages
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    low: Text | None = None  # scale: what 1 means
    high: Text | None = None  # scale: what 5 means
    required: bool = True
    when: tuple[Condition, ...] = ()

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return all(condition.holds(answers) for condition in self.when)

    def answer_keys(self) -> tuple[str, ...]:
        """The possible answers, as skip rules name them (empty for open answers)."""
        if self.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            return tuple(choice.key for choice in self.choices)
        if self.type == QuestionType.YES_NO:
            return YES_NO
        if self.type == QuestionType.SCALE:
            return SCALE_POINTS
        return ()


@dataclass(frozen=True)
class Survey:
    id: str
    title: Text
    intro: Text
    questions: tuple[Question, ...]
    source: str  # the file, as error messages name it
    campaign_months: tuple[int, ...] = ()  # waves: months after the graduation date
    placement: tuple[Condition, ...] = ()  # the answers that count as placed in a job or internship

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def applicable(self, answers: Mapping[str, Any]) -> list[Question]:
        """The questions asked, given the answers so far, in order."""
        return [q for q in self.questions if q.applies(answers)]

    def next_question(self, answers: Mapping[str, Any]) -> Question | None:
        """The first question that applies and has no answer yet; None when all are answered."""
        return next((q for q in self.applicable(answers) if q.id not in answers), None)

    def stale(self, answers: Mapping[str, Any]) -> list[str]:
        """Answered question ids that no longer apply (an earlier answer changed) or no longer exist."""
        asked = {q.id for q in self.applicable(answers)}
        return [qid for qid in answers if qid not in asked]

    def is_placed(self, answers: Mapping[str, Any]) -> bool:
        return bool(self.placement) and all(condition.holds(answers) for condition in self.placement)


@dataclass(frozen=True)
class Catalogue:
    """Every survey of the survey folder, by id, in file-name order."""

    surveys: dict[str, Survey]

    def get(self, survey_id: str) -> Survey | None:
        return self.surveys.get(survey_id)

    def with_campaign(self) -> list[Survey]:
        return [s for s in self.surveys.values() if s.campaign_months]
