"""Starting and stopping the bot: migrate, build the app, serve over HTTP or Socket Mode, sweep
due nudges (and events out, with a webhook set up), and shut down cleanly on SIGTERM or
Ctrl-C. `running` is the bot serving, as a block that the sandbox also runs it in."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.db import make_engine, migrate
from bot.scheduler import Sweeper
from bot.services.absences import forget_past_absences
from bot.services.events_out import forget_sent_events, sessions_for
from bot.services.events_seen import forget_seen_events
from bot.services.retention import apply_retention
from bot.settings import Settings, SettingsError
from bot.slack.bolt_app import build_bolt_app
from bot.slack.client import pooled_connections
from bot.slack.delivery import send_due_nudges
from bot.slack.deps import Deps, deps_from
from bot.slack.token_check import confirm_bot_token
from bot.slack.transport import ObservedSocketModeHandler
from bot.slack.workspaces import workspaces_from
from bot.web import SlackEvents, build_web_app, calendar_feeds
from bot.webhook import Webhook, send_due_events, webhook_from

log = logging.getLogger(__name__)
# How long shutdown waits for work after the acks; below the 30 s most orchestrators allow.
SHUTDOWN_GRACE_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class Running:
    """A bot that is serving: its Bolt app (with the Web API client), its deps, the port its
    HTTP server listens on, and its sweeper (which the sandbox holds still while it resets)."""

    bolt: AsyncApp
    deps: Deps
    port: int
    sweeper: Sweeper


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Serve the bot until `stop` is set (by SIGTERM or Ctrl-C, unless given)."""
    stop = stop or stop_on_signals()
    async with running(settings):
        await stop.wait()


@asynccontextmanager
async def running(
    settings: Settings,
    *,
    clock: Clock | None = None,
    host: str = "0.0.0.0",
    port: int | None = None,
) -> AsyncIterator[Running]:
    """Migrate, then serve the bot on `host` and `port` (PORT unless given; 0 picks a free
    one) and sweep due nudges, until the block ends; then shut down cleanly."""
    engine, deps, bolt = await _prepared(settings, clock)
    # Every Slack call while the bot runs, the work that shutdown waits for included, reuses
    # the pool's connections.
    async with pooled_connections(bolt.client), webhook_from(settings) as webhook:
        sweeper = Sweeper(
            lambda now: _sweep(bolt.client, deps, webhook, now),
            settings.sweep_interval_seconds,
            daily=lambda now: _retain(deps, now),
            clock=deps.clock,
        )
        socket_mode = await _socket_mode(settings, bolt, deps)
        # The install pages are served in Socket Mode too: installing always goes through a
        # browser.
        web_app = build_web_app(
            None if socket_mode else SlackEvents.of(bolt, settings),
            engine,
            deps.metrics,
            oauth=bolt.oauth_flow,
            calendars=calendar_feeds(deps),
        )
        runner = web.AppRunner(web_app)
        await runner.setup()
        try:
            bound = await _listen(runner, host, settings.port if port is None else port)
            log.info(
                "serving on port %s (%s)",
                bound,
                "health and metrics" if socket_mode else "HTTP",
            )
            sweeper.start()
            yield Running(bolt, deps, bound, sweeper)
        finally:
            log.info("shutting down")
            await sweeper.stop()
            if socket_mode is not None:
                await socket_mode.close_async()
            await runner.cleanup()
            await _finish_background_work(SHUTDOWN_GRACE_SECONDS)
            await engine.dispose()


async def _prepared(settings: Settings, clock: Clock | None) -> tuple[AsyncEngine, Deps, AsyncApp]:
    """The database migrated, the deps, and the Bolt app, its bot token confirmed with Slack
    (one workspace); the engine is disposed of if the token is refused."""
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    await migrate(engine)
    sessions = sessions_for(engine, events_out=settings.webhook_url is not None)
    deps = deps_from(settings, sessions, workspaces_from(settings, engine), clock)
    bolt = build_bolt_app(settings, deps)
    if deps.workspaces is None:
        try:
            await confirm_bot_token(bolt.client)
        except SettingsError:
            await engine.dispose()
            raise
    return engine, deps, bolt


async def _socket_mode(
    settings: Settings, bolt: AsyncApp, deps: Deps
) -> ObservedSocketModeHandler | None:
    """Connected to Slack over a WebSocket, when SLACK_APP_TOKEN is set; None for HTTP."""
    if settings.slack_app_token is None:
        return None
    socket_mode = ObservedSocketModeHandler(
        bolt, settings.slack_app_token.get_secret_value(), deps.metrics
    )
    await socket_mode.connect_async()
    log.info("connected in Socket Mode")
    return socket_mode


def after_ack_tasks() -> set[asyncio.Task[Any]]:
    """The tasks in which Bolt runs listeners after their acks (the messages a decision sends,
    say). Bolt names no such set, so they are known by their coroutine's name: the one place
    that relies on it."""
    return {
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__name__", "") == "run_ack_function_asynchronously"
    }


async def _finish_background_work(grace: float) -> None:
    """Let listeners finish what they do after acknowledging Slack (posting the thread reply,
    updating the message): the HTTP response went out with the ack, so closing the server does
    not wait for them, and leaving `asyncio.run` would cancel them half-way."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    if pending:
        log.info("finishing %d tasks begun before the shutdown (up to %ss)", len(pending), grace)
        _, unfinished = await asyncio.wait(pending, timeout=grace)
        if unfinished:
            log.warning("%d tasks still running after %ss; stopping anyway", len(unfinished), grace)


async def _sweep(
    client: AsyncWebClient, deps: Deps, webhook: Webhook | None, now: datetime
) -> None:
    """What the sweep sends: the due nudges to Slack, then the events out to the HR system."""
    await send_due_nudges(client, deps, now)
    if webhook is not None:
        await send_due_events(webhook, deps.sessions, now, deps.sending.sweep_seconds)


async def _retain(deps: Deps, now: datetime) -> None:
    """The daily clean-up: retention applied, and handled event ids, delivered events out and
    past absences forgotten."""
    applied = await apply_retention(deps.sessions, now=now, policy=deps.policy)
    events = await forget_seen_events(deps.sessions, now=now)
    sent = await forget_sent_events(deps.sessions, now=now)
    away = await forget_past_absences(deps.sessions, now=now)
    log.info(
        "retention: %d secondments anonymised, %d deleted; %d handled event ids forgotten; "
        "%d delivered events out dropped; %d past absences forgotten",
        len(applied.anonymised),
        len(applied.deleted),
        events,
        sent,
        away,
    )


async def _listen(runner: web.AppRunner, host: str, port: int) -> int:
    """Start listening; returns the port, the one the system chose when `port` is 0."""
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise SettingsError(f"PORT {port} cannot be used: {reason}") from None
    return int(runner.addresses[-1][1])


def stop_on_signals() -> asyncio.Event:
    """An event that SIGINT or SIGTERM sets."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop
