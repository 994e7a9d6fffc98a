"""The HTTP surface: Bolt's standard `POST /slack/events` and a `GET /healthz` readiness probe."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import is_ready

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_web_app(bolt: AsyncApp | None, engine: AsyncEngine) -> web.Application:
    """The aiohttp application; without a Bolt app (Socket Mode) it serves only `/healthz`."""

    async def handle_events(request: web.Request) -> web.Response:
        assert bolt is not None
        response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def handle_health(_request: web.Request) -> web.Response:
        if await is_ready(engine):
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "database unavailable"}, status=503)

    app = web.Application()
    app.router.add_get(HEALTH_PATH, handle_health)
    if bolt is not None:
        app.router.add_post(EVENTS_PATH, handle_events)
    return app
