"""The HTTP surface: Bolt's standard `POST /slack/events`, a `GET /healthz` readiness probe and
`GET /metrics` for Prometheus, and in OAuth mode Bolt's `GET /slack/install` and
`GET /slack/oauth_redirect`; every request runs under a correlation id of its own."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import is_ready
from bot.logs import CORRELATION_ID, new_correlation_id
from bot.metrics import Metrics
from bot.slack.transport import HTTP, AckTimer

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


@web.middleware
async def correlate(request: web.Request, handler: Handler) -> web.StreamResponse:
    # Set and not reset: aiohttp runs each request in a task of its own, so the id ends with
    # the request, after the access log line, which carries it too.
    CORRELATION_ID.set(new_correlation_id())
    return await handler(request)


def build_web_app(
    bolt: AsyncApp | None,
    engine: AsyncEngine,
    metrics: Metrics,
    oauth: AsyncOAuthFlow | None = None,
) -> web.Application:
    """The aiohttp application; without a Bolt app (Socket Mode) it serves only `/healthz` and
    `/metrics`, and the install pages when given an OAuth flow (`bolt.oauth_flow`)."""

    async def handle_events(request: web.Request) -> web.Response:
        assert bolt is not None
        timer = AckTimer(metrics, HTTP)
        bolt_request = await to_bolt_request(request)
        bolt_response = await bolt.async_dispatch(bolt_request)
        timer.answered(bolt_request.body, bolt_response)
        return await to_aiohttp_response(bolt_response)

    async def handle_health(_request: web.Request) -> web.Response:
        if await is_ready(engine):
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "database unavailable"}, status=503)

    async def handle_metrics(_request: web.Request) -> web.Response:
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application(middlewares=[correlate])
    app.router.add_get(HEALTH_PATH, handle_health)
    app.router.add_get(METRICS_PATH, handle_metrics)
    if bolt is not None:
        app.router.add_post(EVENTS_PATH, handle_events)
    if oauth is not None:
        app.add_routes(_oauth_routes(oauth))
    return app


def _oauth_routes(flow: AsyncOAuthFlow) -> list[web.RouteDef]:
    """Installing the app: the page with the Add to Slack link (and the state cookie), and the
    redirect back from Slack that exchanges the code for the workspace's bot token."""

    async def handle_install(request: web.Request) -> web.Response:
        response = await flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def handle_oauth_redirect(request: web.Request) -> web.Response:
        response = await flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    return [
        web.get(flow.install_path, handle_install),
        web.get(flow.redirect_uri_path, handle_oauth_redirect),
    ]
