"""What every benchmark needs: a fresh migrated database, the Slack stand-in (optionally slowed
down, and timing the calls it receives), the bot served on a real port exactly as in the tests,
and a bare Bolt app that only acknowledges."""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions, make_engine, make_sessions, migrate
from bot.logs import configure_logging
from bot.settings import load_settings
from bot.slack.bolt_app import build_bolt_app
from bot.slack.client import make_web_client
from bot.slack.deps import Deps, deps_from
from bot.slack.workspaces import workspaces_from
from bot.slack_standin.wire import read_body
from bot.slack_standin.workspace import Knows
from bot.web import SlackEvents, build_web_app
from tests.support import wire
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, listener_tasks
from tests.support.standin import BOT_TOKEN, SlackStandIn

HR = "U0HRPERSON"
PEOPLE = (EMPLOYEE, HOME, HOST, OUTSIDER, HR)


@dataclass
class TimedStandIn(SlackStandIn):
    """The tests' stand-in, answering each Web API call after `latency` seconds, and noting when
    each `views.open` arrived (by trigger id) and the most calls it had in flight at once. With
    `check_blocks` off it skips the Block Kit validation the tests rely on, so that in the
    throughput runs the stand-in (in the benchmark's process) keeps up with the bot."""

    latency: float = 0.0
    opened_at: dict[str, float] = field(default_factory=dict)
    in_flight: int = 0
    most_in_flight: int = 0
    keep_calls: bool = True
    check_blocks: bool = True

    def _check_blocks(self, method: str, body: dict[str, Any]) -> str | None:
        return super()._check_blocks(method, body) if self.check_blocks else None

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        if request.match_info["method"] == "views.open":
            body = await read_body(request)
            self.opened_at[str(body.get("trigger_id"))] = arrived
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            response = await super()._handle_api(request)
        finally:
            self.in_flight -= 1
        if not self.keep_calls:  # a long run would keep every body it was sent
            self.calls.clear()
        return response


async def start_standin(latency: float = 0.0) -> TimedStandIn:
    """The timed stand-in, with the benchmark's people, serving."""
    # The benchmark writes its approval threads into the database, not through the stand-in:
    # it does not hold their parents, and must not answer their updates message_not_found.
    standin = TimedStandIn(latency=latency, knows=Knows.PART)
    for person in PEOPLE:
        standin.add_user(person)
    await standin.start()
    return standin


@asynccontextmanager
async def fresh_database(url: str | None) -> AsyncIterator[str]:
    """A migrated, empty database: a new SQLite file, or the PostgreSQL `url` with its public
    schema dropped and created again."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            path = Path(folder) / "bench.db"
            sqlite_url = f"sqlite+aiosqlite:///{path}"
            await _migrate(sqlite_url)
            yield sqlite_url
        return
    await _migrate(url)
    yield url


async def reset_postgres(url: str) -> None:
    """Drop and create again the public schema of the PostgreSQL database at `url`."""
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _migrate(url: str) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    engine = make_engine(url)
    await migrate(engine)
    await engine.dispose()


@dataclass
class Served:
    """An app listening on 127.0.0.1, with what the measurements need to reach into."""

    url: str
    runner: web.AppRunner
    engine: AsyncEngine | None = None
    sessions: Sessions | None = None
    deps: Deps | None = None
    client: AsyncWebClient | None = None

    async def close(self) -> None:
        """Stop serving, and close the database engine if there is one."""
        await self.runner.cleanup()
        if self.engine is not None:
            await self.engine.dispose()


async def _listen(app: web.Application) -> tuple[str, web.AppRunner]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}", runner


async def serve_bot(database_url: str, standin: SlackStandIn, **overrides: Any) -> Served:
    """The bot as tests/conftest.py builds it (real clock, HR_USERS set), on a real port;
    `overrides` are settings, such as the sweep's `send_rate_per_second`."""
    settings = load_settings(
        _env_file=None,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_api_url=standin.api_url,
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        hr_users=HR,
        **overrides,
    )
    engine = make_engine(database_url, pool_size=settings.database_pool_size)
    client = make_web_client(BOT_TOKEN, standin.api_url)
    sessions = make_sessions(engine)
    deps = deps_from(settings, sessions, workspaces_from(settings, engine))
    bolt = build_bolt_app(settings, deps, client=client)
    url, runner = await _listen(build_web_app(SlackEvents.of(bolt, settings), engine, deps.metrics))
    return Served(url, runner, engine, sessions, deps, client)


async def serve_bare(standin: SlackStandIn) -> Served:
    """A bare slack_bolt AsyncApp that only acknowledges the same command and buttons, served by
    Bolt's own aiohttp adapter against the same stand-in."""
    bare = AsyncApp(
        signing_secret=wire.SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=standin.api_url),
    )

    async def only_ack(ack: AsyncAck) -> None:
        """Acknowledge, and do nothing else."""
        await ack()

    bare.command("/secondment")(only_ack)
    bare.action(re.compile(".*"))(only_ack)
    url, runner = await _listen(bare.web_app())
    return Served(url, runner)


async def background_done() -> None:
    """Wait for what Bolt runs after the ack (its listeners' tasks) to finish."""
    while pending := listener_tasks():
        await asyncio.gather(*pending, return_exceptions=True)


def quiet_logs() -> None:
    """Logging as app.py sets it up, at ERROR: the bot pays what it pays in production."""
    configure_logging("ERROR")
