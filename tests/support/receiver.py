"""A stand-in of the HR system's webhook on 127.0.0.1: it records every POST it is sent, and
can be taken down (nothing listens: connections are refused) and brought back on the same
port, or made to answer with another status."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.slack_standin.recorded import WAIT_LIMIT
from tests.support.processes import free_port

PATH = "/hooks/secondments"


@dataclass(frozen=True, slots=True)
class Received:
    """One POST the webhook received: its headers and body."""

    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        """The body, as the event it holds."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Receiver:
    """The HR system's webhook, played on 127.0.0.1, recording what it is sent."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    # What it answers, in turn; once they run out, 200.
    answers: list[int] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _site: web.TCPSite | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def url(self) -> str:
        """The address the bot is given as WEBHOOK_URL."""
        return f"http://127.0.0.1:{self.port}{PATH}"

    async def start(self) -> None:
        """Start listening."""
        app = web.Application()
        app.router.add_post(PATH, self._take)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await self.up()

    async def up(self) -> None:
        """Listen again on the same port, after `down`."""
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()

    async def down(self) -> None:
        """Stop listening: the bot's connections are refused."""
        assert self._site is not None
        await self._site.stop()

    async def close(self) -> None:
        """Stop for good."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _take(self, request: web.Request) -> web.Response:
        async with self._changed:
            self.received.append(Received(dict(request.headers), await request.read()))
            self._changed.notify_all()
        response = web.Response(status=self.answers.pop(0) if self.answers else 200)
        # No connection kept open: a bot under test that shuts down waits for no handler of it.
        response.force_close()
        return response

    async def wait_for(self, count: int) -> list[Received]:
        """Once `count` events have arrived, all that have."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.received) >= count), WAIT_LIMIT
            )
        return list(self.received)
