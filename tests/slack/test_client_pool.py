"""The pool of connections of the bot's Web API client: inside it calls share kept-alive
connections instead of opening one each, and after it a call still goes out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.slack.client import make_web_client, pooled_connections
from tests.support.standin import BOT_TOKEN


class Recorder:
    """A Web API that answers `ok` and notes the client end of the connection of each call."""

    def __init__(self) -> None:
        self.peers: list[object] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        self.peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"ok": True})


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    found = Recorder()
    app = web.Application()
    app.router.add_post("/api/{method}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    found.url = f"http://127.0.0.1:{port}/api/"
    yield found
    await runner.cleanup()


async def test_calls_inside_share_a_connection(recorder: Recorder) -> None:
    client = make_web_client(BOT_TOKEN, recorder.url)
    async with pooled_connections(client):
        for _ in range(3):
            await client.api_test()

    assert len(recorder.peers) == 3
    assert len(set(recorder.peers)) == 1


async def test_after_the_pool_a_call_still_goes_out(recorder: Recorder) -> None:
    client = make_web_client(BOT_TOKEN, recorder.url)
    async with pooled_connections(client):
        await client.api_test()

    answer = await client.api_test()

    assert client.session is None
    assert answer["ok"] is True
    assert len(recorder.peers) == 2
