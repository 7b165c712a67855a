"""The storage layer against a real SQLite file."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Database, conversations, outbox, updates, users
from storage.conversations import ConversationState
from storage.db import CHECKPOINT_PAGES, migration_files

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Database(path) as db:
        async with db.reading() as conn:
            async with conn.execute("SELECT version FROM schema_migrations ORDER BY version") as cur:
                versions = [row[0] for row in await cur.fetchall()]
        assert versions == [v for v, _, _ in migration_files()]
        assert await db.migrate() == []  # nothing left to apply
    async with Database(path) as db:  # reopening applies nothing twice
        assert await db.migrate() == []


async def test_wal_foreign_keys_and_private_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "db.sqlite3"
    async with Database(path) as db:
        async with db.reading() as conn:
            async with conn.execute("PRAGMA journal_mode") as cur:
                assert (await cur.fetchone())[0] == "wal"
            async with conn.execute("PRAGMA foreign_keys") as cur:
                assert (await cur.fetchone())[0] == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


async def test_the_log_is_copied_into_the_file_after_checkpoint_pages_not_sqlites_thousand(tmp_path: Path) -> None:
    """Commits on the event loop's thread wait for a checkpoint's two fsyncs, so they come every
    CHECKPOINT_PAGES pages of the log (storage.db), not SQLite's default 1,000."""
    path = tmp_path / "db.sqlite3"
    page = 4096
    async with Database(path) as db:
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE scratch (b BLOB)")
        wal = Path(f"{path}-wal")
        start = wal.stat().st_size // page
        for _ in range(40):  # 40 commits of about 50 pages each: 2,000 pages
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO scratch VALUES (?)", (bytes(50 * page),))
        pages = wal.stat().st_size // page - start
        # Checkpointed at 1,000 pages, the log would start over and stay near that size.
        assert 1900 <= pages < CHECKPOINT_PAGES


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        with pytest.raises(Exception, match="FOREIGN KEY"):
            async with db.transaction() as tx:
                conversations.save(tx, 12345, ConversationState("apply", "x", token="t"), NOW)


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await users.get_or_create(tx, "telegram", "1", "1", "A", NOW)
                raise RuntimeError("boom")
        async with db.reading() as conn:
            assert await users.find(conn, "telegram", "1") is None


async def test_many_concurrent_writers_never_see_locked(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:

        async def one_user(n: int) -> None:
            for step in range(5):
                async with db.transaction() as tx:
                    user, _ = await users.get_or_create(tx, "telegram", str(n), str(n), None, NOW)
                    conversations.save(
                        tx,
                        user.id,
                        ConversationState("apply", f"s{step}", token="t", answers={"n": n, "step": step}),
                        NOW,
                    )

        await asyncio.gather(*(one_user(n) for n in range(300)))
        async with db.reading() as conn:
            assert await conversations.count_active(conn) == 300
            user = await users.find(conn, "telegram", "123")
            state = await conversations.load(conn, user.id)
        assert state.answers == {"n": 123, "step": 4}


async def test_second_process_waits_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Database(path) as first, Database(path) as second:
        async with first.transaction() as tx:
            await users.get_or_create(tx, "telegram", "1", "1", None, NOW)
            # the other connection blocks on busy_timeout until this commits
            pending = asyncio.create_task(_create(second, "2"))
            await asyncio.sleep(0.05)
            assert not pending.done()
        await pending
        async with second.reading() as conn:
            assert await users.find(conn, "telegram", "2") is not None


async def _create(db: Database, pid: str) -> None:
    async with db.transaction() as tx:
        await users.get_or_create(tx, "telegram", pid, pid, None, NOW)


async def test_update_claim_is_once(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        async with db.transaction() as tx:
            assert await updates.claim(tx, "telegram", "42", NOW)
            assert not await updates.claim(tx, "telegram", "42", NOW)
            assert await updates.claim(tx, "viber", "42", NOW)


async def test_outbox_rows_cut_off_mid_send_are_never_sent_again(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        async with db.transaction() as tx:
            first = await outbox.enqueue(
                tx, channel="telegram", chat_id="5", user_id=None, kind="staff_notice", payload={"text": "hi"}, now=NOW
            )
            await outbox.enqueue(
                tx, channel="telegram", chat_id="6", user_id=None, kind="staff_notice", payload={"text": "hi"}, now=NOW
            )
            assert await outbox.mark_sending(tx, first)
            assert not await outbox.mark_sending(tx, first)  # taken once only
        async with db.transaction() as tx:
            assert await outbox.interrupt_unfinished(tx) == 1
            due = await outbox.due(tx, ["telegram"], NOW, 10)
        assert [i.chat_id for i in due] == ["6"]
        async with db.reading() as conn:
            assert await outbox.counts(conn) == {"interrupted": 1, "pending": 1}


async def test_outbox_dedup_key_plans_once(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        async with db.transaction() as tx:
            key = "reminder:1:2:86400"
            assert await outbox.enqueue(
                tx, channel="telegram", chat_id="5", user_id=None, kind="reminder", payload={}, now=NOW, dedup_key=key
            )
            assert (
                await outbox.enqueue(
                    tx,
                    channel="telegram",
                    chat_id="5",
                    user_id=None,
                    kind="reminder",
                    payload={},
                    now=NOW,
                    dedup_key=key,
                )
                is None
            )
            messages = [
                outbox.NewMessage("telegram", str(n), None, "broadcast", {"text": "x"}, ref="b:1", dedup_key=f"b:1:{n}")
                for n in range(3)
            ]
            assert await outbox.enqueue_many(tx, messages, NOW) == 3
            assert await outbox.enqueue_many(tx, messages, NOW) == 0
            assert await outbox.cancel_pending(tx, "b:1") == 3


async def test_text_is_stored_verbatim(tmp_path: Path) -> None:
    tricky = "Robert'); DROP TABLE users;-- 😀 Приштина \x00?"
    async with Database(tmp_path / "db.sqlite3") as db:
        async with db.transaction() as tx:
            user, _ = await users.get_or_create(tx, "telegram", "7", "7", tricky, NOW)
            conversations.save(tx, user.id, ConversationState("apply", "s", token="t", answers={"x": tricky}), NOW)
        async with db.reading() as conn:
            user = await users.find(conn, "telegram", "7")
            state = await conversations.load(conn, user.id)
    assert user.display_name == tricky and state.answers["x"] == tricky


async def test_cohorts_and_enrolment(tmp_path: Path) -> None:
    from storage import applications, cohorts, programmes
    from storage.programmes import ProgrammeRecord

    async with Database(tmp_path / "db.sqlite3") as db:
        async with db.transaction() as tx:
            await programmes.sync(tx, [ProgrammeRecord("web", "certification", "Ueb", "Веб", "Web", True)])
            programme = await programmes.by_code(tx, "web")
            user, _ = await users.get_or_create(tx, "telegram", "1", "1", None, NOW)
            app = await applications.submit(
                tx,
                applications.NewApplication(
                    user.id,
                    programme.id,
                    "Jane Doe",
                    "2004-03-15",
                    "female",
                    "prishtine",
                    "+38344123456",
                    None,
                    "secondary",
                    "unemployed",
                    "Because.",
                    None,
                    None,
                    "en",
                    NOW,
                    applied_on=NOW.date(),
                ),
                NOW,
            )
            cohort = await cohorts.create(tx, programme.id, "web-2027-1", "Web 2027/1", NOW)
            enrolment = await cohorts.enrol(tx, cohort.id, app.id, NOW)
            assert enrolment is not None and enrolment.user_id == user.id
            assert await cohorts.enrol(tx, cohort.id, app.id, NOW) is None
            (again,) = await applications.for_user(tx, user.id)
            assert again.status == "accepted"
            assert await cohorts.complete(tx, cohort.id, NOW) == 1
            assert [e.application_id for e in await cohorts.enrolments_of(tx, cohort.id, "completed")] == [app.id]


async def test_a_transaction_left_open_by_a_cancelled_task_is_dropped(tmp_path: Path) -> None:
    async with Database(tmp_path / "db.sqlite3") as db:
        await db.conn.execute("BEGIN IMMEDIATE")  # as if the task was cancelled right after its BEGIN
        await db.conn.execute(
            "INSERT INTO handled_updates VALUES ('telegram', 'half-done', '2026-01-01T00:00:00.000000Z')"
        )
        async with db.transaction() as tx:
            assert await updates.claim(tx, "telegram", "next", NOW)
        async with db.reading() as conn:
            async with conn.execute("SELECT update_key FROM handled_updates") as cur:
                assert [row[0] for row in await cur.fetchall()] == ["next"]


async def test_old_handled_update_records_are_pruned_at_start_up(settings, clock) -> None:
    from datetime import timedelta

    from bot.runtime import open_runtime

    async with open_runtime(settings, clock=clock) as runtime, runtime.db.transaction() as tx:
        assert await updates.claim(tx, "telegram", "old", clock.now() - timedelta(days=3))
        assert await updates.claim(tx, "telegram", "recent", clock.now() - timedelta(hours=1))
    async with open_runtime(settings, clock=clock) as runtime, runtime.db.transaction() as tx:
        assert await updates.claim(tx, "telegram", "old", clock.now())  # forgotten: claimable again
        assert not await updates.claim(tx, "telegram", "recent", clock.now())  # still remembered
