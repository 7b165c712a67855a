"""No button label is longer than 24 characters, in any language.

24 characters is what the narrowest chat list rows (and a phone's inline keyboard
with two buttons a row) show without cutting the end off, and the end is often
the part that tells two buttons apart. The labels are measured as the bot sends
them: the catalog texts used on buttons (found in the source), the data shown on
buttons (programmes, survey answers, municipalities, tracks, languages), and every
button a person meets going through the main flows in each language.
"""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from bot.i18n import LANGUAGES, _, ngettext, pgettext, use_language
from bot.reference.municipalities import Municipalities
from bot.reference.programmes import read_programmes
from bot.reference.texts import programme_button
from bot.runtime import Runtime
from bot.surveys.definition import QuestionType
from bot.surveys.loader import load_directory
from storage.programmes import Programme
from tests.support.buttons import catalog_button_texts
from tests.support.chat import Chat

LIMIT = 24
TICK = "✓ "  # multiple-choice and current-choice buttons carry it in front
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _too_long(labels: dict[str, str]) -> list[str]:
    return [f"{where}: {label!r} ({len(label)})" for where, label in labels.items() if len(label) > LIMIT]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_catalog_button_texts_fit(language: str) -> None:
    texts = catalog_button_texts()
    assert len(texts) > 100  # the source scan found the buttons
    labels = {}
    with use_language(language):
        for text in texts:
            if text.plural is not None:
                shown = ngettext(text.singular, text.plural, 999)
            elif text.context is not None:
                shown = pgettext(text.context, text.singular)
            else:
                shown = _(text.singular)
            # A count is measured at three digits; any other placeholder is not a button's business.
            labels[f"{text.where} {text.singular!r}"] = PLACEHOLDER.sub("999", shown)
    assert _too_long(labels) == []


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_data_shown_on_buttons_fits(language: str, settings: Settings) -> None:
    labels = {}
    records = read_programmes(settings.programmes_file)
    with use_language(language):
        for position, r in enumerate(records):
            programme = Programme(
                position,
                r.code,
                r.kind,
                {"sq": r.title_sq, "sr": r.title_sr, "en": r.title_en},
                r.is_open,
                position,
                {"sq": r.short_sq, "sr": r.short_sr, "en": r.short_en},
            )
            labels[f"programme {r.code}"] = programme_button(programme)
        for survey in load_directory(settings.survey_dir).surveys.values():
            for question in survey.questions:
                labels[f"{survey.id}/{question.id} label"] = question.label.get()
                tick = TICK if question.type == QuestionType.MULTIPLE_CHOICE else ""
                for choice in question.choices:
                    labels[f"{survey.id}/{question.id}/{choice.key}"] = tick + choice.button()
        for code, lang in LANGUAGES.items():
            labels[f"language {code}"] = TICK + lang.native_name
    assert _too_long(labels) == []


def test_municipality_names_fit() -> None:
    too_long = {
        f"{m.key} ({code})": m.name(code)
        for m in Municipalities.load().all()
        for code in LANGUAGES
        if len(m.name(code)) > LIMIT
    }
    assert too_long == {}


def test_programme_buttons_use_the_short_title_and_texts_the_full_one(settings: Settings) -> None:
    record = next(r for r in read_programmes(settings.programmes_file) if r.code == "pro2y-software")
    assert record.short_sq == "Softuer (2 vjet)" and record.title_sq.startswith("Program profesional dyvjeçar")


async def _walk(chat: Chat, language: str) -> None:
    """A person's way through the bot in one language, pressing buttons by their keys."""
    await chat.send("/start")
    await chat.press(language)
    for command in ("/help", "/jobs", "/alerts", "/status", "/language"):
        await chat.send(command)
    await chat.press(language)
    await chat.send("/apply")
    await chat.press("pro2y-software")
    await chat.send("Jane Doe")
    await chat.send("15.03.2004")
    await chat.press("female")
    await chat.press("_next")  # page the municipality buttons
    await chat.send("Prishtina")
    await chat.send("044 123 456")
    await chat.send("jane@example.com")
    await chat.press("secondary")
    await chat.press("unemployed")
    await chat.send("I want to become a software developer.")
    await chat.press("social_media")
    await chat.press("yes")
    await chat.press("edit")
    await chat.press("_summary")
    await chat.press("submit")
    await chat.send("/forget")


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_every_button_met_in_the_main_flows_fits(runtime: Runtime, language: str) -> None:
    chat = Chat(runtime, user_id=f"77{len(language)}{language}")
    await _walk(chat, language)
    labels = {f"{reply.text[:40]!r} → {o.key}": o.label for reply in chat.history for o in reply.options}
    assert len(labels) > 40  # the walk met the programme, form, summary and menu buttons
    assert _too_long(labels) == []
