"""The HTTP surface: `POST /slack/events` for Bolt, a `GET /healthz` readiness probe and
`GET /metrics` for Prometheus, in OAuth mode Bolt's `GET /slack/install` and
`GET /slack/oauth_redirect`, and with PUBLIC_URL set each person's calendar feed at
`GET /calendar/<token>.ics`; every request runs under a correlation id of its own.

A request to `/slack/events` reaches Bolt only once its signature is verified on the raw bytes
(401 otherwise) and its body is one of the payloads the bot handles (400 otherwise). Bolt checks
the signature again: it is never switched off."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass

from aiohttp import ClientPayloadError, web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.db import Sessions, is_ready, make_sessions
from bot.domain.policy import Policy
from bot.ical import CONTENT_TYPE as CALENDAR_TYPE
from bot.ical import build_feed
from bot.logs import CORRELATION_ID, new_correlation_id, quiet_what_senders_choose
from bot.metrics import Metrics
from bot.services.calendar_feeds import feed_for
from bot.services.pauses import paused_workspaces
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.listeners.context import ANSWERED
from bot.slack.payloads import Malformed, check_payload, parse_body
from bot.slack.signature import Unverified, verify_request
from bot.slack.transport import HTTP, MALFORMED, UNVERIFIED, AckTimer

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack sends its whole request at once and wants an answer within 3 s.
READ_SECONDS = 3.0
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
CALENDAR_PATH = "/calendar/{token}.ics"
# What a feed token looks like (bot/services/calendar_feeds.py): anything else is not looked up.
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@web.middleware
async def correlate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run each request under a correlation id of its own."""
    # Set and not reset: aiohttp runs each request in a task of its own, so the id ends with
    # the request, after the access log line, which carries it too.
    CORRELATION_ID.set(new_correlation_id())
    return await handler(request)


@dataclass(frozen=True, slots=True)
class SlackEvents:
    """What serves `/slack/events`: the Bolt app, and the secret Slack signs its requests with."""

    bolt: AsyncApp
    signing_secret: str

    @classmethod
    def of(cls, bolt: AsyncApp, settings: Settings) -> SlackEvents:
        """What serves Slack's events, for this Bolt app and these settings."""
        return cls(bolt, settings.slack_signing_secret.get_secret_value())


@dataclass(frozen=True, slots=True)
class CalendarFeeds:
    """What serves the calendar feeds: the database, the policy (working days, check-in
    interval) and the clock the feed is stamped with."""

    sessions: Sessions
    policy: Policy
    clock: Clock


def calendar_feeds(deps: Deps) -> CalendarFeeds | None:
    """What serves the calendar feeds, when calendar links are set up (PUBLIC_URL)."""
    if deps.public_url is None:
        return None
    return CalendarFeeds(deps.sessions, deps.policy, deps.clock)


async def _verified_request(request: web.Request, signing_secret: str) -> AsyncBoltRequest:
    """The request as Bolt takes it, once it is shown to come from Slack and to hold a payload
    the bot handles; `web.HTTPUnauthorized` or `web.HTTPBadRequest` otherwise. The log line
    says why, never what the body held."""
    try:
        # A sender that stops half-way through its body is not waited on for ever.
        async with asyncio.timeout(READ_SECONDS):
            raw = await request.read()
    except (TimeoutError, ConnectionError, ClientPayloadError):
        log.info("refused a request whose body did not arrive whole")
        raise web.HTTPBadRequest(text="incomplete request") from None
    try:
        # The wall clock, not the bot's: Slack stamps its requests with the real time.
        verify_request(raw, request.headers, signing_secret, time.time())
    except Unverified as refused:
        log.info("refused a request not shown to come from Slack: %s", refused.reason)
        raise web.HTTPUnauthorized(text="invalid request") from None
    try:
        text = raw.decode("utf-8")
        body = parse_body(text, request.content_type)
        check_payload(body)
    except (UnicodeDecodeError, Malformed) as malformed:
        reason = malformed.reason if isinstance(malformed, Malformed) else "not UTF-8"
        log.warning("refused a signed request that is not a payload the bot handles: %s", reason)
        raise web.HTTPBadRequest(text="malformed request") from None
    try:
        bolt_request = AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]  # a mapping, as Bolt's adapter passes
        )
        if bolt_request.body != body:
            # Bolt reads any form that holds the word "payload" (a channel's name, the
            # command's text) as an empty body; hand it the slash command that was checked.
            bolt_request.body = body
            bolt_request.context = build_async_context(AsyncBoltContext(), body)
    except (TypeError, AttributeError, KeyError, IndexError) as unreadable:
        # Bolt reads the workspace, person and channel assuming Slack's types throughout; the
        # models check those it is known to read, and this catches any it reads beyond them.
        log.warning(
            "refused a signed request that is not a payload the bot handles: Bolt's %s reading it",
            type(unreadable).__name__,
        )
        raise web.HTTPBadRequest(text="malformed request") from None
    return bolt_request


def build_web_app(
    slack: SlackEvents | None,
    engine: AsyncEngine,
    metrics: Metrics,
    oauth: AsyncOAuthFlow | None = None,
    calendars: CalendarFeeds | None = None,
) -> web.Application:
    """The aiohttp application; without Slack's events (Socket Mode) it serves only `/healthz`
    and `/metrics`, the install pages when given an OAuth flow (`bolt.oauth_flow`), and the
    calendar feeds when given `calendars`."""
    quiet_what_senders_choose()
    app = web.Application(middlewares=[correlate])
    app.router.add_get(HEALTH_PATH, _health_handler(engine))
    app.router.add_get(METRICS_PATH, _metrics_handler(metrics))
    if slack is not None:
        app.router.add_post(EVENTS_PATH, _events_handler(slack, metrics))
    if oauth is not None:
        app.add_routes(_oauth_routes(oauth))
    if calendars is not None:
        app.router.add_get(CALENDAR_PATH, _calendar_handler(calendars))
    return app


def _events_handler(slack: SlackEvents, metrics: Metrics) -> Handler:
    """Slack's events, verified and handed to Bolt, each ack timed."""

    async def handle_events(request: web.Request) -> web.Response:
        """One request from Slack, answered by Bolt."""
        timer = AckTimer(metrics, HTTP)
        try:
            bolt_request = await _verified_request(request, slack.signing_secret)
        except web.HTTPException as refusal:
            timer.refused(UNVERIFIED if refusal.status == 401 else MALFORMED, refusal.status)
            raise
        # The listener's change waits for this (bot/slack/listeners/context.py `changing`).
        answered = asyncio.Event()
        bolt_request.context[ANSWERED] = answered
        try:
            bolt_response = await slack.bolt.async_dispatch(bolt_request)
        finally:
            answered.set()
        timer.answered(bolt_request.body, bolt_response)
        return await to_aiohttp_response(bolt_response)

    return handle_events


def _health_handler(engine: AsyncEngine) -> Handler:
    """The readiness probe: 200 while the database answers, with how many workspaces are
    paused, if any; 503 when it does not."""
    sessions = make_sessions(engine)

    async def handle_health(_request: web.Request) -> web.Response:
        """Whether the bot is ready."""
        if not await is_ready(engine):
            return web.json_response({"status": "database unavailable"}, status=503)
        # The bot is up; workspaces it cannot speak to are counted (this page is public: which
        # ones, and why, are in the audit trail and the logs).
        try:
            paused = len(await paused_workspaces(sessions))
        except (OSError, TimeoutError, SQLAlchemyError):
            return web.json_response({"status": "database unavailable"}, status=503)
        detail = {"paused_workspaces": paused} if paused else {}
        return web.json_response({"status": "ok", **detail})

    return handle_health


def _metrics_handler(metrics: Metrics) -> Handler:
    """The metrics, for Prometheus to scrape."""

    async def handle_metrics(_request: web.Request) -> web.Response:
        """The metrics, in the Prometheus text format."""
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return handle_metrics


def _calendar_handler(calendars: CalendarFeeds) -> Handler:
    """A person's feed, built afresh on each request so it follows the terms; 404 for a token
    that is not one, or no longer (reset), saying nothing of which. (The access log shows the
    path without its token: bot/logs.py `quiet_what_senders_choose`.)"""

    async def handle_calendar(request: web.Request) -> web.Response:
        """The feed of the token in the path."""
        token = request.match_info["token"]
        feed = None
        if CALENDAR_TOKEN.fullmatch(token):
            try:
                feed = await feed_for(calendars.sessions, token=token, policy=calendars.policy)
            except (OSError, TimeoutError, SQLAlchemyError) as trouble:
                # The calendar app asks again later; the line names the fault, not the token.
                log.warning("a calendar feed was not served: %s", type(trouble).__name__)
                raise web.HTTPServiceUnavailable(text="try again later") from None
        if feed is None:
            raise web.HTTPNotFound(text="no such calendar")
        body = build_feed(feed, calendars.policy, calendars.clock.now())
        return web.Response(
            body=body,
            headers={
                "Content-Type": CALENDAR_TYPE,
                "Content-Disposition": 'inline; filename="secondments.ics"',
                # A private feed: kept by the person's calendar app, by no shared cache.
                "Cache-Control": "private, max-age=300",
            },
        )

    return handle_calendar


def _oauth_routes(flow: AsyncOAuthFlow) -> list[web.RouteDef]:
    """Installing the app: the page with the Add to Slack link (and the state cookie), and the
    redirect back from Slack that exchanges the code for the workspace's bot token."""

    async def handle_install(request: web.Request) -> web.Response:
        """The page with the Add to Slack link."""
        response = await flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def handle_oauth_redirect(request: web.Request) -> web.Response:
        """Slack's redirect back, the code exchanged for the bot token."""
        response = await flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    return [
        web.get(flow.install_path, handle_install),
        web.get(flow.redirect_uri_path, handle_oauth_redirect),
    ]
