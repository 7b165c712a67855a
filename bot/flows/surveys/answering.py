"""One survey question in the chat: how it is asked, how an answer is read, how it is shown.

Buttons wherever the answers are a fixed list; typed text is accepted too
(an option's text in any of the bot's languages, a number, a date). Every
wrong answer gets a short reason, and the question is asked again.
:func:`form_question` turns a survey question (data from its file) into a
question of the one form engine (``bot/flows/form.py``), which renders its
buttons, pages, ticks, skips and summarises it as it does every form's.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.flows.form import (
    Accepted,
    Parsed,
    Rejected,
    Toggled,
    current_ticks,
    not_understood,
    read_ticks,
    toggle,
    yes_no,
)
from bot.flows.form import Question as FormQuestion
from bot.flows.registry import Context
from bot.flows.steps import DONE, SKIP
from bot.i18n import _, format_date
from bot.messages import InputKind, Option, UserInput
from bot.parsing import validators
from bot.surveys.definition import SCALE_POINTS, Question, QuestionType

MAX_NUMBER_INPUT = 20
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,15}")

__all__ = ["DONE", "SKIP", "Toggled", "choice_options", "form_question", "prompt_text", "read", "show"]


def prompt_text(question: Question, today: date) -> str:
    """The question as asked, with a hint on the expected answer."""
    lines = [question.text.get()]
    qtype = question.type
    if qtype == QuestionType.MULTIPLE_CHOICE:
        lines.append(_("Choose all that apply, then press Done."))
    elif qtype == QuestionType.SCALE:
        if question.low is not None and question.high is not None:
            lines.append(_("1 means {low}, 5 means {high}.").format(low=question.low.get(), high=question.high.get()))
    elif qtype == QuestionType.NUMBER:
        lines.append(
            _("Please send a whole number from {low} to {high}.").format(low=question.minimum, high=question.maximum)
        )
    elif qtype == QuestionType.DATE:
        lines.append(_("Write the date as day.month.year, for example {example}.").format(example=f"{today:%d.%m.%Y}"))
    elif qtype == QuestionType.TEXT:
        lines.append(_("Please type your answer (up to {limit} characters).").format(limit=question.max_length))
    return "\n".join(lines)


def choice_options(question: Question) -> list[Option] | None:
    """The buttons of the answers, when they are a fixed list (None for typed answers)."""
    qtype = question.type
    if qtype in CHOICE_TYPES:
        return [Option(c.key, c.button()) for c in question.choices]
    if qtype == QuestionType.YES_NO:
        return [Option("yes", _("Yes")), Option("no", _("No"))]
    if qtype == QuestionType.SCALE:
        return [Option(point, point) for point in SCALE_POINTS]
    return None


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.settings.timezone).date()


def form_question(question: Question) -> FormQuestion:
    """A survey question as a question of the form engine: asked, read and shown as above."""

    async def choices(ctx: Context) -> list[Option]:
        return choice_options(question) or []

    async def parse(ctx: Context, inp: UserInput) -> Parsed:
        return read(question, inp, _today(ctx), current_ticks(ctx))

    async def shown(ctx: Context, value: Any) -> str:
        return show(question, value)

    return FormQuestion(
        question.id,
        question.label.get,
        lambda ctx: prompt_text(question, _today(ctx)),
        parse,
        shown,
        choices=choices if choice_options(question) is not None else None,
        optional=not question.required,
        applies=lambda ctx, answers: question.applies(answers),
        multiple=question.type == QuestionType.MULTIPLE_CHOICE,
    )


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
