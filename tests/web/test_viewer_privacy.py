"""A viewer sees figures only: every page a viewer may open, walked from the console's own ROUTES,
never shows an applicant's name, phone, e-mail or typed text; the people pages are closed to them."""

from __future__ import annotations

import re

from markupsafe import escape

from bot.runtime import Runtime
from bot.services.staff import Role
from bot.web.app import ROUTES
from bot.web.console import Guarded, Public
from tests.support.applicants import add_application
from tests.support.console import client, csrf_of, make_account, sign_in
from tests.support.people import CHAT_NAME, EMAIL, EMPLOYER_TYPED, MOTIVATION, NAME, PHONE, Seeded, seed_person

PERSONAL = (NAME, PHONE, PHONE.removeprefix("+"), "049717171", EMAIL, MOTIVATION, CHAT_NAME, EMPLOYER_TYPED)
_PARAM = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")


def fill(path: str, seeded: Seeded, staff_id: int) -> str:
    """The path with each parameter replaced by a real id of the seeded records.

    A page with a parameter of a new kind fails here until its kind is added,
    so no page escapes the walk."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        known = {
            "application": str(seeded.application_id),
            "reference": seeded.reference,
            "person": str(seeded.user_id),
            "user": str(seeded.user_id),
            "cohort": str(seeded.cohort_id),
            "session": str(seeded.session_id),
            "opening": str(seeded.opening_id),
            "invitation": str(seeded.invitation_id),
            "survey": "employment-followup",
            "staff": str(staff_id),
            "token": "not-a-token",
        }
        for kind, filled in known.items():
            if kind in name:
                return filled
        raise AssertionError(f"{path}: add the parameter {name!r} to fill() so the viewer walk covers this page")

    return _PARAM.sub(value, path)


def viewer_routes() -> list[Guarded | Public]:
    return [
        r
        for r in ROUTES
        if r.method == "GET" and (isinstance(r, Public) or (isinstance(r, Guarded) and Role.VIEWER.allows(r.role)))
    ]


async def test_no_page_a_viewer_can_open_shows_personal_data(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    await add_application(
        runtime, "70002", name="Second Uniquename", phone="+38345999888", motivation="Motivim krejt i veçantë"
    )
    viewer = await make_account(runtime, Role.VIEWER)
    personal = (*PERSONAL, "Second Uniquename", "+38345999888", "Motivim krejt i veçantë")
    walked = []
    async with client(runtime) as http:
        await sign_in(http, "viewer@example.org")
        for route in viewer_routes():
            path = fill(route.path, seeded, viewer)
            response = await http.get(path, follow_redirects=True)
            if isinstance(route, Guarded):
                assert response.status_code == 200, (path, response.status_code)
            for value in personal:
                assert value not in response.text and str(escape(value)) not in response.text, (path, value)
            walked.append(route.path)
    assert "/" in walked


async def test_the_start_page_a_viewer_sees_counts_the_seeded_applications(runtime: Runtime) -> None:
    """The walk above looks at pages that do show the seeded records, as figures."""
    await seed_person(runtime)
    await make_account(runtime, Role.VIEWER)
    async with client(runtime) as http:
        await sign_in(http, "viewer@example.org")
        page = (await http.get("/")).text
    assert "Two-year professional programme: software development" in page


async def test_a_viewer_gets_403_on_every_people_page(runtime: Runtime) -> None:
    seeded = await seed_person(runtime)
    viewer = await make_account(runtime, Role.VIEWER)
    people_routes = [r for r in ROUTES if isinstance(r, Guarded) and r.path.startswith("/people")]
    assert {r.path for r in people_routes} >= {"/people", "/people/{person_id:int}"}
    async with client(runtime) as http:
        await sign_in(http, "viewer@example.org")
        csrf = csrf_of((await http.get("/")).text)
        for route in people_routes:
            path = fill(route.path, seeded, viewer)
            response = await http.request(route.method, path, data={"csrf": csrf} if route.method == "POST" else None)
            assert response.status_code == 403, path
            assert NAME not in response.text and PHONE not in response.text
