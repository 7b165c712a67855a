"""Reading answers of every question type, texts in every language, survey settings,
and /forget removing typed survey answers while choices stay as anonymous counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.flows.form import Accepted, Rejected, question_options
from bot.flows.surveys.answering import DONE, SKIP, Toggled, choice_options, form_question, prompt_text, read, show
from bot.i18n import use_language
from bot.messages import InputKind, Reply, UserInput
from bot.runtime import Runtime
from bot.surveys.definition import Choice, Question, QuestionType, Text
from storage import surveys
from tests.support.chat import Chat
from tests.support.forms import choose_language
from tests.support.surveys import RecordingSender, english_graduate, graduate, invitations_of, start_button, worker

TODAY = date(2026, 11, 27)
T = Text("teksti", "текст", "text")


def question(qtype: QuestionType, **extra: object) -> Question:
    return Question("q", qtype, T, Text("Pyetje?", "Питање?", "Question?"), 1, **extra)  # type: ignore[arg-type]


def ask(question: Question, selected: list[str], today: date) -> Reply:
    """The question as the form engine asks it: its text, then the buttons of its form question."""
    asked = form_question(question)
    ticks = selected if asked.multiple else None
    return Reply(
        prompt_text(question, today),
        question_options(choice_options(question) or [], ticks=ticks, optional=asked.optional),
    )


def typed(text: str) -> UserInput:
    return UserInput(InputKind.TEXT, text)


def pressed(key: str) -> UserInput:
    return UserInput(InputKind.OPTION, key, token="abc")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("42", 42),
        (" 1 200 ", 1200),
        ("-3", -3),
        ("0", 0),
        ("2000", None),
        ("-11", None),
        ("4.5", None),
        ("--5", None),
        ("forty", None),
        ("٣", None),
        ("9" * 40, None),
    ],
)
def test_number_answers_respect_the_bounds(given: str, expected: int | None) -> None:
    number = question(QuestionType.NUMBER, minimum=-10, maximum=1500)
    with use_language("en"):
        result = read(number, typed(given), TODAY, [])
        assert ask(number, [], TODAY).text == "Question?\nPlease send a whole number from -10 to 1500."
    if expected is None:
        assert isinstance(result, Rejected) and result.message == "Please send a whole number from -10 to 1500."
    else:
        assert result == Accepted(expected)


def test_choices_are_read_from_buttons_and_from_any_spelling() -> None:
    choices = (Choice("ict", Text("TIK", "ИКТ", "ICT")), Choice("trade", Text("Tregti", "Трговина", "Trade")))
    single = question(QuestionType.SINGLE_CHOICE, choices=choices)
    with use_language("en"):
        assert read(single, pressed("trade"), TODAY, []) == Accepted("trade")
        assert read(single, typed("trgovina"), TODAY, []) == Accepted("trade")  # Serbian Latin, typed
        assert read(single, typed("ИКТ"), TODAY, []) == Accepted("ict")
        assert isinstance(read(single, pressed("forged"), TODAY, []), Rejected)
        multiple = question(QuestionType.MULTIPLE_CHOICE, choices=choices, required=False)
        assert read(multiple, pressed("ict"), TODAY, []) == Toggled(["ict"])
        assert read(multiple, pressed("ict"), TODAY, ["trade", "ict"]) == Toggled(["trade"])
        assert read(multiple, pressed(DONE), TODAY, ["trade", "ict"]) == Accepted(
            ["ict", "trade"]
        )  # in the file's order
        assert read(multiple, pressed(SKIP), TODAY, []) == Accepted(None)
        assert [o.key for o in ask(multiple, ["ict"], TODAY).options] == ["ict", "trade", DONE, SKIP]
        assert show(multiple, ["ict", "trade"]) == "ICT, Trade"
    with use_language("sr_Latn"):
        assert [o.label for o in ask(single, [], TODAY).options] == ["IKT", "Trgovina"]
        assert ask(single, [], TODAY).text == "Pitanje?"
    with use_language("sq"):
        assert next(o.label for o in ask(multiple, ["ict"], TODAY).options) == "✓ TIK"


def test_required_questions_have_no_skip() -> None:
    with use_language("en"):
        yes_no = question(QuestionType.YES_NO)
        assert [o.key for o in ask(yes_no, [], TODAY).options] == ["yes", "no"]
        assert read(yes_no, pressed(SKIP), TODAY, []) == Rejected("Please answer with Yes or No.")
        assert read(yes_no, typed("да"), TODAY, []) == Accepted("yes")
        scale = question(QuestionType.SCALE)
        assert read(scale, pressed("3"), TODAY, []) == Accepted(3)
        assert show(scale, 3) == "3/5"


def test_survey_settings_are_checked(tmp_path: Path) -> None:
    settings = load_settings(environ={}, env_file=None)
    assert (settings.survey_reminder_days, settings.survey_expiry_days, settings.survey_send_hour) == (7, 30, 10)
    assert (settings.survey_dir / "employment-followup.yaml").is_file()
    custom = load_settings(
        environ={"SURVEY_REMINDER_DAYS": "3", "SURVEY_EXPIRY_DAYS": "14", "SURVEY_DIR": str(tmp_path)}, env_file=None
    )
    assert (custom.survey_reminder_days, custom.survey_expiry_days, custom.survey_dir) == (3, 14, tmp_path)
    for env, named in (
        ({"SURVEY_REMINDER_DAYS": "soon"}, "SURVEY_REMINDER_DAYS='soon' is not a whole number"),
        ({"SURVEY_REMINDER_DAYS": "30"}, "SURVEY_REMINDER_DAYS=30 must be less than SURVEY_EXPIRY_DAYS=30"),
        ({"SURVEY_EXPIRY_DAYS": "0"}, "SURVEY_EXPIRY_DAYS=0 must be between 1 and 365"),
        ({"SURVEY_SEND_HOUR": "24"}, "SURVEY_SEND_HOUR=24 must be between 0 and 23"),
        ({"SURVEY_DIR": str(tmp_path / "missing")}, "SURVEY_DIR="),
    ):
        with pytest.raises(ConfigError, match=named):
            load_settings(environ=env, env_file=None)


async def test_forget_removes_typed_answers_and_keeps_the_counts(runtime: Runtime) -> None:
    chat = await english_graduate(runtime)
    await graduate(runtime, ["1001"], date(2026, 8, 20))
    sender = RecordingSender()
    await worker(runtime, sender).run_once()
    await chat.send(start_button(sender.to("1001")[0]))
    await chat.press("Employed part-time")
    await chat.send("Acme")
    (m3, *_later) = await invitations_of(runtime, "1001")
    await chat.send("/forget")
    await chat.press("Yes, delete my data")
    async with runtime.db.reading() as conn:
        assert await surveys.answers(conn, m3.id) == {"employment_status": "employed_part_time"}
        after = await surveys.get(conn, m3.id)
        assert after is not None and after.user_id is None
    again = Chat(runtime, "1001")
    await choose_language(again)
    await again.send("/survey")
    assert "You have no survey to answer right now." in again.text()
