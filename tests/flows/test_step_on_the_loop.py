"""A person's steps run their statements on the event loop's thread (storage.connection):
a whole application goes through with no trip to the database thread, and all of it is stored."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from storage import applications, conversations, users
from tests.support.chat import Chat
from tests.support.forms import choose_language, submit_application
from tests.support.trips import count_trips


async def test_a_whole_application_makes_no_trip_to_the_database_thread(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = count_trips(monkeypatch)
    chat = Chat(runtime)
    await choose_language(chat)
    reference = await submit_application(chat)
    assert trips == []
    monkeypatch.undo()
    async with runtime.db.reading() as conn:
        user = await users.find(conn, chat.channel, chat.user_id)
        assert user is not None and user.language == "en"
        assert await conversations.load(conn, user.id) is None  # the form is done
        mine = await applications.for_user(conn, user.id)
    assert [a.reference for a in mine] == [reference]
