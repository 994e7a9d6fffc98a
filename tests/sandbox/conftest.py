"""The sandbox under test: started in-process on free ports with its own directory, and driven
only through the page's JSON API, as the page drives it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.run import Keys, Sandbox, sandbox_running

Json = dict[str, Any]
# How long a test waits for the bot to answer before it fails; a guard, never a delay.
WAIT_LIMIT = 10.0


@dataclass
class Page:
    """What the page does: read the state as one person, and post to the JSON API."""

    http: aiohttp.ClientSession
    sandbox: Sandbox

    async def post(self, path: str, body: Json) -> tuple[int, Json]:
        async with self.http.post(self.sandbox.url + path.lstrip("/"), json=body) as response:
            return response.status, await response.json()

    async def ok(self, path: str, body: Json) -> Json:
        status, answer = await self.post(path, body)
        assert (status, answer.get("ok")) == (200, True), answer
        return answer

    async def state(self, person: str) -> Json:
        async with self.http.get(self.sandbox.url + "api/state", params={"as": person}) as response:
            assert response.status == 200
            return dict(await response.json())

    async def until(self, person: str, found: Callable[[Json], Any]) -> Any:
        """Wait, on the workspace's changes and never on a clock, until `found` finds something
        in what `person` sees; returns it."""
        workspace = self.sandbox.workspace

        def finding() -> Any:
            # The state exactly as /api/state serves it, through JSON.
            return found(json.loads(json.dumps(workspace.seen_by(person))))

        await asyncio.wait_for(workspace.wait_until(lambda: bool(finding())), WAIT_LIMIT)
        return finding()


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with (
        sandbox_running(tmp_path / ".sandbox", 0, Keys()) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        yield Page(http, sandbox)
