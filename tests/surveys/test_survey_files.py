"""Survey files: the shipped ones are valid, and each kind of mistake is named with file, line and question."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import SURVEYS_DIR, Settings
from bot.runtime import open_runtime
from bot.surveys.definition import QuestionType
from bot.surveys.loader import SurveyError, load_directory, parse_survey

SOURCE = "surveys/mini.yaml"
MINI = """\
id: mini
title: {sq: Anketë, sr: Анкета, en: Survey}
intro: {sq: Hyrje, sr: Увод, en: Introduction}
questions:
  - id: employed
    type: yes_no
    label: {sq: Puna, sr: Посао, en: Work}
    text: {sq: "A punoni?", sr: "Да ли радите?", en: "Do you work?"}
  - id: employer
    type: text
    max_length: 50
    when: {employed: "yes"}
    label: {sq: Punëdhënësi, sr: Послодавац, en: Employer}
    text: {sq: "Ku punoni?", sr: "Где радите?", en: "Where do you work?"}
  - id: sector
    type: single_choice
    label: {sq: Sektori, sr: Сектор, en: Sector}
    text: {sq: "Në cilin sektor?", sr: "У ком сектору?", en: "Which sector?"}
    options:
      - key: ict
        text: {sq: TIK, sr: ИКТ, en: ICT}
      - key: other
        text: {sq: Tjetër, sr: Друго, en: Other}
"""


def line_of(text: str, fragment: str) -> int:
    """The line (from 1) where ``fragment`` first appears."""
    return text[: text.index(fragment)].count("\n") + 1


def failure(text: str) -> str:
    with pytest.raises(SurveyError) as caught:
        parse_survey(text, SOURCE)
    return str(caught.value)


def test_the_mini_survey_is_valid() -> None:
    survey = parse_survey(MINI, SOURCE)
    assert [q.id for q in survey.questions] == ["employed", "employer", "sector"]
    assert survey.question("employer").when[0].values == {"yes"}


def test_shipped_surveys_are_valid_and_complete() -> None:
    catalogue = load_directory(SURVEYS_DIR)
    survey = catalogue.get("employment-followup")
    assert survey is not None and survey.campaign_months == (3, 6, 12)
    ids = [q.id for q in survey.questions]
    for needed in (
        "employment_status",
        "employer",
        "job_title",
        "job_in_ict",
        "start_date",
        "income_band",
        "training_helped",
        "started_business",
        "further_study",
        "comment",
    ):
        assert needed in ids
    types = {q.type for q in survey.questions}
    assert {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.YES_NO,
        QuestionType.SCALE,
        QuestionType.DATE,
        QuestionType.TEXT,
    } <= types
    assert survey.is_placed({"employment_status": "internship"}) and not survey.is_placed(
        {"employment_status": "looking"}
    )


@pytest.mark.parametrize(
    ("old", "new", "at", "question", "problem"),
    [
        (
            'sr: "Да ли радите?", ',
            "",
            'text: {sq: "A punoni?"',
            "employed",
            "the question text has no Serbian (sr, in Cyrillic) version",
        ),
        (
            "type: yes_no",
            "type: dropdown",
            "type: dropdown",
            "employed",
            "unknown type 'dropdown' (use one of: single_choice,",
        ),
        (
            'when: {employed: "yes"}',
            'when: {employd: "yes"}',
            "when:",
            "employer",
            "the skip rule ('when') refers to 'employd', which is not a question of this survey",
        ),
        (
            "    type: yes_no\n",
            "    type: yes_no\n    when: {sector: ict}\n",
            "when: {sector",
            "employed",
            "refers to 'sector', which does not come before it; a question can depend only on earlier answers",
        ),
        (
            'when: {employed: "yes"}',
            'when: {employed: "maybe"}',
            '"maybe"',
            "employer",
            "'maybe' is not a possible answer of 'employed' (possible: yes, no)",
        ),
        (
            "    type: single_choice\n",
            "    type: single_choice\n    when: {employer: Acme}\n",
            "when: {employer",
            "sector",
            "refers to 'employer', a text question; rules can test only",
        ),
        (
            "id: employer",
            "id: employed",
            "id: employed\n    type: text",
            "employed",
            "question id 'employed' is used twice (first on line 5)",
        ),
        (
            "key: ict",
            "key: " + "k" * 57,
            "key: kkk",
            "sector",
            "is 57 bytes long; option keys must be at most 56 bytes",
        ),
        ("key: ict", "key: 'a:b'", "key: 'a:b'", "sector", "option key 'a:b' may not contain ':'"),
        (
            "sr: Сектор,",
            "sr: Sektor,",
            "sr: Sektor",
            "sector",
            "the Serbian version of the label must be written in Cyrillic",
        ),
        ("    max_length: 50\n", "", "  - id: employer", "employer", "a text question needs 'max_length'"),
        (
            "    type: yes_no\n",
            "    type: yes_no\n    wen: {employed: 'no'}\n",
            "wen:",
            "employed",
            "unknown field 'wen'",
        ),
        (
            "    type: yes_no\n",
            "    type: yes_no\n    type: text\n",
            "type: text\n    label: {sq: Puna",
            "employed",
            "'type' is given twice",
        ),
        ("en: ICT}", "en: " + "x" * 65 + "}", "text: {sq: TIK", "sector", "is longer than 64 characters"),
        (
            "      - key: other\n        text: {sq: Tjetër, sr: Друго, en: Other}\n",
            "",
            "      - key: ict",
            "sector",
            "a choice question needs at least two options",
        ),
    ],
)
def test_each_mistake_is_named_with_file_line_and_question(
    old: str, new: str, at: str, question: str, problem: str
) -> None:
    assert old in MINI
    broken = MINI.replace(old, new, 1)
    message = failure(broken)
    assert message.startswith(f"{SOURCE}, line {line_of(broken, at)}, question '{question}': "), message
    assert problem in message


def test_number_questions_need_bounds() -> None:
    broken = MINI.replace("type: text\n    max_length: 50", "type: number\n    min: 0", 1)
    message = failure(broken)
    assert message.startswith(f"{SOURCE}, line {line_of(broken, '  - id: employer')}, question 'employer': ")
    assert "a number question needs 'max'" in message


@pytest.mark.parametrize(
    ("old", "new", "at", "problem"),
    [
        ("title: {sq: Anketë, ", "title: {", "title:", "the title has no Albanian (sq) version"),
        ("intro: {sq: Hyrje, sr: Увод, en: Introduction}\n", "", "id: mini", "'intro' is missing"),
        (
            "questions:\n",
            "placement: {sectr: [ict]}\nquestions:\n",
            "placement:",
            "the placement rule refers to 'sectr', which is not a question",
        ),
        (
            "questions:\n",
            "campaign: {after_graduation_months: [3, 6, 3]}\nquestions:\n",
            "campaign:",
            "month 3 is listed twice",
        ),
        ("id: mini", "id: Mini Survey", "id:", "survey id 'Mini Survey' must be"),
        (
            "    label: {sq: Puna",
            "    label: [sq: Puna",
            "    label: [sq",
            "not valid YAML: expected ',' or ']', but got '}'",
        ),
    ],
)
def test_survey_level_mistakes_name_the_line(old: str, new: str, at: str, problem: str) -> None:
    broken = MINI.replace(old, new, 1)
    message = failure(broken)
    assert message.startswith(f"{SOURCE}, line {line_of(broken, at)}: "), message
    assert problem in message


def test_unquoted_yes_and_no_stay_answer_keys() -> None:
    survey = parse_survey(MINI.replace('when: {employed: "yes"}', "when: {employed: yes}"), SOURCE)
    assert survey.question("employer").when[0].values == {"yes"}  # not the boolean True


def test_skip_logic_paths_of_the_shipped_survey() -> None:
    survey = load_directory(SURVEYS_DIR).get("employment-followup")
    assert survey is not None
    employed = {"employment_status": "employed_full_time"}
    assert survey.next_question(employed).id == "employer"
    looking = {"employment_status": "looking"}
    assert survey.next_question(looking).id == "training_helped"  # employer ... income skipped
    self_employed = {"employment_status": "self_employed"}
    assert survey.next_question(self_employed).id == "job_in_ict"  # no employer or job title
    no_business = {**looking, "training_helped": 3, "started_business": "no"}
    assert survey.next_question(no_business).id == "further_study"
    business = {**looking, "training_helped": 3, "started_business": "yes"}
    assert survey.next_question(business).id == "business_registered"
    studying = {**no_business, "further_study": "yes"}
    assert survey.next_question(studying).id == "study_kind"
    done = {**no_business, "further_study": "no", "comment": None}
    assert survey.next_question(done) is None
    # changing an earlier answer leaves the employer answer stale
    changed = {**done, "employer": "Acme", "job_title": "Developer"}
    assert sorted(survey.stale(changed)) == ["employer", "job_title"]


def test_duplicate_survey_ids_across_files(tmp_path: Path) -> None:
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINI, encoding="utf-8")
    (folder / "b.yaml").write_text(MINI, encoding="utf-8")
    with pytest.raises(SurveyError, match=r"^surveys/b.yaml: survey id 'mini' is already used by surveys/a.yaml$"):
        load_directory(folder)


async def test_a_broken_survey_stops_the_start_up(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "mini.yaml").write_text(MINI.replace("type: yes_no", "type: dropdown"), encoding="utf-8")
    with pytest.raises(SurveyError, match=r"broken/mini.yaml, line 6, question 'employed': unknown type"):
        async with open_runtime(replace(settings, survey_dir=folder)):
            pass


def test_cli_check_reports_one_line_and_exit_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["survey", "check"]) == 0
    assert (
        "surveys/employment-followup.yaml: employment-followup, 12 questions, waves at months: 3, 6, 12"
        in capsys.readouterr().out
    )
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "mini.yaml").write_text(MINI.replace("key: ict", "key: 'a:b'"), encoding="utf-8")
    monkeypatch.setenv("SURVEY_DIR", str(folder))
    assert main(["survey", "check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"youthbot: surveys/mini.yaml, line {line_of(MINI, 'key: ict')}, question 'sector': option key 'a:b' may not contain ':'"
    ]


LONG_OPTION = "text: {sq: Tjetër, sr: Друго, en: Other}"
LONG_TEXT = "text: {sq: Një përgjigje shumë e gjatë për buton, sr: Друго, en: Other}"


def test_an_option_too_long_for_a_button_needs_a_short_label() -> None:
    broken = MINI.replace(LONG_OPTION, LONG_TEXT, 1)
    message = failure(broken)
    assert "option 'other' needs a short label" in message and "24 characters" in message
    fixed = broken.replace(LONG_TEXT, LONG_TEXT + "\n        short: {sq: Tjetër, sr: Друго, en: Other}", 1)
    choice = parse_survey(fixed, SOURCE).question("sector").choices[1]
    assert choice.short is not None and choice.short.en == "Other"
    assert choice.text.sq == "Një përgjigje shumë e gjatë për buton"


def test_a_short_label_over_24_characters_is_refused() -> None:
    broken = MINI.replace(
        LONG_OPTION, LONG_OPTION + "\n        short: {sq: Tjetër, sr: Друго, en: Something else not in the list}", 1
    )
    assert "the short label of option 'other'" in failure(broken)
    assert "longer than 24 characters" in failure(broken)
