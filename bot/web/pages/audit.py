"""The audit trail for admins: read and export, never edit."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import Response

from bot.services import audit
from bot.services.staff import Role
from bot.web.console import Console, Context, Guarded, Public, secure
from storage import audit as audit_store
from storage.audit import AuditFilter


def _audit_filter(request: Request) -> AuditFilter:
    action = request.query_params.get("action", "").strip() or None
    staff_id = request.query_params.get("staff", "").strip()
    return AuditFilter(staff_id=int(staff_id) if staff_id.isdigit() else None, action=action)


async def audit_page(console: Console, request: Request, ctx: Context) -> Response:
    f = _audit_filter(request)
    async with console.db.reading() as conn:
        entries = await audit_store.search(conn, f, limit=200)
        actions = await audit_store.actions(conn)
    return console.page(request, ctx, "audit.html", entries=entries, actions=actions, action=f.action or "")


async def audit_csv(console: Console, request: Request, ctx: Context) -> Response:
    f = _audit_filter(request)
    async with console.db.transaction() as tx:
        entries = await audit_store.search(tx, f, limit=None)
        await audit.record(
            tx,
            staff_id=ctx.me.id,
            action="audit.export",
            detail={"action": f.action, "staff": f.staff_id, "rows": len(entries)},
            now=console.clock.now(),
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "staff", "action", "target_kind", "target_id", "detail"])
    for e in entries:
        writer.writerow(
            [e.at.isoformat(), e.staff_email or "", e.action, e.target_kind or "", e.target_id or "", e.detail]
        )
    response = Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
    return secure(response)


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/audit", Role.ADMIN, audit_page),
    Guarded("GET", "/audit.csv", Role.ADMIN, audit_csv),
]
