"""``youthbot cohort create`` and the console's "new cohort" are one service: the same rules, audited."""

from __future__ import annotations

import pytest

from bot.cli.training import AdminError, cohort_create
from bot.runtime import Runtime
from storage import audit as audit_store
from storage import cohorts
from storage.audit import AuditFilter
from tests.support.console import Signed


async def test_the_command_and_the_console_share_the_rules_and_the_audit(runtime: Runtime, coordinator: Signed) -> None:
    said = await cohort_create(runtime.settings, "web-2027-1", "pro2y-software", "Web 2027/1", "2027-03-01", None)
    assert said == "cohort web-2027-1 created for pro2y-software"
    with pytest.raises(AdminError, match="already exists"):
        await cohort_create(runtime.settings, "web-2027-1", "pro2y-software", "Again", None, None)
    with pytest.raises(AdminError, match="must be 1-40 letters"):
        await cohort_create(runtime.settings, "web 2027", "pro2y-software", "Spaces", None, None)
    with pytest.raises(AdminError, match="--graduates is before --starts"):
        await cohort_create(runtime.settings, "web-b", "pro2y-software", "B", "2027-03-01", "2027-01-01")
    taken = await coordinator.http.post(
        "/cohorts", data={"csrf": coordinator.csrf, "programme": "1", "code": "web-2027-1", "name": "Twin"}
    )
    assert taken.status_code == 400
    made = await coordinator.http.post(
        "/cohorts", data={"csrf": coordinator.csrf, "programme": "1", "code": "web-2027-2", "name": "Web 2027/2"}
    )
    assert made.status_code == 303
    async with runtime.db.reading() as conn:
        entries = await audit_store.search(conn, AuditFilter(action="cohort.create"))
        assert sorted(c.code for c in await cohorts.list_all(conn)) == ["web-2027-1", "web-2027-2"]
    assert {e.staff_id for e in entries} == {None, coordinator.staff_id}
