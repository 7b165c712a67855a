"""The console's security: every route × every role, CSRF, lock-out, session revocation, headers, audit."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from bot.i18n import gettext, ngettext, use_language
from bot.runtime import Runtime
from bot.services import staff
from bot.services.staff import Role
from bot.web.app import ROUTES
from bot.web.console import Guarded, Public
from storage import audit as audit_store
from storage import trainees
from storage.audit import AuditFilter
from tests.support.applicants import add_application
from tests.support.console import application_id, client, csrf_of, make_account, sign_in, signed_in_as

# (method, path, the least role that may use it)
GUARDED = [
    ("GET", "/", Role.VIEWER),
    ("POST", "/language", Role.VIEWER),
    ("GET", "/applications", Role.COORDINATOR),
    ("GET", "/applications.csv", Role.COORDINATOR),
    ("GET", "/applications.xlsx", Role.COORDINATOR),
    ("POST", "/applications/bulk", Role.COORDINATOR),
    ("POST", "/applications/bulk/apply", Role.COORDINATOR),
    ("GET", "/applications/999", Role.COORDINATOR),
    ("POST", "/applications/999/notes", Role.COORDINATOR),
    ("POST", "/applications/999/preview", Role.COORDINATOR),
    ("POST", "/applications/999/decide", Role.COORDINATOR),
    ("GET", "/people", Role.COORDINATOR),
    ("GET", "/people/999", Role.COORDINATOR),
    ("GET", "/people/999/erase", Role.ADMIN),
    ("POST", "/people/999/erase", Role.ADMIN),
    ("GET", "/audit", Role.ADMIN),
    ("GET", "/audit.csv", Role.ADMIN),
    ("GET", "/staff", Role.ADMIN),
    ("POST", "/staff/999/disable", Role.ADMIN),
    ("POST", "/signout", Role.VIEWER),
    ("GET", "/indicators", Role.VIEWER),
    ("GET", "/indicators.csv", Role.VIEWER),
    ("GET", "/indicators.xlsx", Role.VIEWER),
    ("GET", "/surveys", Role.VIEWER),
    ("GET", "/surveys/employment-followup", Role.VIEWER),
    ("GET", "/surveys/employment-followup/export.csv", Role.COORDINATOR),
    ("GET", "/surveys/employment-followup/export.xlsx", Role.COORDINATOR),
    ("GET", "/cohorts", Role.COORDINATOR),
    ("POST", "/cohorts", Role.COORDINATOR),
    ("GET", "/cohorts/999", Role.COORDINATOR),
    ("POST", "/cohorts/999", Role.COORDINATOR),
    ("POST", "/cohorts/999/trainees", Role.COORDINATOR),
    ("POST", "/cohorts/999/graduate", Role.COORDINATOR),
    ("POST", "/cohorts/999/placements", Role.COORDINATOR),
    ("GET", "/placements", Role.COORDINATOR),
    ("POST", "/placements/999/confirm", Role.COORDINATOR),
    ("GET", "/cohorts/999/sessions", Role.COORDINATOR),
    ("POST", "/cohorts/999/sessions", Role.COORDINATOR),
    ("POST", "/cohorts/999/sessions/import", Role.COORDINATOR),
    ("GET", "/cohorts/999/sessions/999", Role.COORDINATOR),
    ("POST", "/cohorts/999/sessions/999/move", Role.COORDINATOR),
    ("POST", "/cohorts/999/sessions/999/cancel", Role.COORDINATOR),
    ("POST", "/cohorts/999/sessions/999/register", Role.COORDINATOR),
    ("GET", "/cohorts/999/attendance.csv", Role.COORDINATOR),
    ("GET", "/cohorts/999/attendance.xlsx", Role.COORDINATOR),
    ("GET", "/openings", Role.COORDINATOR),
    ("GET", "/openings/new", Role.COORDINATOR),
    ("POST", "/openings/new", Role.COORDINATOR),
    ("GET", "/openings/999", Role.COORDINATOR),
    ("GET", "/openings/999/edit", Role.COORDINATOR),
    ("POST", "/openings/999/edit", Role.COORDINATOR),
    ("POST", "/openings/999/close", Role.COORDINATOR),
    ("GET", "/openings/999/interested.csv", Role.COORDINATOR),
    ("GET", "/openings/999/interested.xlsx", Role.COORDINATOR),
    ("GET", "/broadcasts", Role.COORDINATOR),
    ("GET", "/broadcasts/new", Role.COORDINATOR),
    ("POST", "/broadcasts/new", Role.COORDINATOR),
    ("GET", "/broadcasts/count.json", Role.COORDINATOR),
    ("POST", "/broadcasts/preview", Role.COORDINATOR),
    ("POST", "/broadcasts/send", Role.COORDINATOR),
    ("GET", "/broadcasts/999", Role.COORDINATOR),
    ("GET", "/broadcasts/999/progress.json", Role.COORDINATOR),
]
PUBLIC = [("GET", "/signin"), ("GET", "/password/unknown"), ("GET", "/link/unknown")]


def _pattern(path: str) -> str:
    """A route's path as a regular expression: ``{x:int}`` matches digits only (as starlette's converter)."""
    return re.sub(r"\{[^}]+\}", "[^/]+", re.sub(r"\{[^}:]+:int\}", r"\\d+", path))


def test_the_matrix_names_every_route_of_the_console() -> None:
    """A new page must join the matrix below, with the role it needs, or this fails."""
    declared = {(r.method, r.path, r.role) for r in ROUTES if isinstance(r, Guarded)}
    tried = set()
    for method, path, role in GUARDED:
        matches = [
            r for r in ROUTES if isinstance(r, Guarded) and r.method == method and re.fullmatch(_pattern(r.path), path)
        ]
        assert len(matches) == 1, (method, path)
        tried.add((matches[0].method, matches[0].path, role))
    assert tried == declared
    public = {(r.method, r.path) for r in ROUTES if isinstance(r, Public)}
    assert {m for m, _ in public} <= {"GET", "POST"}
    assert {p for _, p in public} == {"/signin", "/password/{token}", "/link/{token}"}


async def test_every_route_with_no_session_goes_to_sign_in(runtime: Runtime) -> None:
    async with client(runtime) as http:
        for method, path, _ in GUARDED:
            response = await http.request(method, path, data={"csrf": "x"} if method == "POST" else None)
            assert (response.status_code, response.headers.get("location")) == (303, "/signin"), (method, path)
        for method, path in PUBLIC:
            response = await http.request(method, path)
            assert response.status_code in (200, 404), path
            assert response.headers["X-Frame-Options"] == "DENY"
            assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("role", list(Role))
async def test_every_route_with_every_role(runtime: Runtime, role: Role) -> None:
    await make_account(runtime, role)
    async with client(runtime) as http:
        assert (await sign_in(http, f"{role.value}@example.org")).status_code == 303
        csrf = csrf_of((await http.get("/")).text)
        for method, path, needed in GUARDED:
            if path == "/signout":
                continue
            response = await http.request(method, path, data={"csrf": csrf} if method == "POST" else None)
            if role.allows(needed):
                assert response.status_code in (200, 303, 400, 404), (role, method, path, response.status_code)
            else:
                assert response.status_code == 403, (role, method, path)
        response = await http.post("/signout", data={"csrf": csrf})
        assert response.headers["location"] == "/signin"
        assert (await http.get("/")).headers["location"] == "/signin"


async def test_a_post_without_the_csrf_token_is_refused(runtime: Runtime) -> None:
    await make_account(runtime, Role.ADMIN)
    target = await make_account(runtime, Role.VIEWER)
    async with client(runtime) as http:
        page = await http.get("/signin")
        assert (await http.post("/signin", data={"email": "admin@example.org", "password": "x"})).status_code == 403
        assert csrf_of(page.text)
        await sign_in(http, "admin@example.org")
        assert (await http.post(f"/staff/{target}/disable", data={"csrf": "forged"})).status_code == 403
        assert (await http.post(f"/staff/{target}/disable")).status_code == 403
    async with runtime.db.reading() as conn:
        found = await staff.get(conn, target)
    assert found is not None and not found.disabled


def public_text(message: str) -> str:
    with use_language("sq"):
        return gettext(message)


async def test_five_wrong_passwords_then_a_clear_wait_message(runtime: Runtime) -> None:
    await make_account(runtime, Role.COORDINATOR)
    async with client(runtime) as http:
        for _ in range(5):
            response = await sign_in(http, "coordinator@example.org", "wrong password")
            assert response.status_code == 401
            assert escape(public_text("The e-mail or the password is wrong.")) in response.text
        response = await sign_in(http, "coordinator@example.org")
    assert response.status_code == 429
    with use_language(runtime.settings.default_language):
        wait = ngettext(
            "Too many wrong passwords. Try again in {minutes} minute.",
            "Too many wrong passwords. Try again in {minutes} minutes.",
            15,
        ).format(minutes=15)
    assert escape(wait) in response.text


async def test_disabling_an_account_ends_its_open_session(runtime: Runtime) -> None:
    await make_account(runtime, Role.ADMIN)
    target = await make_account(runtime, Role.COORDINATOR)
    async with client(runtime) as admin, client(runtime) as coordinator:
        await sign_in(coordinator, "coordinator@example.org")
        assert (await coordinator.get("/")).status_code == 200
        await sign_in(admin, "admin@example.org")
        csrf = csrf_of((await admin.get("/staff")).text)
        assert (await admin.post(f"/staff/{target}/disable", data={"csrf": csrf})).status_code == 303
        assert (await coordinator.get("/")).headers["location"] == "/signin"
        assert (await sign_in(coordinator, "coordinator@example.org")).status_code == 401
    async with runtime.db.reading() as conn:
        actions = [e.action for e in await audit_store.search(conn, AuditFilter())]
    assert "staff.disable" in actions and "auth.sign_in" in actions and "auth.sign_in_failed" in actions


async def test_cookies_are_http_only_and_lax(runtime: Runtime) -> None:
    await make_account(runtime, Role.VIEWER)
    async with client(runtime) as http:
        response = await sign_in(http, "viewer@example.org")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


async def test_the_audit_export_is_itself_audited(runtime: Runtime) -> None:
    await make_account(runtime, Role.ADMIN)
    async with client(runtime) as http:
        await sign_in(http, "admin@example.org")
        response = await http.get("/audit.csv?action=auth.sign_in")
    assert response.status_code == 200
    assert response.text.startswith("\ufeffat,staff,action")
    assert "admin@example.org,auth.sign_in" in response.text
    async with runtime.db.reading() as conn:
        [entry] = await audit_store.search(conn, AuditFilter(action="audit.export"))
    assert entry.detail["rows"] == 1


async def test_a_viewer_gets_403_on_every_applications_route_and_never_a_name(runtime: Runtime) -> None:
    reference = await add_application(runtime, "1", name="Arta Krasniqi", phone="+38344987654")
    number = await application_id(runtime, reference)
    async with signed_in_as(runtime, Role.VIEWER) as http:
        home = await http.get("/")
        assert 'href="/applications"' not in home.text  # no menu entry either
        csrf = csrf_of(home.text)
        fields = {"csrf": csrf, "decision": "rejected", "seen": "submitted", "text": "x", "ref": reference}
        routes = [(m, p.replace("999", str(number))) for m, p, role in GUARDED if p.startswith("/applications")]
        assert len(routes) == 9
        for method, path in routes:
            response = await http.request(method, path, data=fields if method == "POST" else None)
            assert response.status_code == 403, (method, path)
            assert "Krasniqi" not in response.text and "987654" not in response.text and reference not in response.text
    async with runtime.db.reading() as conn:
        found = await trainees.applicant(conn, reference)
        assert found is not None and found.status == "submitted"
        assert await audit_store.search(conn, AuditFilter(action="application.export")) == []


async def test_a_coordinator_has_the_applications_menu_entry(runtime: Runtime) -> None:
    async with signed_in_as(runtime, Role.COORDINATOR) as http:
        assert 'href="/applications"' in (await http.get("/")).text
