"""A coordinator signed in to the console, for the applications pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.runtime import Runtime
from bot.services.staff import Role
from tests.support.console import signed_in


@pytest.fixture
async def coordinator(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(runtime, Role.COORDINATOR) as http:
        yield http
