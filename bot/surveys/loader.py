"""Reading survey files: YAML in, a checked :class:`Survey` out, or one clear error.

The file is parsed with ``yaml.compose`` (the safe loader's node tree), not
loaded into Python values, so every error can name its line, and scalars are
read as written: ``no`` stays the answer key "no", never the boolean False.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config import ConfigError
from bot.messages import MAX_OPTION_KEY_BYTES
from bot.surveys.definition import (
    TESTABLE,
    Catalogue,
    Choice,
    Condition,
    Question,
    QuestionType,
    Survey,
    Text,
)

LANGUAGE_NAMES = {"sq": "Albanian (sq)", "sr": "Serbian (sr, in Cyrillic)", "en": "English (en)"}
MAX_BUTTON_TEXT = 64
MAX_BUTTON_LABEL = 24  # what a phone shows of a button in the narrowest chat list rows
MAX_TEXT_LIMIT = 3500
_SURVEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_OPTION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_TYPE_FIELDS = {
    QuestionType.SINGLE_CHOICE: {"options"},
    QuestionType.MULTIPLE_CHOICE: {"options"},
    QuestionType.YES_NO: set(),
    QuestionType.NUMBER: {"min", "max"},
    QuestionType.SCALE: {"low", "high"},
    QuestionType.DATE: set(),
    QuestionType.TEXT: {"max_length"},
}
_COMMON_FIELDS = {"id", "type", "label", "text", "required", "when"}


class SurveyError(ConfigError):
    """A survey file is wrong; the message names the file, the line and the question."""


class Reader:
    """Turns YAML nodes of one file into values, failing with the node's line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.question: str | None = None  # the question being read, named in errors

    def fail(self, node: Node, problem: str) -> NoReturn:
        where = f"{self.source}, line {node.start_mark.line + 1}"
        if self.question is not None:
            where += f", question '{self.question}'"
        raise SurveyError(f"{where}: {problem}")

    def mapping(self, node: Node, allowed: set[str] | None = None, required: tuple[str, ...] = ()) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self.fail(node, "expected 'name: value' lines here")
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, "a name")
            if key in found:
                self.fail(key_node, f"'{key}' is given twice")
            if allowed is not None and key not in allowed:
                self.fail(key_node, f"unknown field '{key}' (expected: {', '.join(sorted(allowed))})")
            found[key] = value_node
        for key in required:
            if key not in found:
                self.fail(node, f"'{key}' is missing")
        return found

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.fail(node, f"{what} must be a list ('- ' lines) with at least one entry")
        return list(node.value)

    def scalar(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            self.fail(node, f"{what} must be a single value")
        return str(node.value).strip()

    def integer(self, node: Node, what: str, low: int, high: int) -> int:
        raw = self.scalar(node, what)
        if not _INTEGER.match(raw):
            self.fail(node, f"{what} must be a whole number, not '{raw}'")
        value = int(raw)
        if not low <= value <= high:
            self.fail(node, f"{what} must be between {low} and {high}, not {value}")
        return value

    def boolean(self, node: Node, what: str) -> bool:
        raw = self.scalar(node, what).lower()
        if raw not in ("true", "false", "yes", "no"):
            self.fail(node, f"{what} must be true or false, not '{raw}'")
        return raw in ("true", "yes")

    def text(self, node: Node, what: str, max_chars: int | None = None) -> Text:
        """A text in sq, sr (Cyrillic) and en."""
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} needs its sq, sr and en versions ('sq: ...' lines)")
        versions = self.mapping(node, set(LANGUAGE_NAMES))
        values = {}
        for code, name in LANGUAGE_NAMES.items():
            if code not in versions:
                self.fail(node, f"{what} has no {name} version")
            value = self.scalar(versions[code], f"the {name} version of {what}")
            if not value:
                self.fail(versions[code], f"the {name} version of {what} is empty")
            values[code] = value
        sr = values["sr"]
        if any(c.isalpha() for c in sr) and not any("\u0400" <= c <= "\u04ff" for c in sr):
            self.fail(
                versions["sr"], f"the Serbian version of {what} must be written in Cyrillic (Latin is made from it)"
            )
        text = Text(values["sq"], values["sr"], values["en"])
        if max_chars is not None:
            for spelling in text.spellings():
                if len(spelling) > max_chars:
                    self.fail(node, f"{what} '{spelling}' is longer than {max_chars} characters")
        return text


def _conditions(
    reader: Reader, node: Node, earlier: dict[str, Question], later: set[str], what: str
) -> tuple[Condition, ...]:
    """Parse ``{question: value}`` or ``{question: [values]}``, checking each names a real answer."""
    conditions = []
    for question_id, value_node in reader.mapping(node).items():
        target = earlier.get(question_id)
        if target is None:
            if question_id in later:
                reader.fail(
                    node,
                    f"{what} refers to '{question_id}', which does not come before it; a question can depend only on earlier answers",
                )
            reader.fail(node, f"{what} refers to '{question_id}', which is not a question of this survey")
        if target.type not in TESTABLE:
            reader.fail(
                node,
                f"{what} refers to '{question_id}', a {target.type} question; rules can test only {', '.join(TESTABLE)} answers",
            )
        raw = (
            reader.sequence(value_node, f"the answers of '{question_id}'")
            if isinstance(value_node, SequenceNode)
            else [value_node]
        )
        values = [reader.scalar(v, f"an answer of '{question_id}'") for v in raw]
        possible = target.answer_keys()
        for value, value_node_ in zip(values, raw, strict=True):
            if value not in possible:
                reader.fail(
                    value_node_,
                    f"{what}: '{value}' is not a possible answer of '{question_id}' (possible: {', '.join(possible)})",
                )
        conditions.append(Condition(question_id, frozenset(values)))
    return tuple(conditions)


def _options(reader: Reader, node: Node) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    for entry in reader.sequence(node, "options"):
        fields = reader.mapping(entry, {"key", "text", "short"}, ("key", "text"))
        key_node = fields["key"]
        key = reader.scalar(key_node, "an option key")
        if ":" in key:
            reader.fail(key_node, f"option key '{key}' may not contain ':'")
        if len(key.encode()) > MAX_OPTION_KEY_BYTES:
            reader.fail(
                key_node,
                f"option key '{key}' is {len(key.encode())} bytes long; option keys must be at most {MAX_OPTION_KEY_BYTES} bytes",
            )
        if not _OPTION_KEY.match(key):
            reader.fail(
                key_node,
                f"option key '{key}' may use only letters, digits, '_' and '-', starting with a letter or digit",
            )
        if any(choice.key == key for choice in choices):
            reader.fail(key_node, f"option key '{key}' is used twice")
        text = reader.text(fields["text"], f"the text of option '{key}'", MAX_BUTTON_TEXT)
        short = None
        if "short" in fields:
            short = reader.text(fields["short"], f"the short label of option '{key}'", MAX_BUTTON_LABEL)
        elif any(len(spelling) > MAX_BUTTON_LABEL for spelling in text.spellings()):
            reader.fail(
                fields["text"],
                f"option '{key}' needs a short label ('short:' with sq, sr and en) of at most"
                f" {MAX_BUTTON_LABEL} characters for its button",
            )
        choices.append(Choice(key, text, short))
    if len(choices) < 2:
        reader.fail(node, "a choice question needs at least two options")
    return tuple(choices)


def _field_node(entry: Node, name: str) -> ScalarNode | None:
    """A question's 'id' or 'type' value, found before the rest is checked (so errors can name it)."""
    if isinstance(entry, MappingNode):
        for key_node, value_node in entry.value:
            if isinstance(key_node, ScalarNode) and key_node.value == name and isinstance(value_node, ScalarNode):
                return value_node
    return None


def _question(reader: Reader, node: Node, earlier: dict[str, Question], later: set[str]) -> Question:
    reader.question = None
    id_node = _field_node(node, "id")
    if id_node is None:
        reader.fail(node, "every question needs an 'id'")
    qid = str(id_node.value).strip()
    if not _QUESTION_ID.match(qid):
        reader.fail(id_node, f"question id '{qid}' must be lowercase letters, digits and '_', starting with a letter")
    reader.question = qid
    type_node = _field_node(node, "type")
    if type_node is None:
        reader.fail(node, "'type' is missing")
    type_name = str(type_node.value).strip()
    if type_name not in QuestionType.__members__.values():
        reader.fail(type_node, f"unknown type '{type_name}' (use one of: {', '.join(QuestionType)})")
    qtype = QuestionType(type_name)
    fields = reader.mapping(node, _COMMON_FIELDS | _TYPE_FIELDS[qtype], ("id", "type", "label", "text"))
    extra: dict[str, object] = {}
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        if "options" not in fields:
            reader.fail(node, f"a {qtype} question needs 'options'")
        extra["choices"] = _options(reader, fields["options"])
    if qtype == QuestionType.NUMBER:
        for name in ("min", "max"):
            if name not in fields:
                reader.fail(node, f"a number question needs '{name}'")
        low = reader.integer(fields["min"], "min", -(10**9), 10**9)
        high = reader.integer(fields["max"], "max", -(10**9), 10**9)
        if low >= high:
            reader.fail(fields["max"], "max must be greater than min")
        extra.update(minimum=low, maximum=high)
    if qtype == QuestionType.TEXT:
        if "max_length" not in fields:
            reader.fail(node, "a text question needs 'max_length' (the longest answer accepted)")
        extra["max_length"] = reader.integer(fields["max_length"], "max_length", 1, MAX_TEXT_LIMIT)
    if qtype == QuestionType.SCALE:
        for name in ("low", "high"):
            if name in fields:
                extra[name] = reader.text(fields[name], f"'{name}'")
    if "required" in fields:
        extra["required"] = reader.boolean(fields["required"], "required")
    if "when" in fields:
        extra["when"] = _conditions(reader, fields["when"], earlier, later, "the skip rule ('when')")
    return Question(
        id=qid,
        type=qtype,
        label=reader.text(fields["label"], "the label", MAX_BUTTON_LABEL),  # on the Edit buttons
        text=reader.text(fields["text"], "the question text"),
        line=node.start_mark.line + 1,
        **extra,  # type: ignore[arg-type]
    )


def _campaign(reader: Reader, node: Node) -> tuple[int, ...]:
    fields = reader.mapping(node, {"after_graduation_months"}, ("after_graduation_months",))
    months: list[int] = []
    for entry in reader.sequence(fields["after_graduation_months"], "after_graduation_months"):
        value = reader.integer(entry, "a number of months", 1, 120)
        if value in months:
            reader.fail(entry, f"month {value} is listed twice")
        months.append(value)
    return tuple(sorted(months))


def parse_survey(text: str, source: str) -> Survey:
    """Check and build one survey from the text of its file; ``source`` names it in errors."""
    reader = Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise SurveyError(f"{source}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise SurveyError(f"{source}: not valid YAML: {exc}") from None
    if root is None:
        raise SurveyError(f"{source}: the file is empty")
    fields = reader.mapping(
        root, {"id", "title", "intro", "campaign", "placement", "questions"}, ("id", "title", "intro", "questions")
    )
    survey_id = reader.scalar(fields["id"], "the survey id")
    if not _SURVEY_ID.match(survey_id):
        reader.fail(fields["id"], f"survey id '{survey_id}' must be 1-40 lowercase letters, digits or '-'")
    title = reader.text(fields["title"], "the title")
    intro = reader.text(fields["intro"], "the introduction")
    entries = reader.sequence(fields["questions"], "questions")
    ids_at: dict[str, int] = {}
    for entry in entries:  # every id first, so a rule naming a later question says so
        id_node = _field_node(entry, "id")
        if id_node is not None:
            qid = str(id_node.value).strip()
            if qid in ids_at:
                reader.question = qid
                reader.fail(id_node, f"question id '{qid}' is used twice (first on line {ids_at[qid]})")
            ids_at[qid] = id_node.start_mark.line + 1
    earlier: dict[str, Question] = {}
    for entry in entries:
        question = _question(reader, entry, earlier, set(ids_at) - set(earlier))
        earlier[question.id] = question
    reader.question = None
    campaign = _campaign(reader, fields["campaign"]) if "campaign" in fields else ()
    placement = (
        _conditions(reader, fields["placement"], earlier, set(), "the placement rule") if "placement" in fields else ()
    )
    return Survey(survey_id, title, intro, tuple(earlier.values()), source, campaign, placement)


def load_directory(directory: Path) -> Catalogue:
    """Every ``*.yaml`` survey in the folder; any mistake fails the whole load."""
    if not directory.is_dir():
        raise SurveyError(f"the survey folder {directory} does not exist (SURVEY_DIR)")
    surveys: dict[str, Survey] = {}
    for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
        source = f"{directory.name}/{path.name}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SurveyError(f"{source}: cannot be read: {exc}") from None
        survey = parse_survey(text, source)
        if survey.id in surveys:
            raise SurveyError(f"{source}: survey id '{survey.id}' is already used by {surveys[survey.id].source}")
        surveys[survey.id] = survey
    return Catalogue(surveys)


@functools.lru_cache(maxsize=8)
def catalogue_for(directory: Path) -> Catalogue:
    """The surveys of a folder, read once per process (like the programme catalogue, at start-up)."""
    return load_directory(directory)
