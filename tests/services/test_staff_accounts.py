"""Staff accounts: one-time links, passwords, lock-out, sessions, and the audit trail of each."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.runtime import Runtime
from bot.services import staff
from bot.services.staff import Locked, Role, StaffError
from storage import audit as audit_store
from storage import staff as staff_store
from storage.audit import AuditFilter


async def test_set_password_link_works_once_and_for_a_day(runtime: Runtime, clock: ManualClock) -> None:
    async with runtime.db.transaction() as tx:
        member, token = await staff.add(
            tx, email=" Ana@Example.org ", name="Ana", role=Role.COORDINATOR, now=clock.now()
        )
    assert member.email == "ana@example.org"
    clock.advance(timedelta(hours=23))
    async with runtime.db.transaction() as tx:
        with pytest.raises(StaffError) as short:
            await staff.set_password(tx, token, "short", now=clock.now())
        assert short.value.code == "short"
        await staff.set_password(tx, token, "a long enough secret", now=clock.now())
        with pytest.raises(StaffError):
            await staff.set_password(tx, token, "another long secret", now=clock.now())
        found = await staff.authenticate(tx, "ANA@example.org", "a long enough secret", "1.2.3.4", now=clock.now())
    assert found == member

    async with runtime.db.transaction() as tx:
        late = await staff.reset(tx, member.id, now=clock.now())
    clock.advance(timedelta(hours=24, seconds=1))
    async with runtime.db.transaction() as tx:
        with pytest.raises(StaffError) as expired:
            await staff.set_password(tx, late, "a long enough secret", now=clock.now())
    assert expired.value.code == "token"


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(runtime: Runtime, clock: ManualClock) -> None:
    async with runtime.db.transaction() as tx:
        member, token = await staff.add(tx, email="b@example.org", name="B", role=Role.VIEWER, now=clock.now())
        await staff.set_password(tx, token, "correct horse battery", now=clock.now())
        for _ in range(5):
            assert await staff.authenticate(tx, "b@example.org", "wrong", f"10.0.0.{_}", now=clock.now()) is None
        locked = await staff.authenticate(tx, "b@example.org", "correct horse battery", "10.9.9.9", now=clock.now())
    assert isinstance(locked, Locked)
    assert locked.until == clock.now() + timedelta(minutes=15)
    clock.advance(timedelta(minutes=15, seconds=1))
    async with runtime.db.transaction() as tx:
        assert (
            await staff.authenticate(tx, "b@example.org", "correct horse battery", "10.9.9.9", now=clock.now())
            == member
        )
        entries = await audit_store.search(tx, AuditFilter(action="auth.sign_in_failed"))
    assert len(entries) == 5


async def test_wrong_passwords_from_one_address_lock_that_address(runtime: Runtime, clock: ManualClock) -> None:
    async with runtime.db.transaction() as tx:
        for n in range(5):
            await staff.authenticate(tx, f"nobody{n}@example.org", "x", "10.1.1.1", now=clock.now())
        assert isinstance(await staff.authenticate(tx, "other@example.org", "x", "10.1.1.1", now=clock.now()), Locked)
        assert await staff.authenticate(tx, "other@example.org", "x", "10.1.1.2", now=clock.now()) is None


async def test_disabling_ends_every_session(runtime: Runtime, clock: ManualClock) -> None:
    async with runtime.db.transaction() as tx:
        member, _ = await staff.add(tx, email="c@example.org", name="C", role=Role.ADMIN, now=clock.now())
        first = await staff.open_session(tx, member.id, now=clock.now())
        second = await staff.open_session(tx, member.id, now=clock.now())
        assert await staff_store.find_session(tx, first, clock.now()) is not None
        assert await staff.set_disabled(tx, member.id, True, now=clock.now()) == 2
        assert await staff_store.find_session(tx, first, clock.now()) is None
        assert await staff_store.find_session(tx, second, clock.now()) is None
        assert await staff.set_disabled(tx, member.id, False, now=clock.now()) == 0
        assert await staff_store.find_session(tx, second, clock.now()) is None


async def test_chat_sign_in_link_is_single_use_and_short_lived(runtime: Runtime, clock: ManualClock) -> None:
    async with runtime.db.transaction() as tx:
        member, _ = await staff.add(tx, email="d@example.org", name="D", role=Role.COORDINATOR, now=clock.now())
        await staff.link_chat(tx, member.id, telegram_id=4242, viber_id=None, now=clock.now())
        assert (await staff.chat_role(tx, "telegram", "4242"))[1] is Role.COORDINATOR
        token = await staff.issue_sign_in_link(tx, member.id, now=clock.now())
        assert await staff.use_sign_in_link(tx, token, now=clock.now()) is not None
        assert await staff.use_sign_in_link(tx, token, now=clock.now()) is None
        late = await staff.issue_sign_in_link(tx, member.id, now=clock.now())
    clock.advance(timedelta(minutes=10, seconds=1))
    async with runtime.db.transaction() as tx:
        assert await staff.use_sign_in_link(tx, late, now=clock.now()) is None


async def test_the_audit_trail_cannot_be_changed(runtime: Runtime, clock: ManualClock) -> None:
    async with runtime.db.transaction() as tx:
        await staff.add(tx, email="e@example.org", name="E", role=Role.VIEWER, now=clock.now())
    for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="audit trail"):
            async with runtime.db.transaction() as tx:
                await tx.execute(sql)
    async with runtime.db.reading() as conn:
        assert [e.action for e in await audit_store.search(conn, AuditFilter())] == ["staff.add"]
