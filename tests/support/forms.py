"""Answering the application form in tests, the way a person would."""

from __future__ import annotations

from tests.support.chat import Chat

ANSWERS_EN = {
    "full_name": "Jane Doe",
    "birth_date": "15.03.2004",
    "gender": "Female",
    "municipality": "Prishtina",
    "phone": "044 123 456",
    "email": "jane@example.com",
    "education": "Secondary school",
    "employment": "Looking for work",
    "motivation": "I want to become a software developer.",
    "heard_from": "Social media",
}


async def choose_language(chat: Chat, label: str = "English") -> None:
    await chat.send("/start")
    await chat.press(label)


async def answer_until_consent(chat: Chat, programme_key: str = "pro2y-software") -> None:
    """From a fresh /apply up to the consent question, all in English, all valid."""
    await chat.send("/apply")
    await chat.press(programme_key)
    await chat.send(ANSWERS_EN["full_name"])
    await chat.send(ANSWERS_EN["birth_date"])
    await chat.press(ANSWERS_EN["gender"])
    await chat.send(ANSWERS_EN["municipality"])
    await chat.send(ANSWERS_EN["phone"])
    await chat.send(ANSWERS_EN["email"])
    await chat.press(ANSWERS_EN["education"])
    await chat.press(ANSWERS_EN["employment"])
    await chat.send(ANSWERS_EN["motivation"])
    if any(o.key == "social_media" for o in chat.prompt().options):
        await chat.press(ANSWERS_EN["heard_from"])


async def submit_application(chat: Chat, programme_key: str = "pro2y-software") -> str:
    """Complete and submit; return the reference number."""
    await answer_until_consent(chat, programme_key)
    await chat.press("yes")
    await chat.press("submit")
    text = chat.text()
    assert "reference number is" in text, text
    return text.split("reference number is ", 1)[1].split(".", 1)[0]
