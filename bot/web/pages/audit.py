"""The audit trail for admins: read, filter and export, never edit.

The filter (staff member, action, a date range in the programme's time zone)
lives in the query string, so a view can be bookmarked; the export takes the
same filter and records it with the row count.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from bot.reports.csvfile import safe_cell
from bot.services import audit, staff
from bot.services.staff import Role
from bot.web.console import Console, Context, Guarded, Public, download
from storage import audit as audit_store
from storage.audit import AuditFilter

PER_PAGE = 50


@dataclass(frozen=True)
class AuditQuery:
    """The filter as the staff member chose it: local dates, both inclusive."""

    staff_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def storage_filter(self, tz: ZoneInfo) -> AuditFilter:
        """From local midnight of the first day to local midnight after the last day, as UTC moments."""

        def midnight(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=tz)

        return AuditFilter(
            staff_id=self.staff_id,
            action=self.action,
            date_from=midnight(self.date_from) if self.date_from else None,
            date_to=midnight(self.date_to + timedelta(days=1)) if self.date_to else None,
        )

    def pairs(self) -> list[tuple[str, str]]:
        found = [
            ("staff", str(self.staff_id) if self.staff_id is not None else ""),
            ("action", self.action or ""),
            ("from", self.date_from.isoformat() if self.date_from else ""),
            ("to", self.date_to.isoformat() if self.date_to else ""),
        ]
        return [(k, v) for k, v in found if v]

    def detail(self) -> dict[str, object]:
        """What the export records of the filter (no personal data: ids, an action name, dates)."""
        return {"staff": self.staff_id, "action": self.action, "from": _iso(self.date_from), "to": _iso(self.date_to)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def audit_query(request: Request) -> tuple[AuditQuery, int]:
    """The filter and the page from the query string; unreadable values are ignored."""
    q = request.query_params
    staff_id = q.get("staff", "").strip()
    page = q.get("page", "").strip()
    query = AuditQuery(
        staff_id=int(staff_id) if staff_id.isdigit() else None,
        action=q.get("action", "").strip() or None,
        date_from=_date(q.get("from", "")),
        date_to=_date(q.get("to", "")),
    )
    return query, int(page) if page.isdigit() and len(page) <= 6 and int(page) > 0 else 1


async def audit_page(console: Console, request: Request, ctx: Context) -> Response:
    query, page = audit_query(request)
    f = query.storage_filter(console.settings.timezone)
    async with console.db.reading() as conn:
        total = await audit_store.count(conn, f)
        pages = max(1, -(-total // PER_PAGE))
        page = min(page, pages)
        entries = await audit_store.search(conn, f, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        actions = await audit_store.actions(conn)
        accounts = await staff.list_all(conn)
    pairs = query.pairs()
    return console.page(
        request,
        ctx,
        "audit.html",
        entries=entries,
        actions=actions,
        accounts=accounts,
        query=query,
        total=total,
        page=page,
        pages=pages,
        export=urlencode(pairs),
        previous=urlencode([*pairs, ("page", str(page - 1))]) if page > 1 else None,
        next=urlencode([*pairs, ("page", str(page + 1))]) if page < pages else None,
    )


async def audit_csv(console: Console, request: Request, ctx: Context) -> Response:
    query, _page = audit_query(request)
    async with console.db.transaction() as tx:
        entries = await audit_store.search(tx, query.storage_filter(console.settings.timezone), limit=None)
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action="audit.export",
            detail={**query.detail(), "rows": len(entries)},
            now=console.clock.now(),
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "staff", "action", "target_kind", "target_id", "detail"])
    for e in entries:
        detail = json.dumps(dict(e.detail), ensure_ascii=False, sort_keys=True)
        cells = [e.at.isoformat(), e.staff_email or "", e.action, e.target_kind or "", e.target_id or "", detail]
        writer.writerow([safe_cell(c) for c in cells])
    return download("\ufeff" + out.getvalue(), "audit.csv")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/audit", Role.ADMIN, audit_page),
    Guarded("GET", "/audit.csv", Role.ADMIN, audit_csv),
]
