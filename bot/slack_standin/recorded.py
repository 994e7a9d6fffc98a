"""The calls a stand-in received, as the tests read them: each with its full body, what Slack
answered when it refused, and the workspace that made it; the calls kept waiting on purpose
(`hold_next`); and waiting for calls to arrive, on events and never on a clock."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.slack_standin.wire import Json

# How long a test waits for the bot to make a call before it fails; a guard, never a delay.
WAIT_LIMIT = 10.0


@dataclass
class Call:
    """One call the stand-in received: a Web API method, a response URL, an upload or a
    Socket Mode acknowledgement."""

    method: str
    body: Json
    error: str | None = None  # what Slack answered, when it refused the call
    team: str | None = None  # the workspace whose bot token made the call, if any

    @property
    def text(self) -> str:
        """The call's `text`."""
        return str(self.body.get("text", ""))

    @property
    def blocks_text(self) -> str:
        """All the text in the blocks, for asserting what a person would read."""
        return json.dumps(
            self.body.get("blocks") or self.body.get("view") or [], ensure_ascii=False
        )


@dataclass
class CallLog:
    """Every call received, in order, and the calls held back until a test lets them go."""

    calls: list[Call] = field(default_factory=list)
    held: list[Call] = field(default_factory=list)  # calls kept waiting, as they arrived
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _holds: dict[str, deque[asyncio.Event]] = field(default_factory=lambda: defaultdict(deque))

    def hold_next(self, method: str) -> asyncio.Event:
        """Keep the next call of `method` waiting until the returned event is set; the call is
        in `held` once it has arrived."""
        release = asyncio.Event()
        self._holds[method].append(release)
        return release

    def sent(self, method: str, **match: Any) -> list[Call]:
        """The calls of `method` so far whose arguments include `match`."""
        return [
            c
            for c in self.calls
            if c.method == method and all(c.body.get(k) == v for k, v in match.items())
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] = lambda c: True,
    ) -> list[Call]:
        """Wait (on events, never on a clock) until `count` matching calls have arrived."""

        def matching() -> list[Call]:
            """The calls so far that match."""
            return [c for c in self.calls if c.method == method and where(c)]

        await self.wait_until(lambda: len(matching()) >= count)
        return matching()

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait (on events, never on a clock) until `condition` holds for the calls so far."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), WAIT_LIMIT)

    async def _held_back(self, method: str, body: Json) -> None:
        """Keep this call waiting, if a test asked to hold it, until it is let go."""
        if self._holds[method]:
            release = self._holds[method].popleft()
            async with self._changed:
                self.held.append(Call(method, body))
                self._changed.notify_all()
            await release.wait()

    async def _record(
        self, method: str, body: Json, error: str | None = None, team: str | None = None
    ) -> None:
        async with self._changed:
            self.calls.append(Call(method, body, error, team))
            self._changed.notify_all()

    async def _notify(self) -> None:
        """Wake whoever waits: something they may wait on changed."""
        async with self._changed:
            self._changed.notify_all()
