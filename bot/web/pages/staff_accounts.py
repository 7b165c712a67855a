"""Staff accounts for admins: the list, and disabling an account (which ends its sessions)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.services import staff
from bot.services.staff import Role, StaffError
from bot.web.console import Console, Context, Guarded, Public, secure


async def staff_page(console: Console, request: Request, ctx: Context) -> Response:
    async with console.db.reading() as conn:
        accounts = await staff.list_all(conn)
    return console.page(request, ctx, "staff.html", accounts=accounts)


async def staff_disable(console: Console, request: Request, ctx: Context) -> Response:
    target = request.path_params["staff_id"]
    if target != ctx.me.id:
        try:
            async with console.db.transaction() as tx:
                await staff.set_disabled(tx, target, True, now=console.clock.now(), actor=ctx.me.id)
        except StaffError:
            return secure(Response(status_code=404))
    return console.redirect("/staff")


ROUTES: list[Guarded | Public] = [
    Guarded("GET", "/staff", Role.ADMIN, staff_page),
    Guarded("POST", "/staff/{staff_id:int}/disable", Role.ADMIN, staff_disable),
]
