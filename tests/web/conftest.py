"""A coordinator signed in to the console, and a cohort with trainees, for the cohort and session pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.runtime import Runtime
from bot.services.staff import Role
from storage.cohorts import Cohort
from tests.support.console import client, csrf_of, make_account, sign_in
from tests.support.training import make_cohort, trainee


@dataclass
class Signed:
    http: httpx.AsyncClient
    csrf: str
    staff_id: int


@pytest.fixture
async def coordinator(runtime: Runtime) -> AsyncIterator[Signed]:
    staff_id = await make_account(runtime, Role.COORDINATOR)
    async with client(runtime) as http:
        await sign_in(http, "coordinator@example.org")
        yield Signed(http, csrf_of((await http.get("/")).text), staff_id)


@pytest.fixture
async def cohort(runtime: Runtime) -> Cohort:
    """web-2027-1 with two trainees, Arta (chat 501) and Blerim (chat 502)."""
    found = await make_cohort(runtime)
    await trainee(runtime, found, "501", "Arta Krasniqi")
    await trainee(runtime, found, "502", "Blerim Gashi")
    return found
