"""Fixtures: a migrated database per test (SQLite always, PostgreSQL too when TEST_DATABASE_URL is
set), the Slack stand-in, and the bot under test behind a real HTTP server."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.clock import Clock, SystemClock
from bot.db import make_engine, migrate
from bot.models import Base
from bot.services.events_out import sessions_for
from bot.settings import load_settings
from bot.slack import directory
from bot.slack.bolt_app import build_bolt_app
from bot.slack.client import make_web_client
from bot.slack.deps import deps_from
from bot.slack.workspaces import workspaces_from
from bot.slack_sdk_tables import SLACK_SDK_TABLES
from bot.slack_standin.recorded import WAIT_LIMIT
from bot.web import SlackEvents, build_web_app, calendar_feeds
from tests.support import wire
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, ErrorLog, Harness, listener_tasks
from tests.support.standin import BOT_TOKEN, SlackStandIn

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
# A Monday morning in London; every test starts here and may move the clock on.
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


async def _migrate_fresh(url: str) -> None:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await migrate(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate_fresh(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """TEST_DATABASE_URL's database, migrated afresh; under pytest-xdist each worker gets a
    database of its own beside it (`<name>_gw0`, ...), dropped when the worker ends, since the
    tests empty their database's tables between them."""
    assert POSTGRES_URL, "only requested when TEST_DATABASE_URL is set"
    if worker_id == "master":
        asyncio.run(_migrate_fresh(POSTGRES_URL))
        yield POSTGRES_URL
        return
    url = make_url(POSTGRES_URL)
    own = url.set(database=f"{url.database}_{worker_id}")
    asyncio.run(_create_or_drop(POSTGRES_URL, own.database, create=True))
    asyncio.run(_migrate_fresh(own.render_as_string(hide_password=False)))
    yield own.render_as_string(hide_password=False)
    asyncio.run(_create_or_drop(POSTGRES_URL, own.database, create=False))


async def _create_or_drop(server_url: str, database: str | None, *, create: bool) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        if create:
            await connection.execute(text(f'CREATE DATABASE "{database}"'))
    await engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    if database_url.startswith("postgresql"):
        tables = ", ".join([*(t.name for t in Base.metadata.sorted_tables), *SLACK_SDK_TABLES])
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def bot_clock() -> Clock:
    """Where the bot reads the time: the system's, which `clock` moves, unless a module overrides
    this to hold the bot's time apart from the system's."""
    return SystemClock()


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    for user_id in (EMPLOYEE, HOME, HOST, OUTSIDER):
        standin.add_user(user_id)
    await standin.start()
    yield standin
    await standin.stop()
    assert not standin.invalid, f"the bot sent payloads Slack would reject: {standin.invalid}"


@pytest.fixture
def extra_settings() -> dict[str, Any]:
    """Settings a test module works out at run time (a receiver's port, say), for `bot`:
    override it in the module."""
    return {}


@pytest.fixture
async def bot(
    engine: AsyncEngine,
    extra_settings: dict[str, Any],
    slack: SlackStandIn,
    clock: time_machine.Traveller,
    bot_clock: Clock,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Harness]:
    # The stand-in answers users.info in this process; on a loaded test machine a pause can
    # outlast the 1.5 s a form gives Slack, which only tests of that limit should see (they set
    # it themselves, after this).
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", WAIT_LIMIT)
    # `@pytest.mark.settings(hr_users="U0HR", ...)` sets the bot's settings for one test; with
    # `slack_client_id` and `slack_client_secret` (and `slack_bot_token=None`), OAuth mode.
    marker = request.node.get_closest_marker("settings")
    # Unpaced: the tests move time themselves (tests/slack/test_sending.py checks the pace).
    # A sweep keeps claiming batches until everything due is sent: by default it stops after
    # SWEEP_INTERVAL_SECONDS of real time, which a loaded machine can take over one batch, and a
    # test would then see part of what was due (test_sending.py checks that limit).
    overrides = {
        "slack_bot_token": BOT_TOKEN,
        "send_rate_per_second": 0,
        "sweep_interval_seconds": 3600,
        **extra_settings,
        **(marker.kwargs if marker else {}),
    }
    settings = load_settings(
        _env_file=None,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=str(engine.url),
        **overrides,
    )
    if settings.oauth_mode:
        slack.tokens.clear()  # Slack knows only the bot tokens that installs issue
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = make_web_client(
        None if settings.oauth_mode else BOT_TOKEN, slack.api_url, sleep=fake_sleep
    )
    sessions = sessions_for(engine, events_out=settings.webhook_url is not None)
    deps = deps_from(settings, sessions, workspaces_from(settings, engine, fake_sleep), bot_clock)
    bolt = build_bolt_app(settings, deps, client=client)
    # Bolt answers 404 when a listener has not acked within Slack's 3 seconds. On a loaded test
    # machine a pause can outlast that; the tests check what is done before the ack, not how
    # fast (bench/ measures that). A form's look-ups may take WAIT_LIMIT (above) before its
    # ack, so the ack gets more than that.
    for listener in bolt._async_listeners:
        listener.ack_timeout = int(3 * WAIT_LIMIT)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    web_app = build_web_app(
        SlackEvents.of(bolt, settings),
        engine,
        deps.metrics,
        oauth=bolt.oauth_flow,
        calendars=calendar_feeds(deps),
    )
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
        harness = Harness(
            http=http,
            slack=slack,
            sessions=sessions,
            sleeps=sleeps,
            errors=errors,
            deps=deps,
            client=client,
        )
        yield harness
        # What the bot runs after its acks finishes before the app stops, as on a real shutdown.
        still_running = listener_tasks()
        if still_running:
            await asyncio.wait(still_running, timeout=WAIT_LIMIT)
    logging.getLogger().removeHandler(errors)
    if not harness.expect_errors:
        assert not errors.records, [r.getMessage() for r in errors.records]
