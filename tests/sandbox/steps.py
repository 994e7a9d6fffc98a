"""What the page does, for the sandbox's tests: read the state as one person, post to the JSON
API, and find things in what a person sees."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.sandbox.run import Sandbox
from bot.slack.ids import Callback
from bot.slack_standin.seen import seen_by

Json = dict[str, Any]
# How long a test waits for the bot to answer before it fails; a guard, never a delay.
WAIT_LIMIT = 10.0


@dataclass
class Page:
    """What the page does: read the state as one person, and post to the JSON API."""

    http: aiohttp.ClientSession
    sandbox: Sandbox

    async def post(self, path: str, body: Json) -> tuple[int, Json]:
        """Post to the page's JSON API; its status and answer."""
        async with self.http.post(self.sandbox.url + path.lstrip("/"), json=body) as response:
            return response.status, await response.json()

    async def ok(self, path: str, body: Json) -> Json:
        """Post to the page's JSON API, which must take it."""
        status, answer = await self.post(path, body)
        assert (status, answer.get("ok")) == (200, True), answer
        return answer

    async def state(self, person: str) -> Json:
        """What `person` sees, as `/api/state` serves it."""
        async with self.http.get(self.sandbox.url + "api/state", params={"as": person}) as response:
            assert response.status == 200
            return dict(await response.json())

    async def until(self, person: str, found: Callable[[Json], Any]) -> Any:
        """Wait, on the workspace's changes and never on a clock, until `found` finds something
        in what `person` sees; returns it."""
        workspace = self.sandbox.workspace

        def finding() -> Any:
            """What `found` finds now."""
            # The state exactly as /api/state serves it, through JSON.
            return found(json.loads(json.dumps(seen_by(workspace, person))))

        await asyncio.wait_for(workspace.wait_until(lambda: bool(finding())), WAIT_LIMIT)
        return finding()


def groups(state: Json) -> list[Json]:
    """The group DMs a person sees."""
    return [c for c in state["conversations"] if c["kind"] == "group"]


def thread_of(state: Json) -> tuple[str, Json] | None:
    """The approval thread: the group DM and its first message, once posted."""
    for conversation in groups(state):
        messages = state["messages"][conversation["id"]]
        if messages:
            return conversation["id"], messages[0]
    return None


def modal(state: Json, callback: Callback) -> Json | None:
    """The open modal with this callback id, if there is one."""
    return next((m for m in state["modals"] if m["view"].get("callback_id") == callback), None)


def button(blocks: list[Json] | None, action_id: str) -> Json:
    """The element with this action id, with its block's id."""
    return next(
        {**element, "block_id": block.get("block_id", "")}
        for block in blocks or []
        for element in block.get("elements", [])
        if element.get("action_id") == action_id
    )


def texts(messages: list[Json]) -> str:
    """Everything a person can read in these messages and their replies."""
    return json.dumps(messages, ensure_ascii=False)


async def click(page: Page, person: str, channel: str, message: Json, action_id: str) -> None:
    """`person` clicks the button with this action id in a message."""
    chosen = button(message["blocks"], action_id)
    action = {
        "block_id": chosen["block_id"],
        "action_id": action_id,
        "type": "button",
        "value": chosen["value"],
    }
    source = {"type": "message", "channel": channel, "ts": message["ts"]}
    await page.ok("/api/action", {"as": person, "source": source, "action": action})
