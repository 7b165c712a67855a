"""Chat staff commands follow the linked console account's role; /web sends a one-time sign-in link."""

from __future__ import annotations

from dataclasses import replace

from bot.i18n import gettext, use_language
from bot.runtime import Runtime
from bot.services import staff
from bot.services.staff import Role
from tests.support.chat import Chat

ONLY_STAFF = "Sorry, this command is only for the programme's staff."


async def linked(runtime: Runtime, role: Role, telegram_id: int) -> int:
    async with runtime.db.transaction() as tx:
        member, _ = await staff.add(tx, email=f"{role.value}@example.org", name="S", role=role, now=runtime.clock.now())
        await staff.link_chat(tx, member.id, telegram_id=telegram_id, viber_id=None, now=runtime.clock.now())
    return member.id


async def english(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("English")


async def test_a_linked_viewer_cannot_broadcast_but_a_coordinator_can(runtime: Runtime) -> None:
    await linked(runtime, Role.VIEWER, 5001)
    await linked(runtime, Role.COORDINATOR, 5002)
    viewer, coordinator = Chat(runtime, "5001"), Chat(runtime, "5002")
    await english(viewer)
    await english(coordinator)
    await viewer.send("/broadcast")
    assert viewer.text() == ONLY_STAFF
    await coordinator.send("/broadcast")
    assert coordinator.text() != ONLY_STAFF


async def test_a_disabled_account_loses_its_chat_role(runtime: Runtime) -> None:
    staff_id = await linked(runtime, Role.COORDINATOR, 5003)
    chat = Chat(runtime, "5003")
    await english(chat)
    async with runtime.db.transaction() as tx:
        await staff.set_disabled(tx, staff_id, True, now=runtime.clock.now())
    await chat.send("/broadcast")
    assert chat.text() == ONLY_STAFF


async def test_web_sends_a_one_time_sign_in_link(runtime: Runtime) -> None:
    await linked(runtime, Role.VIEWER, 5004)
    chat = Chat(runtime, "5004")
    await english(chat)
    await chat.send("/web")
    with use_language("en"):
        assert chat.text() == gettext("The staff console is not set up on this bot.")
    runtime.engine.settings = replace(runtime.settings, web_base_url="https://console.example.org")
    await chat.send("/web")
    assert "https://console.example.org/link/" in chat.text()
    unlinked = Chat(runtime, "5005")
    await english(unlinked)
    await unlinked.send("/web")
    assert unlinked.text() == ONLY_STAFF
