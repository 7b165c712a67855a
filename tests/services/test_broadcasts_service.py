"""The broadcast service holds the rules for the chat's /broadcast and the console alike."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from bot.services import broadcasts as broadcast_service
from bot.services import openings as opening_service
from bot.services.broadcasts import BroadcastRefused
from bot.services.staff import Role
from storage import audit as audit_store
from storage import broadcasts, outbox
from storage.audit import AuditFilter
from storage.segments import Segment
from tests.support.chat import Chat
from tests.support.console import client, confirmation, make_account, signed_in
from tests.support.forms import choose_language
from tests.support.openings import add_opening, add_person

TEXT = "The job fair is on Friday."


async def _start(runtime: Runtime, **kwargs: object) -> broadcasts.Broadcast:
    values: dict[str, object] = {"segment": Segment("everyone"), "opening": None, "text": TEXT} | kwargs
    async with runtime.db.transaction() as tx:
        return await broadcast_service.start(
            tx,
            sender=None,
            staff_id=None,
            settings=runtime.settings,
            now=runtime.clock.now(),
            **values,  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("text", ["x", "y" * 3501])
async def test_a_text_too_short_or_too_long_is_refused(runtime: Runtime, text: str) -> None:
    await add_person(runtime, "7001", alerts_on=True)
    with pytest.raises(BroadcastRefused) as refused:
        await _start(runtime, text=text)
    assert refused.value.code == "text"


async def test_an_empty_group_and_a_closed_opening_are_refused(runtime: Runtime) -> None:
    with pytest.raises(BroadcastRefused) as empty:
        await _start(runtime)
    await add_person(runtime, "7001", alerts_on=True)
    opening = await add_opening(runtime)
    async with runtime.db.transaction() as tx:
        await opening_service.close(tx, opening.id, runtime.clock.now())
        nothing_sent = await broadcasts.get(tx, 1)
    with pytest.raises(BroadcastRefused) as gone:
        await _start(runtime, opening=opening, text=None)
    assert (empty.value.code, gone.value.code, nothing_sent) == ("empty", "closed", None)
    async with runtime.db.reading() as conn:
        assert await outbox.counts(conn, broadcasts.recipients_ref(1)) == {}


async def test_the_chat_and_the_console_queue_the_same_broadcast(runtime: Runtime) -> None:
    for chat_id in ("7001", "7002"):
        await add_person(runtime, chat_id, alerts_on=True)
    await add_person(runtime, "7003", alerts_on=True, tracks=("web",))
    staff = Chat(runtime, "999")
    await choose_language(staff)
    await staff.send("/broadcast")
    await staff.press("A message I write")
    await staff.send(TEXT)
    await staff.press("Alerts for one track")
    await staff.press("Networks")
    await staff.press("Send to 2 people")
    await make_account(runtime, Role.COORDINATOR)
    form = {
        "segment": "track",
        "track": "networks",
        "content": "text",
        "text": TEXT,
        "expected": "2",
        "confirmation": confirmation(),
    }
    async with client(runtime) as http:
        csrf = await signed_in(http, "coordinator@example.org")
        assert (await http.post("/broadcasts/send", data={**form, "csrf": csrf})).status_code == 303
    async with runtime.db.reading() as conn:
        chat, console = await broadcasts.get(conn, 1), await broadcasts.get(conn, 2)
        rows = [
            [
                r[0]
                for r in await conn.execute_fetchall(
                    "SELECT chat_id FROM outbox WHERE ref = ? ORDER BY chat_id", (broadcasts.recipients_ref(n),)
                )
            ]
            for n in (1, 2)
        ]
        entries = await audit_store.search(conn, AuditFilter(action="broadcast.send"))
    assert chat is not None and console is not None
    assert (chat.segment, chat.text, chat.recipients) == (console.segment, console.text, console.recipients)
    assert rows[0] == rows[1] == ["7001", "7002"]
    assert sorted(e.detail["recipients"] for e in entries) == [2, 2]  # type: ignore[index]
    assert chat.created_by is not None and console.created_by is None  # the chat's sender gets the progress message
