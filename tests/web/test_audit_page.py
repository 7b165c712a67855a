"""The audit trail page: filters by staff member, action and local dates, paging, and the export of the same filter."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from bot.runtime import Runtime
from bot.services import audit
from bot.services.staff import Role
from storage import audit as audit_store
from storage.audit import AuditFilter
from tests.support.console import client, make_account, sign_in


async def record(runtime: Runtime, staff_id: int | None, action: str, at: datetime, target: str = "1") -> None:
    async with runtime.db.transaction() as tx:
        await audit.record(tx, staff_id=staff_id, action=action, target_kind="x", target_id=target, now=at)


def rows_of(html: str) -> list[tuple[str, str]]:
    """(staff e-mail, action) of each row of the table."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", body)


async def seed(runtime: Runtime) -> tuple[int, int]:
    admin = await make_account(runtime, Role.ADMIN)
    other = await make_account(runtime, Role.COORDINATOR)
    # Belgrade is UTC+1 in November: 23:30 UTC on the 25th is already the 26th there.
    await record(runtime, other, "decision.accept", datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await record(runtime, other, "decision.reject", datetime(2026, 11, 25, 22, 30, tzinfo=UTC))
    await record(runtime, other, "decision.accept", datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
    await record(runtime, admin, "decision.accept", datetime(2026, 11, 26, 22, 59, tzinfo=UTC))
    await record(runtime, admin, "decision.accept", datetime(2026, 11, 26, 23, 0, tzinfo=UTC))
    return admin, other


async def test_filters_by_staff_member_action_and_local_dates(runtime: Runtime) -> None:
    admin, other = await seed(runtime)
    async with client(runtime) as http:
        await sign_in(http, "admin@example.org")

        async def shown(**params: str) -> list[tuple[str, str]]:
            return [r for r in rows_of((await http.get("/audit", params=params)).text) if r[1].startswith("decision.")]

        page = (await http.get("/audit")).text
        assert f'<option value="{other}">Coordinator Staff (coordinator@example.org)</option>' in page
        assert len(await shown(staff=str(other))) == 3
        assert await shown(staff=str(other), action="decision.reject") == [
            ("coordinator@example.org", "decision.reject")
        ]
        # The 26th in Belgrade: from 23:00 UTC on the 25th to 23:00 UTC on the 26th.
        on_the_26th = await shown(**{"from": "2026-11-26", "to": "2026-11-26"})
        assert on_the_26th == [("admin@example.org", "decision.accept"), ("coordinator@example.org", "decision.accept")]
        assert len(await shown(**{"from": "2026-11-25", "to": "2026-11-25"})) == 1
        assert len(await shown(**{"to": "2026-11-25"})) == 2
        assert len(await shown(action="decision.accept", **{"from": "2026-11-27"})) == 1
        assert len(await shown(**{"from": "not a date"})) == 5  # unreadable dates are ignored
        assert 'value="2026-11-26"' in (await http.get("/audit", params={"from": "2026-11-26"})).text
    del admin


async def test_the_page_shows_times_in_the_programme_zone(runtime: Runtime) -> None:
    await seed(runtime)
    async with client(runtime) as http:
        await sign_in(http, "admin@example.org")
        page = (await http.get("/audit", params={"action": "decision.reject"})).text
    assert "25/11/2026, 23:30" in page  # 22:30 UTC


async def test_fifty_entries_a_page(runtime: Runtime) -> None:
    admin = await make_account(runtime, Role.ADMIN)
    for n in range(60):
        await record(runtime, admin, "note.add", datetime(2026, 11, 1, 8, n, tzinfo=UTC), target=str(n))
    async with client(runtime) as http:
        await sign_in(http, "admin@example.org")
        first = (await http.get("/audit", params={"action": "note.add"})).text
        second = (await http.get("/audit", params={"action": "note.add", "page": "2"})).text
        beyond = (await http.get("/audit", params={"action": "note.add", "page": "9"})).text
        huge = await http.get("/audit", params={"action": "note.add", "page": "9" * 30})
    assert huge.status_code == 200 and "Page 1 of 2" in huge.text
    assert len(rows_of(first)) == 50 and len(rows_of(second)) == 10
    assert "60 entries" in first and "Page 1 of 2" in first
    assert 'href="/audit?action=note.add&amp;page=2"' in first
    assert "x 59" in first and "x 9" in second and "x 10" not in second
    assert "Page 2 of 2" in beyond  # a page past the end shows the last one


async def test_the_export_honours_the_filter_and_records_it(runtime: Runtime) -> None:
    admin, other = await seed(runtime)
    async with client(runtime) as http:
        await sign_in(http, "admin@example.org")
        page = (await http.get("/audit", params={"staff": str(other), "from": "2026-11-25", "to": "2026-11-26"})).text
        link = re.search(r'href="(/audit\.csv[^"]*)"', page)
        assert link is not None
        export = await http.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text.removeprefix("\ufeff"))))
    assert rows[0] == ["at", "staff", "action", "target_kind", "target_id", "detail"]
    assert [(r[1], r[2]) for r in rows[1:]] == [
        ("coordinator@example.org", "decision.accept"),
        ("coordinator@example.org", "decision.reject"),
    ]
    async with runtime.db.reading() as conn:
        [entry] = await audit_store.search(conn, AuditFilter(action="audit.export"))
    assert entry.staff_id == admin
    assert dict(entry.detail) == {"staff": other, "action": None, "from": "2026-11-25", "to": "2026-11-26", "rows": 2}


async def test_a_coordinator_cannot_read_or_export_the_trail(runtime: Runtime) -> None:
    await seed(runtime)
    async with client(runtime) as http:
        await sign_in(http, "coordinator@example.org")
        assert (await http.get("/audit")).status_code == 403
        assert (await http.get("/audit.csv")).status_code == 403
    async with runtime.db.reading() as conn:
        assert await audit_store.search(conn, AuditFilter(action="audit.export")) == []
