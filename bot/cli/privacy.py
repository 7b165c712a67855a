"""``youthbot retention [--dry-run]``: apply RETENTION_MONTHS now, or say what it would do."""

from __future__ import annotations

from bot.clock import SystemClock
from bot.config import Settings
from bot.services import retention
from storage import Database, StorageError


async def retention_command(settings: Settings, *, dry_run: bool) -> int:
    if not settings.database_path.exists():
        raise StorageError(f"no database at {settings.database_path} (DATABASE_PATH)")
    now = SystemClock().now()
    async with Database(settings.database_path) as db:
        if dry_run:
            async with db.reading() as conn:
                done = await retention.plan(conn, settings, now)
        else:
            async with db.transaction() as tx:
                done = await retention.apply(tx, settings, now)
    verb = "would be" if dry_run else "were"
    print(f"Retention: {settings.retention_months} months, everything older than {done.before:%Y-%m-%d %H:%M} UTC.")
    print(f"{done.applications} application(s) never accepted {verb} anonymised.")
    print(f"{done.former_trainees} former trainee(s) and graduate(s) {verb} erased (their counts stay).")
    print(f"{done.conversations} conversation(s) and {done.messages} sent message(s) {verb} deleted.")
    print(f"{done.dormant_accounts} account(s) with no activity in that time {verb} erased.")
    return 0
