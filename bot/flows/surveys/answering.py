"""One survey question in the chat: how it is asked, how an answer is read, how it is shown.

Buttons wherever the answers are a fixed list; typed text is accepted too
(an option's text in any of the bot's languages, a number, a date). Every
wrong answer gets a short reason, and the question is asked again.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.flows.form import Accepted, Parsed, Rejected, Toggled, not_understood, read_ticks, tick_options, toggle, yes_no
from bot.flows.steps import DONE, SKIP
from bot.i18n import _, format_date
from bot.messages import InputKind, Option, Reply, UserInput
from bot.parsing import validators
from bot.surveys.definition import SCALE_POINTS, Question, QuestionType

MAX_NUMBER_INPUT = 20
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,15}")

__all__ = ["DONE", "SKIP", "Toggled", "ask", "read", "show"]


def ask(question: Question, selected: list[str], today: date) -> Reply:
    """The question with its buttons and a hint on the expected answer."""
    lines = [question.text.get()]
    options: list[Option] = []
    qtype = question.type
    if qtype == QuestionType.SINGLE_CHOICE:
        options = [Option(c.key, c.button()) for c in question.choices]
    elif qtype == QuestionType.MULTIPLE_CHOICE:
        lines.append(_("Choose all that apply, then press Done."))
        options = tick_options([(c.key, c.button()) for c in question.choices], selected)
    elif qtype == QuestionType.YES_NO:
        options = [Option("yes", _("Yes")), Option("no", _("No"))]
    elif qtype == QuestionType.SCALE:
        if question.low is not None and question.high is not None:
            lines.append(_("1 means {low}, 5 means {high}.").format(low=question.low.get(), high=question.high.get()))
        options = [Option(point, point) for point in SCALE_POINTS]
    elif qtype == QuestionType.NUMBER:
        lines.append(
            _("Please send a whole number from {low} to {high}.").format(low=question.minimum, high=question.maximum)
        )
    elif qtype == QuestionType.DATE:
        lines.append(_("Write the date as day.month.year, for example {example}.").format(example=f"{today:%d.%m.%Y}"))
    elif qtype == QuestionType.TEXT:
        lines.append(_("Please type your answer (up to {limit} characters).").format(limit=question.max_length))
    if not question.required:
        options.append(Option(SKIP, _("Skip")))
    return Reply("\n".join(lines), options)


def read(question: Question, inp: UserInput, today: date, selected: list[str]) -> Parsed:
    """Read one input as an answer to the question."""
    if inp.kind == InputKind.OPTION and inp.text == SKIP and not question.required:
        return Accepted(None)
    if inp.kind not in (InputKind.TEXT, InputKind.OPTION):
        return Rejected(not_understood(inp))
    qtype = question.type
    if qtype in CHOICE_TYPES:
        return _read_choice(question, inp, selected)
    if qtype == QuestionType.YES_NO:
        answer = yes_no(inp)
        return Rejected(_("Please answer with Yes or No.")) if answer is None else Accepted("yes" if answer else "no")
    if qtype == QuestionType.SCALE:
        typed = inp.text.strip()
        if typed in SCALE_POINTS:
            return Accepted(int(typed))
        return Rejected(_("Please choose a number from 1 to 5 with the buttons below."))
    if inp.kind == InputKind.OPTION:
        return Rejected(_("Please type your answer."))
    if qtype == QuestionType.NUMBER:
        return _read_number(question, inp.text)
    if qtype == QuestionType.DATE:
        return _read_date(inp.text, today)
    return _read_text(question, inp.text)


def _read_choice(question: Question, inp: UserInput, selected: list[str]) -> Parsed:
    multiple = question.type == QuestionType.MULTIPLE_CHOICE
    keys = [c.key for c in question.choices]
    if multiple:
        ticked = read_ticks(inp, keys, selected, _("Please choose at least one option, then press Done."))
        if ticked is not None:
            return ticked
    key = None
    if inp.kind == InputKind.OPTION:
        if inp.text not in keys:
            return Rejected(_("That button is not one of the choices. Please use the buttons below."))
        key = inp.text
    else:
        typed = inp.text.strip().removeprefix("✓").strip().casefold()
        for choice in question.choices:
            if typed == choice.key.casefold() or typed in (
                s.casefold() for s in (*choice.text.spellings(), *(choice.short.spellings() if choice.short else ()))
            ):
                key = choice.key
        if key is None:
            return Rejected(_("I didn't recognise that. Please choose one of the buttons below."))
    if not multiple:
        return Accepted(key)
    return Toggled(toggle(selected, key, keys))


def _read_number(question: Question, text: str) -> Parsed:
    low, high = question.minimum, question.maximum
    cleaned = text.strip().replace(" ", "") if len(text) <= MAX_NUMBER_INPUT else ""
    wrong = Rejected(_("Please send a whole number from {low} to {high}.").format(low=low, high=high))
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        return wrong
    value = int(cleaned)
    assert low is not None and high is not None
    return Accepted(value) if low <= value <= high else wrong


def _read_date(text: str, today: date) -> Parsed:
    day = validators.parse_birth_date(text)
    if day is None:
        return Rejected(_("I couldn't read that date. Please write it as day.month.year, for example 15.03.2004."))
    if day > today:
        return Rejected(_("That date is in the future. Please check it and send it again."))
    return Accepted(day.isoformat())


def _read_text(question: Question, text: str) -> Parsed:
    answer = text.strip()
    if not answer:
        return Rejected(_("Please type your answer."))
    limit = question.max_length
    assert limit is not None
    if len(answer) > limit:
        return Rejected(
            _("That is {length} characters long; up to {limit} characters are accepted. Please shorten it.").format(
                length=len(answer), limit=limit
            )
        )
    return Accepted(answer)


def show(question: Question, value: Any) -> str:
    """A stored answer as the person reads it in the summary."""
    if value is None:
        return _("(skipped)")
    qtype = question.type
    if qtype in CHOICE_TYPES:
        labels = {c.key: c.text.get() for c in question.choices}
        given = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(key, str(key)) for key in given)
    if qtype == QuestionType.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    if qtype == QuestionType.SCALE:
        return f"{value}/5"
    if qtype == QuestionType.DATE:
        return format_date(date.fromisoformat(value))
    return str(value)
