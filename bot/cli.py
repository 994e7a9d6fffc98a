"""The `secondment-bot` command, installed with the package: `serve` the bot, try it in the
`sandbox` without Slack, `migrate` its database, or `check` its settings and Slack token. app.py
runs the same code from a checkout (`from_checkout`).

Each problem is one plain line on stderr, and the command exits non-zero: 2 for settings to fix,
1 for Slack refusing or not answering."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

from bot.db import head_revision, make_engine, migrate
from bot.logs import configure_logging
from bot.runtime import serve
from bot.sandbox.run import DEFAULT_PORT, serve_sandbox
from bot.settings import SettingsError, load_database_settings, load_settings
from bot.slack.client import make_web_client
from bot.slack.token_check import token_problem

SETTINGS_HELP = "See .env.example and the README's configuration table."


def parser() -> argparse.ArgumentParser:
    """The command line's commands: serve, sandbox, migrate and check."""
    top = argparse.ArgumentParser(
        prog="secondment-bot",
        description="Secondment Mediator: a Slack bot that runs a secondment from the request "
        "to the return. Settings come from the environment and a .env file.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="serve the bot until stopped (migrates first)")
    sandbox = commands.add_parser(
        "sandbox",
        help="try the bot without Slack: a local stand-in of Slack and a page in the browser",
    )
    sandbox.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the page's port (default {DEFAULT_PORT})"
    )
    sandbox.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address the page listens on (default 127.0.0.1; 0.0.0.0 inside a container "
        "whose port is published to 127.0.0.1 only: the page asks nobody who they are)",
    )
    commands.add_parser("migrate", help="bring the database (DATABASE_URL) up to date, then exit")
    commands.add_parser(
        "check", help="check the settings, and ask Slack whether it accepts the bot token"
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command given on the command line; the process's exit status."""
    args = parser().parse_args(argv)
    try:
        match args.command:
            case "sandbox":
                return _run(serve_sandbox(args.port, host=args.host))
            case "migrate":
                return _run(_migrate())
            case "check":
                return _run(_check())
            case _:
                settings = load_settings()
                configure_logging(settings.log_level, settings.log_format, settings.secret_values())
                return _run(serve(settings))
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        print(SETTINGS_HELP, file=sys.stderr)
        return 2


def from_checkout(argv: Sequence[str] | None = None) -> int:
    """`python app.py` from a checkout: serve the bot, or with `--sandbox` (and `--port`) try
    it without Slack; the same as `secondment-bot serve` and `secondment-bot sandbox`."""
    checkout = argparse.ArgumentParser(
        prog="app.py", description="Secondment Mediator, a Slack bot."
    )
    checkout.add_argument(
        "--sandbox",
        action="store_true",
        help="try the bot without Slack: a local stand-in of Slack and a page in the browser",
    )
    checkout.add_argument(
        "--port",
        type=int,
        help=f"the sandbox page's port on 127.0.0.1 (default {DEFAULT_PORT})",
    )
    args = checkout.parse_args(argv)
    if args.sandbox:
        return main(["sandbox", "--port", str(args.port or DEFAULT_PORT)])
    if args.port is not None:
        checkout.error("--port goes with --sandbox (the bot's own port is the PORT setting)")
    return main(["serve"])


def _run(work: Coroutine[Any, Any, int | None]) -> int:
    return asyncio.run(work) or 0


async def _migrate() -> int:
    settings = load_database_settings()
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    print(f"The database is up to date (revision {head_revision()}).")
    return 0


async def _check() -> int:
    settings = load_settings()
    if settings.slack_bot_token is None:
        print("OAuth mode: each workspace's token comes with its installation; settings are fine.")
        return 0
    client = make_web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    problem = await token_problem(client)
    if problem is not None:
        print(problem.line, file=sys.stderr)
        return 1
    print("Settings are fine, and Slack accepts SLACK_BOT_TOKEN.")
    return 0
