"""A cohort with trainees, for the cohort and session pages."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from storage.cohorts import Cohort
from tests.support.training import make_cohort, trainee


@pytest.fixture
async def cohort(runtime: Runtime) -> Cohort:
    """web-2027-1 with two trainees, Arta (chat 501) and Blerim (chat 502)."""
    found = await make_cohort(runtime)
    await trainee(runtime, found, "501", "Arta Krasniqi")
    await trainee(runtime, found, "502", "Blerim Gashi")
    return found
