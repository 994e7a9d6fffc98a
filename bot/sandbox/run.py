"""Running the sandbox (`python app.py --sandbox`): the real bot, migrated onto its own SQLite
file under `.sandbox/`, with the sandbox's clock, its stand-in of Slack and the page, all on
127.0.0.1, until Ctrl-C or SIGTERM.

The settings are made here, never read from the environment or `.env`: the sandbox cannot reach
a real database or a real Slack workspace, whatever is configured for the bot. The bot token and
the signing secret are new random values at each start; the stand-in accepts only that token,
and every request the page sends the bot is signed with that secret.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from pydantic_settings import PydanticBaseSettingsSource

from bot.logs import configure_logging
from bot.models import Base
from bot.runtime import Running, after_ack_tasks, running, stop_on_signals
from bot.sandbox.actions import People
from bot.sandbox.clock import MovableClock
from bot.sandbox.server import build_page_app
from bot.settings import Settings, SettingsError
from bot.slack.delivery import send_due_nudges
from bot.slack_standin import saving
from bot.slack_standin.personas import HR
from bot.slack_standin.sandbox_face import SandboxSlack, sandbox_workspace
from bot.slack_standin.workspace import Workspace
from bot.web import CALENDAR_TOKEN, EVENTS_PATH

log = logging.getLogger(__name__)
DEFAULT_PORT = 3920
# How long a reset waits for the bot to finish what it does after answering an action.
AFTER_ACK_SECONDS = 10
DIRECTORY = ".sandbox"
SAVED = "workspace.json"


class SandboxSettings(Settings):
    """The bot's settings from code alone: no environment variable and no `.env` file."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[Any],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the settings given in code."""
        return (init_settings,)


@dataclass(frozen=True, slots=True)
class Keys:
    """The sandbox app's credentials, new at each start."""

    bot_token: str = field(default_factory=lambda: f"xoxb-sandbox-{secrets.token_hex(12)}")
    signing_secret: str = field(default_factory=lambda: secrets.token_hex(16))


def sandbox_settings(
    directory: Path, slack_api_url: str, keys: Keys, page_url: str | None = None
) -> Settings:
    """The bot's settings in the sandbox; calendar links point at the page (`page_url`)."""
    return SandboxSettings(
        public_url=page_url,
        database_url=f"sqlite+aiosqlite:///{directory.resolve() / 'sandbox.db'}",
        slack_bot_token=SecretStr(keys.bot_token),
        slack_signing_secret=SecretStr(keys.signing_secret),
        slack_api_url=slack_api_url,
        hr_users=(HR.id,),
        send_rate_per_second=0,  # one person's clicks: nothing to pace
    )


@dataclass(frozen=True, slots=True)
class Sandbox:
    """A running sandbox: the page's URL, its people, workspace and clock, and the bot."""

    url: str
    people: People
    workspace: Workspace
    clock: MovableClock
    bot: Running
    settings: Settings


@asynccontextmanager
async def sandbox_running(
    directory: Path, port: int, keys: Keys, host: str = "127.0.0.1"
) -> AsyncIterator[Sandbox]:
    """The sandbox serving its page on `host` and `port` (0: a free one) until the block ends;
    it goes on from where the last run in `directory` left it."""
    clock, workspace = await _restored(directory)
    slack = SandboxSlack(workspace, keys.bot_token)
    # The page's port is taken first: the bot's calendar links and Slack's permalinks are made
    # with its address, from the bot's first sweep on.
    page_socket = _page_socket(host, port)
    page_url = f"http://127.0.0.1:{page_socket.getsockname()[1]}"
    slack.show_permalinks_on(f"{page_url}/")
    try:
        await slack.start()
        settings = sandbox_settings(directory, slack.api_url, keys, page_url)
        async with (
            running(settings, clock=clock, host="127.0.0.1", port=0) as bot,
            aiohttp.ClientSession() as session,
        ):
            events_url = f"http://127.0.0.1:{bot.port}{EVENTS_PATH}"
            people = People(slack, events_url, keys.signing_secret, session)
            async with _page_served(page_socket, people, clock, bot, session):
                yield Sandbox(f"{page_url}/", people, workspace, clock, bot, settings)
    finally:
        page_socket.close()
        await slack.stop()


async def _restored(directory: Path) -> tuple[MovableClock, Workspace]:
    """The clock and the workspace as the last run in `directory` left them, saved as they
    change from now on."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    saved = await asyncio.to_thread(_read_saved, directory)
    clock = MovableClock(timedelta(seconds=saved["clock_offset_seconds"] if saved else 0))
    workspace = sandbox_workspace(clock)
    if saved:
        saving.restore(workspace, saved["workspace"])
    workspace.on_change = lambda: _save(directory, clock, workspace)
    return clock, workspace


@asynccontextmanager
async def _page_served(
    page_socket: socket.socket,
    people: People,
    clock: MovableClock,
    bot: Running,
    session: aiohttp.ClientSession,
) -> AsyncIterator[None]:
    """The page served on its socket until the block ends."""
    page = web.AppRunner(
        build_page_app(
            people,
            clock,
            lambda now: send_due_nudges(bot.bolt.client, bot.deps, now),
            lambda: _start_over(bot, people.workspace, clock),
            partial(_calendar_feed, session, bot.port),
        ),
        access_log=None,
    )
    await page.setup()
    try:
        await web.SockSite(page, page_socket).start()
        yield
    finally:
        await page.cleanup()


async def _calendar_feed(session: aiohttp.ClientSession, bot_port: int, name: str) -> web.Response:
    """A person's calendar feed, fetched from the bot as the page's calendar links ask for it."""
    token = name.removesuffix(".ics")
    if not name.endswith(".ics") or not CALENDAR_TOKEN.fullmatch(token):
        # Only a feed's own path is passed on: never `..` to another of the bot's.
        raise web.HTTPNotFound()
    url = f"http://127.0.0.1:{bot_port}/calendar/{quote(token, safe='')}.ics"
    async with session.get(url) as feed:
        return web.Response(
            status=feed.status,
            body=await feed.read(),
            headers={"Content-Type": feed.headers.get("Content-Type", "text/plain")},
        )


def _read_saved(directory: Path) -> dict[str, Any] | None:
    """What the last run left: the workspace the page showed and how far its clock was moved,
    kept beside the database so the bot's records and the messages about them stay together."""
    path = directory / SAVED
    return dict(json.loads(path.read_text())) if path.exists() else None


def _save(directory: Path, clock: MovableClock, workspace: Workspace) -> None:
    """Save the workspace on each change, before the page can show it, so a kill -9 loses
    nothing anyone has seen. Written beside and renamed over the last, so a kill mid-write
    leaves the last whole save. A sandbox's workspace is small: this takes a millisecond, so
    it is done in line rather than in a thread that a later change could overtake."""
    kept = {
        "clock_offset_seconds": clock.offset.total_seconds(),
        "workspace": saving.saved(workspace),
    }
    written = directory / f"{SAVED}.new"
    try:
        directory.mkdir(parents=True, exist_ok=True)  # someone may have deleted it meanwhile
        written.write_text(json.dumps(kept))
        os.replace(written, directory / SAVED)
    except OSError as exc:
        # The change itself has happened and is shown; only its copy on disk is missing.
        log.warning("the sandbox could not save its workspace in %s: %s", directory, exc)


async def _start_over(bot: Running, workspace: Workspace, clock: MovableClock) -> None:
    """The page's "Reset the sandbox": no secondment in the bot's database, the starting
    workspace, the clock back at the real time. The schema stays, so the bot runs on.

    The page's own actions wait while this runs (bot/sandbox/server.py); the bot's sweep is held
    still; and what the bot was still doing after answering an earlier action is let finish
    first, so nothing about the old secondments arrives in the new workspace."""
    async with bot.sweeper.held():
        await _bolt_work_done()
        async with bot.deps.sessions() as session, session.begin():
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(table.delete())
        clock.offset = timedelta(0)
        workspace.reset()


async def _bolt_work_done() -> None:
    """Wait, at most a few seconds, for what the bot still does after answering an action."""
    working = after_ack_tasks()
    if working:
        await asyncio.wait(working, timeout=AFTER_ACK_SECONDS)


async def serve_sandbox(
    port: int, directory: Path = Path(DIRECTORY), host: str = "127.0.0.1"
) -> None:
    """Serve the sandbox until SIGTERM or Ctrl-C. `host` 0.0.0.0 is for a container, whose
    port is published to the machine's own 127.0.0.1: the page asks nobody who they are."""
    stop = stop_on_signals()
    keys = Keys()
    # Warnings only: the page's address is the one line a person trying the bot needs; the bot's
    # own start-up (its migrations, the internal port its stand-in of Slack calls) is not theirs.
    configure_logging("WARNING", "text", (keys.bot_token, keys.signing_secret))
    async with sandbox_running(directory, port, keys, host) as sandbox:
        print(f"Sandbox ready: open {sandbox.url} (Ctrl-C to stop; Reset on the page starts over)")
        await stop.wait()


def _page_socket(host: str, port: int) -> socket.socket:
    """The page's listening socket, bound before anything starts (0: a free port)."""
    page_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    page_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        page_socket.bind((host, port))
    except OSError as exc:
        page_socket.close()
        raise SettingsError(f"port {port} cannot be used for the sandbox: {exc.strerror}") from None
    return page_socket
