"""The sandbox under test: started in-process on free ports with its own directory, and driven
only through the page's JSON API, as the page drives it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.run import Keys, sandbox_running
from tests.sandbox.steps import Page


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with (
        sandbox_running(tmp_path / ".sandbox", 0, Keys()) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        yield Page(http, sandbox)
